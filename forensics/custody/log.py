"""The custody log writer: the one API through which every part of Custos records events.

An append runs in its own write transaction holding one lock (``BEGIN IMMEDIATE`` on SQLite, an
advisory transaction lock on PostgreSQL: ``core.sqldialect.begin_exclusive_write``), so two processes,
or two examiners on two workstations, appending at once still produce one chain: each reads the last
entry and writes the next while holding it. Commit your own session before appending: the log does not
join a caller's transaction.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Table, func, insert, select

from forensics.case.models_custody import CustodyLogEntry
from forensics.core.errors import AccessDenied
from forensics.core.sqldialect import begin_exclusive_write
from forensics.custody import checkpoint, keys, witness
from forensics.custody.actions import ALL_ACTIONS, MEMBERSHIP_ACTIONS
from forensics.custody.canonical import FORMAT_VERSION, GENESIS_HASH, canonical_json, entry_hash, record_dict
from forensics.custody.examiners import name_key
from forensics.custody.records import COLUMNS, CustodyEntry, entry_from_row, utc_now
from forensics.custody.roster import Member, load_members

# A declarative model types __table__ as a FromClause; this one is a Table (insert() needs one).
TABLE = cast(Table, CustodyLogEntry.__table__)


def _select_entries():
    return select(*(TABLE.c[name] for name in COLUMNS)).order_by(TABLE.c.seq)


# Built once: an append runs these every time.
_LAST_ENTRY = select(*(TABLE.c[name] for name in COLUMNS)).order_by(TABLE.c.seq.desc()).limit(1)
_LAST_MEMBERSHIP_CHANGE = select(func.max(TABLE.c.seq)).where(TABLE.c.action.in_(MEMBERSHIP_ACTIONS))
_INSERT = insert(TABLE)


def last_entry(conn: Connection) -> CustodyEntry | None:
    row = conn.execute(_LAST_ENTRY).first()
    return entry_from_row(row._mapping) if row else None


def read_entries(db, *, item: str | None = None, action: str | None = None) -> Iterator[CustodyEntry]:
    """Entries in order, optionally only those of one evidence item and/or one action."""
    query = _select_entries()
    if item is not None:
        query = query.where(TABLE.c.item == item)
    if action is not None:
        query = query.where(TABLE.c.action == action)
    with db.engine.connect() as conn:
        for row in conn.execute(query):
            yield entry_from_row(row._mapping)


def head_hash(db) -> str | None:
    """Hash of the newest entry (reports print it to pin the log's state), or None when empty."""
    with db.engine.connect() as conn:
        last = last_entry(conn)
    return last.entry_hash if last else None


class CustodyLog:
    """The case's custody log as one examiner: appends signed entries (when opened for writing)."""

    def __init__(
        self,
        db,
        examiner_name: str,
        key_id: str,
        signer: Ed25519PrivateKey | None,
        *,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self._db = db
        self._examiner_name = examiner_name
        self._key_id = key_id
        self._signer = signer
        self._clock = clock
        self._lock = threading.Lock()
        self._members: dict[str, Member] = {}
        self._members_at: int | None = -1
        self._case: str | None = None

    @property
    def examiner_name(self) -> str:
        return self._examiner_name

    @property
    def key_id(self) -> str:
        return self._key_id

    @property
    def writable(self) -> bool:
        return self._signer is not None

    def append(
        self,
        action: str,
        *,
        item: str | None = None,
        target: dict | None = None,
        details: dict | None = None,
        with_writes: Callable[[Connection], dict | None] | None = None,
    ) -> CustodyEntry:
        """Sign and append one event; ``action`` is one of :mod:`forensics.custody.actions`.

        ``with_writes(conn)`` runs inside the append's own write transaction, before the entry is made:
        what it writes is committed with the entry or not at all, and the dict it returns is merged into
        the details (e.g. sealed results: the digests kept and the roots they give).
        """
        if action in MEMBERSHIP_ACTIONS:
            raise ValueError(f"{action} is recorded by forensics.custody.membership, not by append()")
        return self.record(action, item=item, target=target, details=details, with_writes=with_writes)

    def record(
        self,
        action: str,
        *,
        item: str | None = None,
        target: dict | None = None,
        details: dict | None = None,
        genesis: bool = False,
        with_writes: Callable[[Connection], dict | None] | None = None,
    ) -> CustodyEntry:
        """Append any action (membership ones included); ``genesis`` allows the founder's registration."""
        if action not in ALL_ACTIONS:
            raise ValueError(f"unknown custody action {action!r}")
        if self._signer is None:
            raise AccessDenied("the case was opened read-only: custody events cannot be signed")
        if item is not None and not isinstance(item, str):
            raise ValueError("item must be an evidence item number (text)")
        if target is not None and not isinstance(target, dict):
            raise ValueError("target must be a file locator dict")
        details = {} if details is None else details
        if not isinstance(details, dict):
            raise ValueError("details must be a dict")
        # Store and return exactly what a reader will parse back (tuples become lists, and so on).
        details = json.loads(canonical_json(details))
        target = json.loads(canonical_json(target)) if target is not None else None
        with self._lock, self._db.engine.connect() as conn:
            begin_exclusive_write(conn)
            last = last_entry(conn)
            if not genesis:
                self._require_active_member(conn)
            elif last is not None:
                raise ValueError("the custody log already has entries")
            if with_writes is not None:
                details = json.loads(canonical_json({**details, **(with_writes(conn) or {})}))
            entry = self._sign(
                seq=(last.seq + 1) if last else 1,
                prev=last.entry_hash if last else GENESIS_HASH,
                action=action,
                item=item,
                target=target,
                details=details,
            )
            conn.execute(_INSERT, _row_values(entry))
            conn.commit()
        witness.note(self._case_id(entry), entry.seq, entry.entry_hash, entry.ts, _place(self._db))
        return entry

    def derive_case_key(self, context: bytes) -> bytes:
        """A case key derived from this examiner's private key (see :func:`case_key.derive_case_key`)."""
        if self._signer is None:
            raise AccessDenied("the case was opened read-only: no case key can be made")
        from forensics.custody.case_key import derive_case_key

        return derive_case_key(self._signer, context)

    def checkpoint(self, report_id: str) -> dict[str, Any]:
        """A signed checkpoint of the log as it is now, for a report to carry (see :mod:`checkpoint`)."""
        if self._signer is None:
            raise AccessDenied("the case was opened read-only: a checkpoint cannot be signed")
        with self._db.engine.connect() as conn:
            last = last_entry(conn)
            first = conn.execute(select(TABLE.c.entry_hash).where(TABLE.c.seq == 1)).scalar()
        if last is None:
            raise AccessDenied("the custody log is empty")
        body = {
            "format": checkpoint.FORMAT,
            "case": first,
            "entries": last.seq,
            "head": last.entry_hash,
            "report_id": report_id,
            "examiner": self._examiner_name,
            "key_id": self._key_id,
        }
        return {**body, "signature": keys.sign_hash(self._signer, checkpoint.digest(body))}

    def _case_id(self, entry: CustodyEntry) -> str:
        """The case's id for the witness store: the hash of its first entry (read once)."""
        if self._case is None:
            if entry.seq == 1:
                self._case = entry.entry_hash
            else:
                with self._db.engine.connect() as conn:
                    self._case = conn.execute(select(TABLE.c.entry_hash).where(TABLE.c.seq == 1)).scalar()
        return self._case or ""

    def _require_active_member(self, conn: Connection) -> None:
        # Membership only changes with membership entries: re-read it only when a new one appeared.
        last_change = conn.execute(_LAST_MEMBERSHIP_CHANGE).scalar()
        if self._members_at != last_change:
            self._members = load_members(conn)
            self._members_at = last_change
        member = self._members.get(name_key(self._examiner_name))
        if member is None or not member.active or member.key_id != self._key_id:
            raise AccessDenied(f"examiner {self._examiner_name!r} is no longer on this case")

    def _sign(self, *, seq: int, prev: str, action: str, item, target, details) -> CustodyEntry:
        record = record_dict(
            seq=seq,
            ts=self._clock(),
            examiner=self._examiner_name,
            key_id=self._key_id,
            action=action,
            item=item,
            target=target,
            details=details,
            prev_hash=prev,
        )
        digest = entry_hash(record)
        assert self._signer is not None  # record() refuses a read-only log before signing
        return CustodyEntry(
            seq=seq,
            ts=record["ts"],
            examiner=self._examiner_name,
            key_id=self._key_id,
            action=action,
            item=item,
            target=target,
            details=details,
            prev_hash=prev,
            entry_hash=digest,
            signature=keys.sign_hash(self._signer, digest),
            format_version=FORMAT_VERSION,
        )


def _place(db) -> str:
    """What names the case for the witness store: its folder, or its server database (the same for every
    examiner's folder of a PostgreSQL case)."""
    return str(getattr(db, "place", None) or db.case_dir)


def _row_values(entry: CustodyEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "format_version": entry.format_version,
        "ts": entry.ts,
        "examiner": entry.examiner,
        "key_id": entry.key_id,
        "action": entry.action,
        "item": entry.item,
        "target_json": canonical_json(entry.target) if entry.target is not None else None,
        "details_json": canonical_json(entry.details),
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
        "signature": entry.signature,
    }
