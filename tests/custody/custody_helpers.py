"""Shared helpers of the custody tests (a signed case in a few lines, a sample intake record)."""

from __future__ import annotations

from pathlib import Path

from forensics.case.db import CaseDatabase
from forensics.custody import actions
from forensics.custody.log import CustodyLog
from forensics.services.cases import begin_custody

PASSPHRASE = "correct horse battery"


def new_case(case_dir: Path, founder: str) -> tuple[CaseDatabase, CustodyLog]:
    case_dir.mkdir(parents=True, exist_ok=True)
    db = CaseDatabase(case_dir, create=True)
    log = begin_custody(db, founder, PASSPHRASE)
    log.append(actions.CASE_CREATED, details={"number": "2026/0042", "title": "Test case"})
    return db, log


INTAKE = {
    "item": "EXH-1",
    "description": "Seagate laptop drive",
    "device_make": "Seagate",
    "device_model": "ST500LM030",
    "device_serial": "ZDE1234",
    "seized_from": "12 High Street",
    "seized_at": "2026-11-01T09:30:00Z",
    "seized_by": "DC Jones",
    "seal_number": "SB-0001",
    "received_by": "Alice Example",
    "received_at": "2026-11-02T10:00:00Z",
    "storage_location": "Locker 4",
    "acquisition_tool": "ewfacquire 20140608",
    "acquisition_examiner": "Alice Example",
    "acquisition_date": "2026-11-03T08:00:00Z",
    "acquisition_md5": "d41d8cd98f00b204e9800998ecf8427e",
    "acquisition_sha1": None,
    "acquisition_sha256": None,
    "notes": "",
}
