"""The indexes an ingest drops while it writes, on both case stores; on PostgreSQL, updates on the page.

On SQLite an ingest drops the three hash indexes; on PostgreSQL also the status index, and ``files`` is
filled to 40 % (migration 0017), so that the writer's updates stay on their page and touch no index
(PostgreSQL's "HOT" updates, counted by the server in ``pg_stat_user_tables``).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from forensics.case.db import CaseDatabase
from forensics.case.ingest_indexes import create_ingest_indexes, drop_ingest_indexes
from forensics.case.ingest_mark import IngestMark, ingest_marked
from forensics.case.location import POINTER_NAME, read_pointer
from forensics.pipeline.tasks import ItemResult
from forensics.pipeline.writer import BatchWriter
from tests.backends import CaseBackend
from tests.pipeline.helpers import check_facts, ingest, records
from tests.pipeline.test_pipeline_hash_indexes import NAMES, WatchingExecutor, _missing

pytestmark = pytest.mark.usefixtures("case_backend")


def test_the_ingest_drops_its_indexes_and_builds_them_again(case_with, case_backend, fixture_mbr_extended):
    db = case_with(fixture_mbr_extended.image)
    executor = WatchingExecutor(db)
    outcome = ingest(db, executor=executor)
    assert outcome.status == "finished" and outcome.items_failed == 0
    expected = [*NAMES, "ix_files_status"] if case_backend.is_postgres else NAMES
    assert sorted(executor.missing_at_start or []) == sorted(expected)
    assert _missing(db) == []
    check_facts(fixture_mbr_extended, records(db))


def _database(db: CaseDatabase) -> str:
    return str(make_url(read_pointer(db.case_dir) or "").database)


def test_on_postgresql_the_writers_updates_stay_on_their_page(tmp_path, case_backend: CaseBackend) -> None:
    """20,000 pending rows stored as the enumeration stores them, then their results through the ingest's
    writer with the ingest's indexes dropped: nearly every update stays on its page."""
    if not case_backend.is_postgres:
        pytest.skip("PostgreSQL's in-page updates")
    from bench.bench_writer import digests, new_case  # a phone's small files, in the enumeration's batches

    count = 20_000
    db, evidence_id, job_id = new_case(tmp_path / "case", count)  # on the test's server (CUSTOS_CASE_SERVER)
    database = _database(db)
    with db.engine.begin() as conn:
        drop_ingest_indexes(conn)
    writer = BatchWriter(db, evidence_id, job_id)
    for start in range(1, count + 1, 64):
        writer.add(
            [
                ItemResult(i, "done", *digests(i), 4096, tasks_mask=1)
                for i in range(start, min(start + 64, count + 1))
            ]
        )
    writer.flush()
    with db.engine.begin() as conn:
        create_ingest_indexes(conn)
    assert writer.items_written == count
    db.close()  # the server counts a connection's updates when it ends
    engine = case_backend.admin_engine(database)
    try:
        with engine.connect() as conn:
            options = conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = 'files'")).scalar()
            deadline = time.monotonic() + 10
            while True:
                conn.execute(text("SELECT pg_stat_clear_snapshot()"))
                updated, in_page = conn.execute(
                    text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'files'")
                ).one()
                if updated >= count or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
    finally:
        engine.dispose()
    assert "fillfactor=40" in (options or [])
    assert updated >= count
    assert in_page >= 0.95 * count, (updated, in_page)


def test_a_server_case_opened_elsewhere_while_an_ingest_runs_keeps_its_indexes_dropped(
    tmp_path, case_backend: CaseBackend
) -> None:
    """Another examiner's folder of the same server case, opened for writing while an ingest holds the
    mark (from any machine): the dropped indexes stay dropped; opened after it, they are built again."""
    if not case_backend.is_postgres:
        pytest.skip("the mark is the server's; a SQLite case has the folder's ingest lock")
    db = CaseDatabase(tmp_path / "mine", create=True)
    other_folder = tmp_path / "theirs"
    other_folder.mkdir()
    (other_folder / POINTER_NAME).write_bytes((db.case_dir / POINTER_NAME).read_bytes())
    with db.engine.begin() as conn:
        drop_ingest_indexes(conn)
    mark = IngestMark(db)
    try:
        with db.engine.connect() as conn:
            assert ingest_marked(conn)
        CaseDatabase(other_folder).close()
        assert sorted(_missing(db)) == sorted([*NAMES, "ix_files_status"])
    finally:
        mark.release()
    with db.engine.connect() as conn:
        assert not ingest_marked(conn)
    CaseDatabase(other_folder).close()
    assert _missing(db) == []
    db.close()
