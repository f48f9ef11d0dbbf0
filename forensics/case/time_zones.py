"""The source time zone of an evidence item: set at intake or later, "unknown" (None) until set.

The zone says how to read times that a file system stores as local wall-clock time (FAT, exFAT; see
:mod:`forensics.core.local_times`). Changing it changes how those times are shown, never what is stored,
so the service layer records each change in the custody log (``time_zone_set``: old and new value, who,
when), in the same transaction (:func:`forensics.services.evidence.set_time_zone`).
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from forensics.case.models import Evidence
from forensics.core.errors import CaseError
from forensics.core.local_times import check_time_zone


def set_time_zone(conn: Connection | Session, item: str, zone: str | None) -> tuple[str | None, str | None]:
    """Set (``zone``: an IANA name) or clear (None) the source time zone of ``item``; returns (old, new).

    ``conn``: a connection or session inside the caller's transaction. Raises
    :class:`~forensics.core.local_times.TimeZoneError` for an unknown zone and
    :class:`~forensics.core.errors.CaseError` for an unknown item. Nothing is written when nothing changes.
    """
    new = check_time_zone(zone) if zone is not None else None
    row = conn.execute(select(Evidence.time_zone).where(Evidence.item == item)).first()
    if row is None:
        raise CaseError(f"no evidence item {item!r} in this case")
    old = row[0]
    if old != new:
        conn.execute(update(Evidence).where(Evidence.item == item).values(time_zone=new))
    return old, new
