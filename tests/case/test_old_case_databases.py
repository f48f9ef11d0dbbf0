"""Cases saved by earlier Custos builds open with this one: refused read-only, migrated, facts kept.

Each saved case (``tests/data/cases``, see ``old_cases.py``) was made by the command line of the commit
where its schema was the newest; ``facts.json`` holds what that build printed. An examiner's case from
last month must open with today's build, migrate to the head revision, and show the same files, findings,
review marks and an intact custody log (same head hash, same number of entries).
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.cli import main
from forensics.case.db import HEAD_REVISION, CaseDatabase, current_revision
from forensics.case.queries import review
from forensics.case.schema import metadata
from forensics.core.errors import CaseError
from forensics.core.local_times import LOCAL_TIME_FS
from tests.case.old_cases import (
    CASES_DIR,
    OLD_CASES,
    act_as_builder,
    copy_old_case,
    facts_of,
    old_case_params,
)
from tests.case.schema_diff import schema_diff

pytestmark = pytest.mark.skipif(not OLD_CASES, reason="no saved cases in tests/data/cases")

EVERY_CASE = old_case_params(schema_dependent=False)
# What reads the files table through the models (the listing, reports, exports) fails on a case whose
# files table lacks a column; see old_cases.EDITED_IN_PLACE.
SCHEMA_DEPENDENT = old_case_params(schema_dependent=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _custos(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[int, str, str]:
    """Run one ``custos`` command of this build in this process: exit status, output, errors."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _fields_of_then(then: list[dict], now: list[dict]) -> list[dict]:
    """Each record of ``now`` cut to the fields its counterpart in ``then`` had (fields added since go)."""
    assert len(now) == len(then)
    return [{key: record.get(key, "<absent>") for key in old} for old, record in zip(then, now, strict=True)]


TIMES = ("mtime", "atime", "ctime", "crtime")


def _as_shown_today(then: list[dict]) -> list[dict]:
    """The old listing with the one change made on purpose since: a time that a FAT/exFAT file system
    stores as local wall-clock time, which the old builds printed with a ``Z``, is now marked local
    (these cases set no source time zone); every other value is expected unchanged."""
    shown = []
    for record in then:
        if record.get("fs_type") in LOCAL_TIME_FS:
            record = dict(record)
            for key in TIMES:
                if isinstance(record.get(key), str) and record[key].endswith("Z"):
                    record[key] = record[key][:-1] + " (local, zone unknown)"
        shown.append(record)
    return shown


def _migrated(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict]:
    """A copy of the saved case, opened once for writing (migrated); its folder and facts."""
    case = copy_old_case(name, tmp_path)
    facts = act_as_builder(name, tmp_path / "home", monkeypatch)
    CaseDatabase(case).close()
    return case, facts


def test_every_saved_case_is_checkpointed_and_records_its_revision() -> None:
    assert OLD_CASES, "scripts/old_cases.py has saved no case"
    for name in OLD_CASES:
        folder = CASES_DIR / name
        assert not [p.name for p in folder.iterdir() if p.name.endswith(("-wal", "-shm", "-journal"))]
        assert list((folder / "home" / "examiners").glob("*.json")), name
        facts = facts_of(name)
        assert name == facts["revision"] or name.startswith(facts["revision"] + "-")
        assert facts["custody_verify"]["ok"] is True, name


