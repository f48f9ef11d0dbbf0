"""The source time zone of an evidence item: set at intake or later, "unknown" (None) until set.

The zone says how to read times that a file system stores as local wall-clock time (FAT, exFAT; see
:mod:`forensics.core.local_times`). Changing it changes how those times are shown, never what is stored, so
the caller records each change in the custody log (old and new value, who, when).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from forensics.case.store import get_evidence
from forensics.core.local_times import check_time_zone


def set_time_zone(session: Session, item: str, zone: str | None) -> tuple[str | None, str | None]:
    """Set (``zone``: an IANA name) or clear (None) the source time zone of ``item``; returns (old, new).

    Raises :class:`~forensics.core.local_times.TimeZoneError` for an unknown zone and
    :class:`~forensics.core.errors.CaseError` for an unknown item. Nothing is written when nothing changes.
    """
    new = check_time_zone(zone) if zone is not None else None
    evidence = get_evidence(session, item)
    old = evidence.time_zone
    if old != new:
        evidence.time_zone = new
        session.flush()
    return old, new
