"""Evidence intake records: the intake event is the record; later changes are correction events.

``custos evidence add`` appends ``evidence_intake`` with the full intake dict; after that a field
changes only through an ``intake_corrected`` event holding the old value, the new value and the reason
(:func:`correction_details` checks it; the service layer signs it). :func:`current_intake` derives
today's view from the events.
"""

from __future__ import annotations

import re
from typing import Any

from forensics.core.errors import CaseError
from forensics.custody.actions import EVIDENCE_INTAKE, INTAKE_CORRECTED
from forensics.custody.log import read_entries
from forensics.custody.records import CustodyEntry

# The keys of the intake dict (the evidence table's intake columns carry the same names).
INTAKE_FIELDS: tuple[str, ...] = (
    "item",
    "description",
    "device_make",
    "device_model",
    "device_serial",
    "seized_from",
    "seized_at",
    "seized_by",
    "seal_number",
    "received_by",
    "received_at",
    "storage_location",
    "acquisition_tool",
    "acquisition_examiner",
    "acquisition_date",
    "acquisition_md5",
    "acquisition_sha1",
    "acquisition_sha256",
    "notes",
)
HASH_LENGTHS = {"acquisition_md5": 32, "acquisition_sha1": 40, "acquisition_sha256": 64}


def _intake_events(db, item: str) -> list[CustodyEntry]:
    events = [e for e in read_entries(db, item=item) if e.action in (EVIDENCE_INTAKE, INTAKE_CORRECTED)]
    if not events or events[0].action != EVIDENCE_INTAKE:
        raise CaseError(f"no intake record for evidence item {item!r}")
    return events


def current_intake(db, item: str) -> dict[str, Any]:
    """The intake record of ``item`` with every later correction applied, in log order."""
    events = _intake_events(db, item)
    view = dict(events[0].details)
    for event in events[1:]:
        if event.action == INTAKE_CORRECTED:
            view[event.details["field"]] = event.details["new"]
    return view


def intake_corrections(db, item: str) -> list[dict[str, Any]]:
    """Every correction of ``item``'s intake: seq, ts, examiner, field, old, new, reason."""
    return [
        {"seq": e.seq, "ts": e.ts, "examiner": e.examiner, **e.details} for e in _intake_events(db, item)[1:]
    ]


def normalise_value(field: str, value: str | None) -> str | None:
    """A corrected value as stored: stripped text, None when empty, hashes as lowercase hex."""
    if value is None or not str(value).strip():
        return None
    clean = str(value).strip()
    if field in HASH_LENGTHS:
        clean = clean.lower()
        if not re.fullmatch(rf"[0-9a-f]{{{HASH_LENGTHS[field]}}}", clean):
            raise CaseError(f"{field} must be {HASH_LENGTHS[field]} hexadecimal characters")
    return clean


def correction_details(db, item: str, field: str, new_value: str | None, reason: str) -> dict[str, Any]:
    """Details of an ``intake_corrected`` entry for one intake field (old value, new value, reason)."""
    current = current_intake(db, item)
    allowed = set(INTAKE_FIELDS) - {"item"}
    if field not in allowed:
        raise CaseError(f"{field!r} is not a correctable intake field (one of: {', '.join(sorted(allowed))})")
    if not reason or not reason.strip():
        raise CaseError("a correction needs a reason")
    new = normalise_value(field, new_value)
    old = current.get(field)
    if old == new:
        raise CaseError(f"{field} of {item!r} already is {old!r}: nothing to correct")
    return {"field": field, "old": old, "new": new, "reason": reason.strip()}