@pytest.mark.parametrize("name", EVERY_CASE)
def test_read_only_open_refuses_and_leaves_the_file_unchanged(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    case = copy_old_case(name, tmp_path)
    act_as_builder(name, tmp_path / "home", monkeypatch)
    database = case / "case.db"
    before = _sha256(database)
    assert before == _sha256(CASES_DIR / name / "case.db")
    if facts_of(name)["revision"] == HEAD_REVISION:
        CaseDatabase(case, upgrade=False).close()  # made by this schema: nothing to upgrade
    else:
        with pytest.raises(CaseError, match="needs a schema upgrade; open it once for writing"):
            CaseDatabase(case, upgrade=False)
        code, out, err = _custos(capsys, "files", case, "--jsonl")  # a read-only command says the same
        assert (code, out) == (2, "") and "needs a schema upgrade" in err and "Traceback" not in err
    assert _sha256(database) == before
    assert sorted(p.name for p in case.iterdir()) == ["case.db"]


@pytest.mark.parametrize("name", SCHEMA_DEPENDENT)
def test_migrates_to_the_head_revision_and_equals_the_models(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _facts = _migrated(name, tmp_path, monkeypatch)
    db = CaseDatabase(case)
    try:
        assert current_revision(db.engine) == HEAD_REVISION
        with db.engine.connect() as conn:
            assert schema_diff(conn, metadata) == []
    finally:
        db.close()


@pytest.mark.parametrize("name", EVERY_CASE)
def test_custody_log_stays_intact_through_the_migration(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    case, facts = _migrated(name, tmp_path, monkeypatch)
    code, out, _err = _custos(capsys, "custody", "verify", case, "--json")
    assert code == 0
    verified = json.loads(out)
    # ok, same entries, same head hash, no break (later builds add fields of their own)
    assert {key: verified[key] for key in facts["custody_verify"]} == facts["custody_verify"]
    assert verified["results"] is None  # made before results were sealed: nothing to hold them to


@pytest.mark.parametrize("name", SCHEMA_DEPENDENT)
def test_listing_and_findings_equal_what_the_old_build_printed(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    case, facts = _migrated(name, tmp_path, monkeypatch)
    for command, key in (("files", "files"), ("findings", "findings")):
        code, out, err = _custos(capsys, command, case, "--jsonl")
        assert code == 0, err
        assert _fields_of_then(facts[key], _jsonl(out)) == _as_shown_today(facts[key]), command


@pytest.mark.parametrize("name", [n for n in OLD_CASES if facts_of(n)["review"] is not None])
def test_review_marks_are_kept(name: str, tmp_path: Path, monkeypatch) -> None:
    case, facts = _migrated(name, tmp_path, monkeypatch)
    ids = {record["path"]: record["id"] for record in facts["files"] if record["item"] == "EXH-02"}
    db = CaseDatabase(case)
    try:
        kept = {}
        for path in facts["review"]:
            marks = review.review_of(db, ids[path])
            kept[path] = {
                "category": marks.category,
                "label": marks.category_label,
                "region": marks.region,
                "tags": marks.tags,
                "notes": [list(note) for note in marks.notes],
            }
    finally:
        db.close()
    assert kept == facts["review"]


@pytest.mark.parametrize("name", SCHEMA_DEPENDENT)
def test_report_and_dfxml_export_run_on_the_migrated_case(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    case, facts = _migrated(name, tmp_path, monkeypatch)
    html, dfxml = tmp_path / "report.html", tmp_path / "case.dfxml"
    code, _out, err = _custos(capsys, "report", case, "--html", html)
    assert code == 0, err
    log = [json.loads(line) for line in _custos(capsys, "custody", "log", case, "--jsonl")[1].splitlines()]
    head_at_report = log[-1]["details"]["custody_head_at_generation"]
    assert html.read_text(encoding="utf-8").count(head_at_report[:16]) >= 1
    old_head = log[facts["custody_verify"]["entries"] - 1]["entry_hash"]
    assert old_head == facts["custody_verify"]["head_hash"]  # the old build's entries are all still there
    code, _out, err = _custos(capsys, "export", case, "--dfxml", dfxml)
    assert code == 0, err
    names = [e.text for e in ET.parse(dfxml).getroot().iter() if e.tag.endswith("filename")]
    assert {f["path"].lstrip("/") for f in facts["files"] if f["kind"] == "file"} <= {
        n.lstrip("/") for n in names if n
    }
    # Both outputs were signed into the log, after the entries the old build made.
    code, out, _err = _custos(capsys, "custody", "verify", case, "--json")
    verified = json.loads(out)
    # Opening it for writing gave the case its key (case_key_created); the report and the export follow.
    actions = [
        json.loads(line)["action"]
        for line in _custos(capsys, "custody", "log", case, "--jsonl")[1].splitlines()
    ]
    added = actions[facts["custody_verify"]["entries"] :]
    assert added.count("report_generated") == 2 and set(added) <= {"case_key_created", "report_generated"}
    assert code == 0 and verified["ok"] and verified["entries"] == len(actions)
