"""Enumeration and processing overlap: workers hash the first committed items while the walk goes on.

The walk is held after its first batch until a worker result is stored (or the job is cancelled): a
pipeline that started processing only after the enumeration would never get there.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event, func, select

from forensics.case.db import CaseDatabase, case_db_path
from forensics.case.models import File, FileSystem, IngestJob
from forensics.core.progress import CancelToken, Progress
from forensics.pipeline import enumerate as enumeration
from forensics.pipeline import feed as feed_module
from forensics.pipeline.feed import PHASE_PROCESSING
from forensics.pipeline.ingest import PHASE_BOTH
from tests.fixtures import FixtureImage, assert_unchanged
from tests.pipeline.helpers import check_facts, ingest, records

GATE_TIMEOUT = 60.0


def _done(db: CaseDatabase) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(File).where(File.status == "done"))


def _record_write_transactions(db: CaseDatabase) -> list[tuple[int, float, float]]:
    """(thread, first write, commit) of every write transaction on ``db`` from now on."""
    done: list[tuple[int, float, float]] = []
    open_since: dict[int, float] = {}

    @event.listens_for(db.engine, "before_cursor_execute")
    def _write(conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            open_since.setdefault(id(conn), time.perf_counter())

    @event.listens_for(db.engine, "commit")
    def _commit(conn) -> None:
        started = open_since.pop(id(conn), None)
        if started is not None:
            done.append((threading.get_ident(), started, time.perf_counter()))

    return done


@pytest.fixture
def held_walk(monkeypatch: pytest.MonkeyPatch) -> Callable[[CaseDatabase], dict]:
    """``held_walk(db)``: the enumeration stops after its first batch until an item of ``db`` is hashed.

    Returns a dict that tells whether the hold was released by a stored result (``released``).
    """
    real_walk = enumeration.walk_steps
    monkeypatch.setattr(enumeration, "BATCH", 300)
    monkeypatch.setattr(enumeration, "FIRST_BATCHES", ())
    monkeypatch.setattr(feed_module, "BATCH_ITEMS", 32)  # the held 300 items go out in several batches
    monkeypatch.setattr(feed_module, "HASH_ONLY_BATCH_ITEMS", 32)
    state: dict = {"released": None}

    def install(db: CaseDatabase) -> dict:
        def walk(db_, evidence_id, *, cancelled=None, **options) -> Iterator[enumeration.Step]:
            held = False
            for step in real_walk(db_, evidence_id, cancelled=cancelled, **options):
                yield step
                if not held and isinstance(step, enumeration.RowsFound):
                    held = True
                    deadline = time.monotonic() + GATE_TIMEOUT
                    while time.monotonic() < deadline and not (cancelled and cancelled()):
                        if _done(db):
                            state["released"] = True
                            break
                        time.sleep(0.01)

        monkeypatch.setattr(enumeration, "walk_steps", walk)
        return state

    return install


def test_workers_hash_while_the_enumeration_runs(
    case_with, fixture_many_files: FixtureImage, held_walk
) -> None:
    db = case_with(fixture_many_files.image)
    state = held_walk(db)
    seen: list[Progress] = []
    transactions = _record_write_transactions(db)

    with assert_unchanged(fixture_many_files.evidence_files):
        outcome = ingest(db, workers=2, on_progress=lambda p: seen.append(dataclasses.replace(p)))
    assert state["released"], "no item was hashed before the enumeration finished"
    assert outcome.status == "finished" and outcome.items_failed == 0
    check_facts(fixture_many_files, records(db))
    # Progress: both phases at once while the walk runs, totals that only grow, a consistent end.
    overlapped = [p for p in seen if p.phase == PHASE_BOTH and p.items_done > 0]
    assert overlapped and overlapped[0].items_total < outcome.items_total
    totals = [p.items_total for p in seen]
    assert totals == sorted(totals)
    assert all(p.items_done <= p.items_total and p.bytes_done <= p.bytes_total for p in seen)
    assert all(p.eta_seconds is None for p in seen if p.phase == PHASE_BOTH)  # no time left from part-totals
    last = seen[-1]
    assert last.phase == PHASE_PROCESSING
    assert last.items_done == last.items_total == outcome.items_total
    assert last.bytes_done == last.bytes_total == outcome.bytes_done
    threads = {thread for thread, _, _ in transactions}
    assert len(threads) == 2, "expected writes from the enumeration thread and the result writer"
    spans = sorted((start, end) for _, start, end in transactions)
    overlapping = [(a, b) for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1]]
    assert not overlapping, "two write transactions were open at once"


def test_cancel_during_the_enumeration_takes_effect_at_once_and_resumes(
    case_with, fixture_many_files: FixtureImage, held_walk
) -> None:
    db = case_with(fixture_many_files.image)
    held_walk(db)
    cancel = CancelToken()
    asked: list[float] = []

    def cancel_once_hashing(progress: Progress) -> None:
        if progress.items_done and not asked:
            asked.append(time.monotonic())
            cancel.cancel()

    with assert_unchanged(fixture_many_files.evidence_files):
        first = ingest(db, workers=2, cancel=cancel, on_progress=cancel_once_hashing)
        stopped_after = time.monotonic() - asked[0]
        with db.session() as s:
            assert not s.scalar(select(FileSystem.enumerated).where(FileSystem.status == "ok").limit(1))
        assert first.status == "cancelled" and 0 < first.items_done < first.items_total
        assert stopped_after < 1.0, f"cancel took {stopped_after:.2f} s"
        second = ingest(db, workers=2)
    assert second.status == "finished" and second.resumed_from == first.job_id
    assert second.items_done == second.items_total > first.items_total
    with db.session() as s:
        assert [j.status for j in s.scalars(select(IngestJob).order_by(IngestJob.id))] == [
            "cancelled",
            "finished",
        ]
        assert all(fs.enumerated for fs in s.scalars(select(FileSystem).where(FileSystem.status == "ok")))
    check_facts(fixture_many_files, records(db))


def test_another_writer_on_the_case_does_not_break_the_ingest(
    case_with, fixture_many_files: FixtureImage, held_walk
) -> None:
    """A second process-like writer (own connection) keeps taking the write lock: no 'database is locked'."""
    db = case_with(fixture_many_files.image)
    held_walk(db)
    stop = threading.Event()
    failures: list[BaseException] = []
    commits = 0

    def other_writer() -> None:
        nonlocal commits
        conn = sqlite3.connect(case_db_path(db.case_dir), timeout=30, isolation_level=None)
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)")
            while not stop.is_set():
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO scratch VALUES (?)", (commits,))
                time.sleep(0.02)  # hold the write lock a while
                conn.execute("COMMIT")
                commits += 1
                time.sleep(0.005)
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    try:
        with assert_unchanged(fixture_many_files.evidence_files):
            outcome = ingest(db, workers=2)
    finally:
        stop.set()
        thread.join(30)
    assert not failures and commits > 10
    assert outcome.status == "finished" and outcome.items_failed == 0
    check_facts(fixture_many_files, records(db))
