"""Who is on a case: derived by replaying the log's ``examiner_added`` / ``examiner_removed`` entries.

Membership is not kept in a table of its own, so it is protected by the same chain and signatures
as every other event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from forensics.case.models_custody import CustodyLogEntry
from forensics.custody.actions import EXAMINER_ADDED, EXAMINER_REMOVED
from forensics.custody.examiners import name_key
from forensics.custody.records import COLUMNS, CustodyEntry, entry_from_row


@dataclass(frozen=True)
class Member:
    """An examiner registered on the case, with the key registered for them."""

    name: str
    agency: str
    badge: str
    public_key: str
    key_id: str
    added_seq: int
    added_by: str
    removed_seq: int | None = None

    @property
    def active(self) -> bool:
        return self.removed_seq is None


def replay(entries: Iterable[CustodyEntry]) -> dict[str, Member]:
    """Members by :func:`name_key`, latest registration of each name, from membership entries."""
    members: dict[str, Member] = {}
    for entry in entries:
        d = entry.details
        if entry.action == EXAMINER_ADDED:
            members[name_key(d["name"])] = Member(
                name=d["name"],
                agency=d.get("agency", ""),
                badge=d.get("badge", ""),
                public_key=d["public_key"],
                key_id=d["key_id"],
                added_seq=entry.seq,
                added_by=entry.examiner,
            )
        elif entry.action == EXAMINER_REMOVED and name_key(d["name"]) in members:
            old = members[name_key(d["name"])]
            members[name_key(d["name"])] = Member(**{**old.__dict__, "removed_seq": entry.seq})
    return members


def membership_entries(conn: Connection) -> list[CustodyEntry]:
    table = CustodyLogEntry.__table__
    query = (
        select(*(table.c[name] for name in COLUMNS))
        .where(table.c.action.in_((EXAMINER_ADDED, EXAMINER_REMOVED)))
        .order_by(table.c.seq)
    )
    return [entry_from_row(row._mapping) for row in conn.execute(query)]


def load_members(conn: Connection) -> dict[str, Member]:
    """Current members of the case (active and removed) by :func:`name_key`."""
    return replay(membership_entries(conn))
