"""Refusals that protect a case: one ingest at a time, split images from their first segment,
read errors during verification recorded as a result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from forensics.case.ingest_lock import IngestBusy, ingest_lock
from forensics.case.models import Verification
from tests.app.cli_helpers import case_db, cli, examiner_env, new_case
from tests.fixtures import assert_unchanged

DATA = Path(__file__).resolve().parents[1] / "data"


def test_second_ingest_on_the_same_case_is_refused(tmp_path, capsys, monkeypatch):
    examiner_env(monkeypatch)
    case = new_case(capsys, tmp_path / "case")
    image = DATA / "dfvfs" / "ext2.E01"
    with assert_unchanged([image]):
        assert cli(capsys, "evidence", "add", case, image, "--item", "EXH-1").code == 0
        with ingest_lock(case):  # as if another process were ingesting
            run = cli(capsys, "ingest", case, "--workers", "1")
        assert run.code == 2
        assert "another ingest is already running" in run.err
        assert len(run.err.strip().splitlines()) == 1
        assert cli(capsys, "ingest", case, "--workers", "1").code == 0  # free again afterwards


def test_lock_is_exclusive(tmp_path):
    with ingest_lock(tmp_path), pytest.raises(IngestBusy), ingest_lock(tmp_path):
        pass


def test_split_raw_from_a_later_segment_is_refused(tmp_path, capsys, monkeypatch):
    examiner_env(monkeypatch)
    case = new_case(capsys, tmp_path / "case")
    later = DATA / "dfvfs" / "ext2.splitraw.001"
    with assert_unchanged([later]):
        run = cli(capsys, "evidence", "add", case, later, "--item", "EXH-1")
    assert run.code == 2
    assert "not the first segment" in run.err and "ext2.splitraw.000" in run.err


def test_media_read_error_during_verify_is_recorded(tmp_path, capsys, monkeypatch):
    examiner_env(monkeypatch)
    case = new_case(capsys, tmp_path / "case")
    image = tmp_path / "copy.E01"
    shutil.copyfile(DATA / "dfvfs" / "ext2.split.E01", image)
    shutil.copyfile(DATA / "dfvfs" / "ext2.split.E02", tmp_path / "copy.E02")
    assert cli(capsys, "evidence", "add", case, image, "--item", "EXH-1").code == 0
    # The second segment disappears after intake (a failing drive, an unplugged disk...).
    (tmp_path / "copy.E02").unlink()
    run = cli(capsys, "verify", case, "--item", "EXH-1")
    assert run.code == 2
    with case_db(case) as db, db.session() as s:
        rows = s.scalars(select(Verification)).all()
    assert [r.result for r in rows] == ["match", "error"]  # evidence add verified while it could
    assert rows[1].error
    log = cli(capsys, "custody", "log", case, "--jsonl")
    events = [json.loads(line) for line in log.out.splitlines()]
    assert [e["action"] for e in events[-2:]] == ["acquisition_verified", "results_sealed"]
    assert events[-2]["details"]["result"] == "error"
