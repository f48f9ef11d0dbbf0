"""The case's category region: chosen at creation, changed with a signed event, migrated for old cases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from forensics.case.db import CaseDatabase, alembic_config, case_db_path, current_revision, head_revision
from forensics.case.queries import review
from forensics.core.errors import CaseError
from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.services import cases
from forensics.services.cases import create_case
from tests.case.old_cases import copy_old_case, facts_of, old_case_params
from tests.services_helpers import context

EXAMINER = "Rita Region"
PASSPHRASE = "region passphrase"


def _new_case(folder: Path, region: str):
    ctx = create_case(
        folder,
        number="R-1",
        title="region",
        agency=None,
        examiner=EXAMINER,
        passphrase=PASSPHRASE,
        region=region,
    )
    return ctx.db, ctx.custody


@pytest.fixture
def examiner() -> str:
    create_examiner(EXAMINER, "Lab", "R-9", PASSPHRASE)
    return EXAMINER


def test_region_is_chosen_at_creation_and_signed(examiner, tmp_path: Path) -> None:
    db, log = _new_case(tmp_path / "case", "uk")  # the scheme's own spelling is stored
    try:
        assert review.case_region(db) == "UK"
        created = [e for e in read_entries(db) if e.action == "case_created"]
        assert created[0].details["category_region"] == "UK"
    finally:
        db.close()


def test_default_region_is_us_and_unknown_ones_are_refused_before_anything_is_made(examiner, tmp_path):
    db, _log = _new_case(tmp_path / "case", "US")
    assert review.case_region(db) == "US"
    db.close()
    with pytest.raises(CaseError, match="unknown category region 'Mars'"):
        _new_case(tmp_path / "other", "Mars")
    assert not (tmp_path / "other").exists()


def test_changing_the_region_is_a_custody_event(examiner, tmp_path: Path) -> None:
    db, log = _new_case(tmp_path / "case", "US")
    try:
        assert cases.set_region(context(db, log), "canada") == "Canada"
        assert review.case_region(db) == "Canada"
        before = len(list(read_entries(db)))
        assert cases.set_region(context(db, log), "Canada") == "Canada"  # no change: no event
        assert len(list(read_entries(db))) == before
        with pytest.raises(CaseError, match="unknown category region"):
            cases.set_region(context(db, log), "Atlantis")
        assert review.case_region(db) == "Canada"
        notes = [e for e in read_entries(db) if e.action == "case_region_changed"]
        assert [(n.details["field"], n.details["old"], n.details["new"]) for n in notes] == [
            ("category_region", "US", "Canada")
        ]
        assert notes[0].examiner == EXAMINER
    finally:
        db.close()
    assert verify_case(tmp_path / "case").ok


def _old_case(folder: Path, categorised_regions: list[str]) -> Path:
    """A case database as revision 0005 made it (before the region column), with categories given."""
    folder.mkdir()
    engine = create_engine(f"sqlite:///{case_db_path(folder)}")
    command.upgrade(alembic_config(engine), "0005_review")
    engine.dispose()
    with sqlite3.connect(case_db_path(folder)) as conn:  # foreign keys off: bare rows are enough here
        conn.execute(
            "INSERT INTO case_info (number, title, created_at, custos_version) "
            "VALUES ('OLD-1', 'old', '2026-01-01T00:00:00Z', '0.1')"
        )
        for file_id, region in enumerate(categorised_regions, start=1):
            conn.execute(
                "INSERT INTO review_categories (file_id, region, category, label, examiner, at) "
                "VALUES (?, ?, 1, 'x', 'e', '2026-01-01T00:00:00Z')",
                (file_id, region),
            )
    conn.close()
    return folder


@pytest.mark.parametrize(
    ("regions", "expected"),
    [([], "US"), (["UK", "UK"], "UK"), (["UK", "Canada"], "US")],
    ids=["nothing-categorised", "one-region-in-use", "mixed-regions"],
)
def test_old_cases_migrate_to_the_region_in_use_else_us(tmp_path: Path, regions, expected) -> None:
    folder = _old_case(tmp_path / "old", regions)
    db = CaseDatabase(folder)
    try:
        assert current_revision(db.engine) == head_revision()
        assert review.case_region(db) == expected
    finally:
        db.close()


@pytest.mark.parametrize("saved", old_case_params(schema_dependent=False))
def test_saved_old_cases_keep_their_region(saved: str, tmp_path: Path) -> None:
    """Cases saved by earlier builds: the region they were categorised in (UK), else the default US."""
    facts = facts_of(saved)
    db = CaseDatabase(copy_old_case(saved, tmp_path))
    try:
        assert review.case_region(db) == (facts["review_region"] or "US")
    finally:
        db.close()
