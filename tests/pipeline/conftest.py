"""Fixtures of the pipeline tests: a case database with one evidence item, without the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from forensics.case.db import CaseDatabase
from forensics.case.store import record_evidence
from forensics.evidence.survey import survey_image
from tests.fixtures import sha256_of


@pytest.fixture
def case_with(tmp_path: Path) -> Iterator[Callable[[Path], CaseDatabase]]:
    """``case_with(image)``: a new case database holding ``image`` as evidence item ``EXH-1``.

    Every image handed over is checked unchanged (SHA-256 before intake, after the test).
    """
    opened: list[CaseDatabase] = []
    before: dict[Path, str] = {}

    def make(image: Path) -> CaseDatabase:
        before.setdefault(image, sha256_of(image))
        db = CaseDatabase(tmp_path / f"case{len(opened)}", create=True)
        opened.append(db)
        with db.session() as s:
            record_evidence(s, "EXH-1", survey_image(image), {}, "Alice Example")
        return db

    yield make
    for db in opened:
        db.close()
    changed = [str(image) for image, digest in before.items() if sha256_of(image) != digest]
    assert not changed, f"evidence modified: {changed}"
