"""Fixtures of the custody tests: examiner profiles in a temporary home, and small signed cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from custody_helpers import INTAKE, PASSPHRASE, new_case

from forensics.custody import actions
from forensics.custody.examiners import ExaminerProfile, create_examiner
from forensics.custody.session import open_custody
from forensics.services.custody import add_examiner
from tests.services_helpers import context


@pytest.fixture(autouse=True)
def custos_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own application-data folder and acts through the environment."""
    home = tmp_path / "custos-home"
    monkeypatch.setenv("CUSTOS_HOME", str(home))
    monkeypatch.setenv("CUSTOS_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("CUSTOS_EXAMINER", raising=False)
    monkeypatch.delenv("CUSTOS_FIXED_NOW", raising=False)
    return home


@pytest.fixture
def alice() -> ExaminerProfile:
    return create_examiner("Alice Example", "Metro Police Cyber Unit", "MP-1001", PASSPHRASE)


@pytest.fixture
def bob() -> ExaminerProfile:
    return create_examiner("Bob Sample", "Regional Forensic Lab", "RFL-22", PASSPHRASE)


@pytest.fixture
def two_examiner_case(tmp_path: Path, alice: ExaminerProfile, bob: ExaminerProfile) -> Iterator[Path]:
    """A case of 12 entries: Alice founds it (1), creates it (2), adds Bob (3), then both work."""
    case_dir = tmp_path / "case"
    db, log = new_case(case_dir, alice.name)
    add_examiner(context(db, log), bob.public_record(), "second examiner")
    bob_log = open_custody(db, bob.name, write=True, passphrase=PASSPHRASE)
    log.append(actions.EVIDENCE_INTAKE, item="EXH-1", details=INTAKE)
    locator = {
        "item": "EXH-1",
        "partition_offset": 0,
        "inode": 14,
        "attr_type": 128,
        "attr_id": 1,
        "path": "/DCIM/IMG_0001.JPG",
    }
    bob_log.append(actions.FILE_VIEWED, item="EXH-1", target=locator)
    log.append(actions.NOTE, details={"text": "first look: wiped partition table"})
    bob_log.append(
        actions.FILE_CATEGORISED,
        item="EXH-1",
        target=locator,
        details={"old": None, "new": "B", "reason": "examiner grading"},
    )
    log.append(
        actions.CUSTODY_TRANSFER,
        item="EXH-1",
        details={
            "from": "Alice Example",
            "to": "Evidence store",
            "reason": "end of shift",
            "seal_checked": True,
        },
    )
    bob_log.append(actions.NOTE, details={"text": 'Zoë\'s note with ünïcode and "quotes"\nand a newline'})
    log.append(actions.REPORT_GENERATED, details={"sha256": "ab" * 32, "format": "pdf"})
    bob_log.append(actions.NOTE, item="EXH-1", details={"text": "done"})
    log.append(actions.NOTE, details={"text": "closing"})
    db.close()
    yield case_dir
