"""Intake records change only through correction events; the current view is derived from the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from custody_helpers import INTAKE, new_case

from forensics.core.errors import CaseError
from forensics.custody import actions
from forensics.custody.intake import current_intake, intake_corrections
from forensics.services.custody import correct_intake, record_transfer
from tests.services_helpers import context


@pytest.fixture
def case(tmp_path: Path, alice):
    db, log = new_case(tmp_path / "case", alice.name)
    log.append(actions.EVIDENCE_INTAKE, item="EXH-1", details=INTAKE)
    yield db, log
    db.close()


def test_current_view_applies_corrections_in_order(case) -> None:
    db, log = case
    assert current_intake(db, "EXH-1") == INTAKE
    correct_intake(context(db, log), "EXH-1", "seal_number", "SB-0002", "typo on the form")
    correct_intake(context(db, log), "EXH-1", "seal_number", "SB-0003", "second bag")
    correct_intake(
        context(db, log), "EXH-1", "acquisition_sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", "from log"
    )
    view = current_intake(db, "EXH-1")
    assert view["seal_number"] == "SB-0003"
    assert view["acquisition_sha1"] == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert {k: v for k, v in view.items() if k not in ("seal_number", "acquisition_sha1")} == {
        k: v for k, v in INTAKE.items() if k not in ("seal_number", "acquisition_sha1")
    }
    history = intake_corrections(db, "EXH-1")
    assert [(c["field"], c["old"], c["new"], c["reason"]) for c in history[:2]] == [
        ("seal_number", "SB-0001", "SB-0002", "typo on the form"),
        ("seal_number", "SB-0002", "SB-0003", "second bag"),
    ]
    assert history[0]["examiner"] == "Alice Example"


@pytest.mark.parametrize(
    ("item", "field", "value", "reason", "message"),
    [
        ("EXH-9", "seal_number", "X", "r", "no intake record"),
        ("EXH-1", "item", "EXH-2", "r", "not a correctable"),
        ("EXH-1", "colour", "red", "r", "not a correctable"),
        ("EXH-1", "seal_number", "X", "  ", "needs a reason"),
        ("EXH-1", "seal_number", "SB-0001", "r", "nothing to correct"),
        ("EXH-1", "acquisition_md5", "xyz", "r", "32 hexadecimal"),
    ],
)
def test_bad_corrections_are_refused(case, item, field, value, reason, message) -> None:
    db, log = case
    with pytest.raises(CaseError, match=message):
        correct_intake(context(db, log), item, field, value, reason)
    assert intake_corrections(db, "EXH-1") == []


def test_a_field_can_be_cleared(case) -> None:
    db, log = case
    correct_intake(context(db, log), "EXH-1", "storage_location", None, "item returned")
    assert current_intake(db, "EXH-1")["storage_location"] is None


def test_transfer_records_who_why_and_seal(case) -> None:
    db, log = case
    entry = record_transfer(
        context(db, log),
        "EXH-1",
        from_person="Alice Example",
        to_person="Store",
        reason="shift end",
        seal_checked=True,
        seal_number="SB-0001",
    )
    assert entry.details == {
        "from": "Alice Example",
        "to": "Store",
        "reason": "shift end",
        "seal_checked": True,
        "seal_number": "SB-0001",
    }
    with pytest.raises(CaseError, match="no intake record"):
        record_transfer(
            context(db, log), "EXH-2", from_person="A", to_person="B", reason="r", seal_checked=False
        )
    with pytest.raises(CaseError, match="needs: reason"):
        record_transfer(
            context(db, log), "EXH-1", from_person="A", to_person="B", reason="", seal_checked=False
        )
