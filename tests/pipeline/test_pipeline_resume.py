"""Resumable ingest: kill -9 or Ctrl-C a running `custos ingest`, run it again, get what one run gives."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import pytest

from forensics.case.models import IngestJob
from tests.app.cli_helpers import case_db, cli, custos_process, examiner_env, files_jsonl, new_case, stable
from tests.fixtures import FixtureImage, assert_unchanged

POLL = 0.01
HASH_INDEXES = {"ix_files_md5", "ix_files_sha1", "ix_files_sha256"}
TIMEOUT = 60.0


@pytest.fixture(autouse=True)
def _act_as_examiner(monkeypatch: pytest.MonkeyPatch) -> None:
    examiner_env(monkeypatch)


def _progress(case: Path) -> tuple[int, int]:
    """(items hashed, items to hash) as stored so far, read without writing to the case."""
    try:
        with sqlite3.connect(f"file:{case / 'case.db'}?mode=ro", uri=True, timeout=5) as conn:
            done = conn.execute("SELECT count(*) FROM files WHERE status = 'done'").fetchone()[0]
            total = conn.execute(
                "SELECT count(*) FROM files WHERE status IN ('pending', 'done', 'error')"
            ).fetchone()[0]
    except sqlite3.OperationalError:
        return 0, 0
    return done, total


def _interrupt_midway(case: Path, how: signal.Signals) -> tuple[int, int, str, int]:
    """Start an ingest, wait until some but not all items are hashed, send ``how``.

    Returns the items hashed and to hash when it stopped, its stderr and its exit code.
    """
    # 2 ms per item: thousands of small items would otherwise all be hashed before the signal lands
    process = custos_process("ingest", case, "--workers", "1", env={"CUSTOS_TEST_ITEM_DELAY": "0.002"})
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline and process.poll() is None:
            done, total = _progress(case)
            if 0 < done < total:
                process.send_signal(how)
                break
            time.sleep(POLL)
        else:
            pytest.fail("ingest ended (or hung) before it could be interrupted midway")
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    done, total = _progress(case)
    return done, total, err.decode(), process.returncode


def _prepared_case(capsys, root: Path, image: Path) -> Path:
    case = new_case(capsys, root)
    assert cli(capsys, "evidence", "add", case, image, "--item", "MANY").code == 0
    return case


@pytest.fixture
def reference(tmp_path: Path, capsys, fixture_many_files: FixtureImage) -> list[dict]:
    """The listing of one uninterrupted ingest, in its own case."""
    case = _prepared_case(capsys, tmp_path / "reference", fixture_many_files.image)
    with assert_unchanged(fixture_many_files.evidence_files):
        assert cli(capsys, "ingest", case, "--workers", "2").code == 0
    records = files_jsonl(capsys, case)
    facts = {f["path"]: f for f in fixture_many_files.files()}
    hashed = {
        r["path"]: r["sha256"] for r in records if r["path"] in facts and facts[r["path"]]["kind"] == "file"
    }
    assert hashed == {p: f["sha256"] for p, f in facts.items() if f["kind"] == "file"}
    return records


def _hash_indexes(case: Path) -> set[str]:
    """The hash indexes the case database holds, read without writing to it."""
    with sqlite3.connect(f"file:{case / 'case.db'}?mode=ro", uri=True, timeout=5) as conn:
        names = {row[1] for row in conn.execute("PRAGMA index_list(files)")}
    return names & HASH_INDEXES


def _check_no_duplicates(records: list[dict]) -> None:
    keys = [(r["item"], r["partition_offset"], r["path"]) for r in records]
    assert len(keys) == len(set(keys))
    assert len({r["id"] for r in records}) == len(records)


@pytest.mark.slow
def test_kill_then_rerun_equals_uninterrupted(
    tmp_path: Path, capsys, fixture_many_files: FixtureImage, reference: list[dict]
) -> None:
    case = _prepared_case(capsys, tmp_path / "killed", fixture_many_files.image)
    with assert_unchanged(fixture_many_files.evidence_files):
        done, total, _, code = _interrupt_midway(case, signal.SIGKILL)
        assert 0 < done < total and code == -signal.SIGKILL
        assert _hash_indexes(case) == set()  # dropped for the job, and the job never ended
        run = cli(capsys, "ingest", case, "--workers", "2")
        assert run.code == 0, run.err
        assert _hash_indexes(case) == HASH_INDEXES
    records = files_jsonl(capsys, case)
    _check_no_duplicates(records)
    assert stable(records) == stable(reference)
    with case_db(case) as db, db.session() as s:
        jobs = s.query(IngestJob).order_by(IngestJob.id).all()
        assert [j.status for j in jobs] == ["failed", "finished"]
        assert jobs[1].resumed_from == jobs[0].id


@pytest.mark.slow
def test_cancel_then_resume_equals_uninterrupted(
    tmp_path: Path, capsys, fixture_many_files: FixtureImage, reference: list[dict]
) -> None:
    case = _prepared_case(capsys, tmp_path / "cancelled", fixture_many_files.image)
    with assert_unchanged(fixture_many_files.evidence_files):
        done, total, err, code = _interrupt_midway(case, signal.SIGINT)
        assert 0 < done < total and code == 3
        assert _hash_indexes(case) == HASH_INDEXES  # a cancelled job builds them before it ends
        assert "cancelled; run the same command again to resume" in err
        run = cli(capsys, "ingest", case, "--workers", "2")
        assert run.code == 0, run.err
        again = cli(capsys, "ingest", case, "--workers", "2")  # a finished job rerun changes nothing
        assert again.code == 0
    records = files_jsonl(capsys, case)
    _check_no_duplicates(records)
    assert stable(records) == stable(reference)
    with case_db(case) as db, db.session() as s:
        assert [j.status for j in s.query(IngestJob).order_by(IngestJob.id)] == [
            "cancelled",
            "finished",
            "finished",
        ]
