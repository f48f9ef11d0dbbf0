"""Custody events an examiner records by hand: notes, transfers, intake corrections, membership."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from forensics.case.pictures import PictureCipher
from forensics.core.errors import CaseError
from forensics.custody import actions
from forensics.custody.intake import correction_details
from forensics.custody.membership import addition_details, removal_details
from forensics.custody.records import CustodyEntry
from forensics.custody.transfer import transfer_details
from forensics.services.case_keys import rotate_without, wrap_for_new_member
from forensics.services.context import CaseContext


def add_note(ctx: CaseContext, text: str, item: str | None = None) -> CustodyEntry:
    """A free note, optionally about one evidence item (``note``)."""
    if not text.strip():
        raise CaseError("a note cannot be empty")
    return ctx.custody.append(actions.NOTE, item=item, details={"text": text})


def record_transfer(
    ctx: CaseContext,
    item: str,
    *,
    from_person: str,
    to_person: str,
    reason: str,
    seal_checked: bool,
    seal_number: str | None = None,
    location: str | None = None,
) -> CustodyEntry:
    """A physical hand-over of an item that has an intake record (``custody_transfer``)."""
    details = transfer_details(
        ctx.db,
        item,
        from_person=from_person,
        to_person=to_person,
        reason=reason,
        seal_checked=seal_checked,
        seal_number=seal_number,
        location=location,
    )
    return ctx.custody.append(actions.CUSTODY_TRANSFER, item=item, details=details)


def correct_intake(
    ctx: CaseContext, item: str, field: str, new_value: str | None, reason: str
) -> CustodyEntry:
    """Correct one intake field: old value, new value and reason (``intake_corrected``)."""
    details = correction_details(ctx.db, item, field, new_value, reason)
    return ctx.custody.append(actions.INTAKE_CORRECTED, item=item, details=details)


def _with_membership(
    ctx: CaseContext, name: str, member: bool, writes: Callable[[Connection], dict[str, Any]]
) -> Callable[[Connection], dict[str, Any]]:
    """``writes`` plus, on a PostgreSQL case, the examiner's role put on (or taken off) the case's
    database in the same transaction as their custody entry (forensics/case/pg_access.py)."""
    if not ctx.db.is_postgres:
        return writes
    from forensics.case.credentials import examiner_role
    from forensics.case.pg_access import database_of, grant_membership, revoke_membership

    def both(conn: Connection) -> dict[str, Any]:
        change = grant_membership if member else revoke_membership
        change(conn, database_of(ctx.db.url), examiner_role(name))
        return writes(conn)

    return both


def add_examiner(ctx: CaseContext, public_record: dict[str, Any], reason: str = "") -> CustodyEntry:
    """Register an examiner (name, agency, badge, public key) on the case (``examiner_added``)."""
    details = addition_details(ctx.db, public_record, reason)
    wrap = wrap_for_new_member(ctx.case_key, details["public_key"], details["key_id"])
    return ctx.custody.record(
        actions.EXAMINER_ADDED,
        details=details,
        with_writes=_with_membership(ctx, details["name"], True, wrap),
    )


def remove_examiner(ctx: CaseContext, name: str, reason: str) -> CustodyEntry:
    """Take an examiner off the case; never the last one (``examiner_removed``)."""
    details = removal_details(ctx.db, name, reason)
    fresh: list[bytes] = []
    rotate = rotate_without(ctx.custody, ctx.case_key, details["key_id"], fresh)
    writes = _with_membership(ctx, details["name"], False, rotate)
    entry = ctx.custody.record(actions.EXAMINER_REMOVED, details=details, with_writes=writes)
    if fresh:  # the pictures are now sealed with the new key
        ctx.case_key = fresh[0]
        ctx.db.pictures = PictureCipher(fresh[0])
    return entry
