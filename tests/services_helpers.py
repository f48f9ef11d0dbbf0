"""Tests that hold a case database and a custody log call the service layer through one context."""

from __future__ import annotations

from forensics.custody.log import CustodyLog
from forensics.services.context import CaseContext


def context(db, log: CustodyLog) -> CaseContext:
    """The service context of an open case database and its custody log (as ``log``'s examiner)."""
    return CaseContext(db.case_dir, db, log.examiner_name, log)
