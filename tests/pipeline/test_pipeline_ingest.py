"""Ingest through the engine API: results, idempotent reruns, resumable enumeration, crashes, hangs."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from sqlalchemy import func, select

from forensics.case.db import CaseDatabase
from forensics.case.models import File, FileSystem, IngestError, IngestJob
from forensics.core.progress import CancelToken, Progress
from forensics.pipeline import enumerate as enumeration
from forensics.pipeline.enumerate import enumerate_evidence
from forensics.pipeline.processing_profiles import ProcessingProfile, load_profile
from tests.fixtures import assert_unchanged
from tests.pipeline.helpers import check_facts as _check_facts
from tests.pipeline.helpers import ingest as _ingest
from tests.pipeline.helpers import records as _records


def test_ingest_hashes_every_file_once_and_rerun_changes_nothing(case_with, fixture_mbr_extended) -> None:
    db = case_with(fixture_mbr_extended.image)
    seen: list[Progress] = []
    with assert_unchanged(fixture_mbr_extended.evidence_files):
        outcome = _ingest(db, on_progress=lambda p: seen.append(dataclasses.replace(p)))
        first = _records(db)
        again = _ingest(db)
    assert outcome.status == "finished" and outcome.items_failed == 0
    assert (
        outcome.items_done == outcome.items_total == sum(1 for r in first.values() if r["status"] == "done")
    )
    assert _records(db) == first
    assert again.items_done == outcome.items_done and again.resumed_from is None
    _check_facts(fixture_mbr_extended, first)
    assert seen and seen[-1].phase == "processing" and seen[-1].items_done == seen[-1].items_total
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(IngestError)) == 0
        assert all(fs.enumerated for fs in s.scalars(select(FileSystem).where(FileSystem.status == "ok")))
        assert s.scalar(select(func.sum(File.bytes_read)).where(File.status == "done")) == outcome.bytes_done


def test_enumeration_resumes_from_the_last_stored_position(
    case_with, fixture_many_files, monkeypatch
) -> None:
    """Cancel after the first committed batch of rows; the rerun stores the rest, none twice."""
    monkeypatch.setattr(enumeration, "BATCH", 500)
    monkeypatch.setattr(enumeration, "FIRST_BATCHES", ())
    db = case_with(fixture_many_files.image)
    with db.session() as s:
        evidence_id = s.scalar(select(FileSystem.evidence_id))
    with assert_unchanged(fixture_many_files.evidence_files):
        assert enumerate_evidence(db, evidence_id, cancelled=lambda: True) is False
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(File)) == 500
        assert enumerate_evidence(db, evidence_id) is True
        resumed = _listing(db)
        reference_db = case_with(fixture_many_files.image)
        enumerate_evidence(reference_db, evidence_id)
        assert resumed == _listing(reference_db)
    assert len(resumed) == len(set(resumed)) > 3000


def test_the_walk_stores_small_batches_first(case_with, fixture_many_files) -> None:
    """The first rows reach the workers after a few dozen items are walked, not after 2,000."""
    db = case_with(fixture_many_files.image)
    with db.session() as s:
        evidence_id = s.scalar(select(FileSystem.evidence_id))
    with assert_unchanged(fixture_many_files.evidence_files):
        sizes = [
            len(step.rows)
            for step in enumeration.walk_steps(db, evidence_id)
            if isinstance(step, enumeration.RowsFound)
        ]
    first = list(enumeration.FIRST_BATCHES)
    assert sizes[: len(first)] == first and first[0] <= 64
    assert (
        all(size == enumeration.BATCH for size in sizes[len(first) : -1]) and sizes[-1] <= enumeration.BATCH
    )


def _listing(db: CaseDatabase) -> list[tuple]:
    with db.session() as s:
        return list(
            s.execute(select(File.seq, File.path, File.inode, File.size, File.status).order_by(File.seq))
        )


def _short_timeout() -> ProcessingProfile:
    return dataclasses.replace(load_profile("hashes"), item_timeout=1.5)


@pytest.mark.parametrize(
    ("variable", "victim", "reason"),
    [
        ("CUSTOS_TEST_CRASH_ON", "readme.txt", "worker process died"),
        ("CUSTOS_TEST_HANG_ON", "Überweisung 2024.txt", "longer than the 1.5 s limit"),
    ],
    ids=["crash", "hang"],
)
def test_a_crashing_or_hanging_worker_fails_only_its_item(
    case_with, fixture_mbr_extended, monkeypatch, variable: str, victim: str, reason: str
) -> None:
    db = case_with(fixture_mbr_extended.image)
    monkeypatch.setenv(variable, victim)
    current: list[str] = []
    with assert_unchanged(fixture_mbr_extended.evidence_files):
        outcome = _ingest(db, _short_timeout(), workers=2, on_progress=lambda p: current.append(p.current))
    assert outcome.status == "finished" and outcome.workers_replaced >= 1
    if variable == "CUSTOS_TEST_HANG_ON":  # progress names the item a worker is stuck on
        assert any(victim in shown for shown in current)
    records = _records(db)
    failed = {key: r for key, r in records.items() if r["status"] == "error"}
    assert {r["name"] for r in failed.values()} == {victim}
    assert all(reason in r["error"] for r in failed.values()) and all(
        r["md5"] is None for r in failed.values()
    )
    assert not [k for k, r in records.items() if r["status"] == "pending"]
    assert outcome.items_failed == len(failed)
    with db.session() as s:
        errors = s.scalars(select(IngestError).where(IngestError.stage == "process")).all()
        assert Counter(e.file_id for e in errors) == Counter(
            s.scalars(select(File.id).where(File.status == "error")).all()
        )
    others = {k: r for k, r in records.items() if r["name"] != victim}
    for fact in fixture_mbr_extended.files():
        path = fact["deleted_name"] if fact["deleted"] else fact["path"]
        row = records[f"{fact['filesystem_offset']}:{path}"]
        if fact["kind"] == "file" and row["name"] != victim:
            assert row["sha256"] == fact["sha256"], path
    assert all(r["status"] in ("done", "no-content") for r in others.values())


def test_cancel_token_stops_and_job_resumes(case_with, fixture_many_files) -> None:
    db = case_with(fixture_many_files.image)
    cancel = CancelToken()

    def stop_after_some(progress: Progress) -> None:
        if "processing" in progress.phase and progress.items_done > 100:
            cancel.cancel()

    with assert_unchanged(fixture_many_files.evidence_files):
        first = _ingest(db, workers=1, cancel=cancel, on_progress=stop_after_some)
        assert first.status == "cancelled" and 0 < first.items_done < first.items_total
        second = _ingest(db, workers=2)
    assert second.status == "finished" and second.resumed_from == first.job_id
    assert second.items_done == second.items_total == first.items_total
    with db.session() as s:
        assert [j.status for j in s.scalars(select(IngestJob).order_by(IngestJob.id))] == [
            "cancelled",
            "finished",
        ]
    _check_facts(fixture_many_files, _records(db))


def test_stored_callback_comes_when_the_rows_are_readable(case_with, fixture_many_files) -> None:
    """``on_batch`` before a batch is stored (for the totals), ``on_stored`` once readers can see it."""
    db = case_with(fixture_many_files.image)
    with db.session() as s:
        evidence_id = s.scalar(select(FileSystem.evidence_id))
    seen: list[tuple[str, int]] = []

    def stored_rows() -> int:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(File))

    batches: list[int] = []

    def on_batch(step) -> None:
        batches.append(len(step.rows))
        seen.append(("batch", stored_rows()))

    with assert_unchanged(fixture_many_files.evidence_files):
        enumerate_evidence(
            db, evidence_id, on_batch=on_batch, on_stored=lambda: seen.append(("stored", stored_rows()))
        )
    before = [count for kind, count in seen if kind == "batch"]
    after = [count for kind, count in seen if kind == "stored"]
    totals = [sum(batches[: index + 1]) for index in range(len(batches))]
    assert before == [0, *totals[:-1]]
    assert after[: len(totals)] == totals  # then one more for the file system's end
