"""The case databases saved by earlier Custos builds (``tests/data/cases``), for every migration test.

Each folder holds ``case.db`` (as that build left it, checkpointed), the examiner profile that signed its
custody log (``home/examiners``) and ``facts.json``: what that build's own command line printed
(``files``, ``findings``, ``custody verify``) and, when it had review tables, the review marks it made.
``scripts/old_cases.py`` builds them; ``tests/data/cases/README.md`` says which commit made each one.

Tests never open a fixture itself: they take a copy (:func:`copy_old_case`), since opening SQLite in WAL
mode writes beside the file, and opening for writing migrates it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from forensics.case.db import CaseDatabase

CASES_DIR = Path(__file__).resolve().parents[1] / "data" / "cases"
OLD_CASES = sorted(p.name for p in CASES_DIR.glob("*") if (p / "facts.json").is_file())

# Cases whose schema differed from what their recorded revision makes today: migration 0001_core was
# edited in place after builds had made cases with it (035d1e2 added the unique index
# uq_files_fs_seq_top, d45cc50 the column files.tasks_mask), so the migrations, which start from the
# recorded revision, never added them, until 0009_repair_early_core did. The schema-dependent tests run
# on them like on every other case; a name here would mark them as expected to fail.
EDITED_IN_PLACE: dict[str, str] = {}


def old_case_params(*, schema_dependent: bool) -> list:
    """``pytest.param`` of every saved case; with ``schema_dependent``, the cases above are xfail (strict).

    Strict: once a migration repairs them, the test passes and pytest says so; then drop them above.
    """
    params = []
    for name in OLD_CASES:
        marks = []
        if schema_dependent and name in EDITED_IN_PLACE:
            marks.append(pytest.mark.xfail(strict=True, reason=EDITED_IN_PLACE[name]))
        params.append(pytest.param(name, marks=marks, id=name))
    return params


def facts_of(name: str) -> dict:
    """What the build that made the case printed (``facts.json``)."""
    return json.loads((CASES_DIR / name / "facts.json").read_text(encoding="utf-8"))


def copy_old_case(name: str, dest: Path) -> Path:
    """Copy a saved case into ``dest/case`` (and its examiner home into ``dest/home``); the case folder."""
    case = dest / "case"
    case.mkdir(parents=True)
    shutil.copyfile(CASES_DIR / name / "case.db", case / "case.db")
    shutil.copytree(CASES_DIR / name / "home", dest / "home", dirs_exist_ok=True)
    return case


def act_as_builder(name: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Act as the examiner who made the case (their profile in ``home``); the case's facts."""
    facts = facts_of(name)
    monkeypatch.setenv("CUSTOS_HOME", str(home))
    monkeypatch.setenv("CUSTOS_EXAMINER", facts["examiner"]["name"])
    monkeypatch.setenv("CUSTOS_PASSPHRASE", facts["examiner"]["passphrase"])
    return facts


def new_or_old_case(name: str | None, dest: Path) -> CaseDatabase:
    """A new empty case (``name`` None) or a copy of a saved one, opened for writing (so migrated)."""
    if name is None:
        return CaseDatabase(dest / "case", create=True)
    return CaseDatabase(copy_old_case(name, dest))


def new_and_old_case_params(*, schema_dependent: bool) -> list:
    """A new case (id ``new``) and every saved case, for a migration test to run on each."""
    return [pytest.param(None, id="new"), *old_case_params(schema_dependent=schema_dependent)]
