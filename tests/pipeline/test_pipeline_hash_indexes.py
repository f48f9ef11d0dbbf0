"""The hash indexes of ``files``: absent while an ingest writes hashes, back when it ends however it ends."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.ingest_indexes import drop_ingest_indexes, hash_indexes, missing_ingest_indexes
from forensics.case.ingest_lock import ingest_lock, ingest_running
from forensics.case.models import Evidence
from forensics.core.progress import CancelToken, Progress
from forensics.pipeline.executor import LocalProcessExecutor
from forensics.pipeline.ingest import PHASE_INDEXING, run_job, start_job
from forensics.pipeline.processing_profiles import load_profile
from forensics.pipeline.tasks import ItemResult, TaskOptions
from tests.pipeline.helpers import records

NAMES = ["ix_files_md5", "ix_files_sha1", "ix_files_sha256"]


def _missing(db: CaseDatabase) -> list[str]:
    with db.engine.connect() as conn:
        return [index.name for index in missing_ingest_indexes(conn)]


def _plan(db: CaseDatabase, column: str) -> str:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN SELECT id FROM files WHERE {column} = 'x'").all()
    return " ".join(str(row[-1]) for row in rows)


class WatchingExecutor(LocalProcessExecutor):
    """The real executor, noting which hash indexes exist when the work starts (or failing there)."""

    def __init__(self, db: CaseDatabase, fail: bool = False) -> None:
        super().__init__(_evidence_path(db), TaskOptions(), 1, 60.0)
        self.db = db
        self.fail = fail
        self.missing_at_start: list[str] | None = None

    def run(self, batches, on_results, cancelled, on_tick=None, on_children=None) -> bool:
        self.missing_at_start = _missing(self.db)
        if self.fail:
            self._shutdown(graceful=False)
            raise RuntimeError("executor failed")
        return super().run(batches, on_results, cancelled, on_tick, on_children)


class ExhaustionWatchingExecutor(LocalProcessExecutor):
    """The real executor, noting the hash indexes when the feed has handed out its last item."""

    def __init__(self, db: CaseDatabase) -> None:
        super().__init__(_evidence_path(db), TaskOptions(), 1, 60.0)
        self.db = db
        self.missing_when_exhausted: list[str] | None = None
        self.results_after: list[ItemResult] = []

    def run(self, batches, on_results, cancelled, on_tick=None, on_children=None) -> bool:
        def watched():
            yield from batches
            self.missing_when_exhausted = _missing(self.db)

        def results(found: list[ItemResult]) -> None:
            if self.missing_when_exhausted is not None:
                self.results_after.extend(found)
            on_results(found)

        return super().run(watched(), results, cancelled, on_tick, on_children)


def _evidence_path(db: CaseDatabase) -> str:
    with db.session() as s:
        return s.scalars(select(Evidence.path)).one()


def test_the_models_declare_one_index_per_hash_column() -> None:
    assert [index.name for index in hash_indexes()] == NAMES


def test_ingest_writes_without_them_and_builds_them_at_its_end(case_with, fixture_mbr_extended) -> None:
    db = case_with(fixture_mbr_extended.image)
    assert _missing(db) == []
    profile = load_profile("hashes")
    job_id, _, _ = start_job(db, "EXH-1", profile, 1)
    executor = WatchingExecutor(db)
    seen: list[Progress] = []
    outcome = run_job(
        db, job_id, profile, 1, executor=executor, on_progress=lambda p: seen.append(dataclasses.replace(p))
    )
    assert outcome.status == "finished" and outcome.items_done > 0
    assert executor.missing_at_start == NAMES
    assert _missing(db) == []
    assert PHASE_INDEXING in [p.phase for p in seen]
    for column, name in zip(("md5", "sha1", "sha256"), NAMES, strict=True):
        assert name in _plan(db, column)
    stored = records(db)
    assert any(r["md5"] for r in stored.values())


def test_they_are_built_once_the_last_item_is_handed_out(case_with, fixture_mbr_extended) -> None:
    """The build overlaps the workers' last batches; the results that arrive after it are stored."""
    db = case_with(fixture_mbr_extended.image)
    profile = load_profile("hashes")
    job_id, _, _ = start_job(db, "EXH-1", profile, 1)
    executor = ExhaustionWatchingExecutor(db)
    outcome = run_job(db, job_id, profile, 1, executor=executor)
    assert outcome.status == "finished" and outcome.items_failed == 0
    assert executor.missing_when_exhausted == []
    assert executor.results_after  # the worker still had a batch when the indexes were built
    with db.engine.connect() as conn:
        for result in executor.results_after:
            status, md5 = conn.exec_driver_sql(
                "SELECT status, md5 FROM files WHERE id = ?", (result.file_id,)
            ).one()
            assert (status, md5) == ("done", result.md5)
            by_index = conn.exec_driver_sql("SELECT id FROM files WHERE md5 = ?", (result.md5,)).scalars()
            assert result.file_id in list(by_index)
    assert _missing(db) == []


def test_a_cancelled_job_builds_them_too(case_with, fixture_mbr_extended) -> None:
    db = case_with(fixture_mbr_extended.image)
    profile = load_profile("hashes")
    job_id, _, _ = start_job(db, "EXH-1", profile, 1)
    cancel = CancelToken()
    cancel.cancel()
    outcome = run_job(db, job_id, profile, 1, cancel=cancel)
    assert outcome.status == "cancelled"
    assert _missing(db) == []


def test_a_failing_job_builds_them_and_still_fails(case_with, fixture_mbr_extended) -> None:
    db = case_with(fixture_mbr_extended.image)
    profile = load_profile("hashes")
    job_id, _, _ = start_job(db, "EXH-1", profile, 1)
    executor = WatchingExecutor(db, fail=True)
    with pytest.raises(RuntimeError, match="executor failed"):
        run_job(db, job_id, profile, 1, executor=executor)
    assert executor.missing_at_start == NAMES
    assert _missing(db) == []


def test_a_case_left_without_them_gets_them_back_when_opened_while_no_ingest_runs(
    case_with, fixture_mbr_extended
) -> None:
    db = case_with(fixture_mbr_extended.image)
    case_dir = db.case_dir
    with db.engine.begin() as conn:  # what a killed ingest leaves behind
        drop_ingest_indexes(conn)
    assert _missing(db) == NAMES
    with ingest_lock(case_dir):  # another process ingesting: opening must not build them
        assert ingest_running(case_dir)
        reopened = CaseDatabase(case_dir)
        assert _missing(reopened) == NAMES
        reopened.close()
    assert not ingest_running(case_dir)
    read_only = CaseDatabase(case_dir, upgrade=False)  # a read-only open changes nothing
    assert _missing(read_only) == NAMES
    read_only.close()
    reopened = CaseDatabase(case_dir)
    assert _missing(reopened) == []
    reopened.close()


def test_ingest_running_reads_the_lock_without_creating_it(tmp_path) -> None:
    assert not ingest_running(tmp_path)
    assert not (tmp_path / ".ingest.lock").exists()
    with ingest_lock(tmp_path):
        assert ingest_running(tmp_path)
    assert not ingest_running(tmp_path)
