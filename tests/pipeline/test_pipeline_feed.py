"""The executor's feed of pending items, and the writer's once-only results (no worker processes)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.models import File, FileSystem
from forensics.core.progress import Progress
from forensics.pipeline import feed as feed_module
from forensics.pipeline.enumerate import enumerate_evidence
from forensics.pipeline.feed import PendingFeed
from forensics.pipeline.ingest import PHASE_BOTH, start_job
from forensics.pipeline.processing_profiles import load_profile
from forensics.pipeline.tasks import HASHED, ItemResult
from forensics.pipeline.writer import BatchWriter
from tests.fixtures import FixtureImage, assert_unchanged

# The engine on both case stores (tests/backends.py).
pytestmark = pytest.mark.usefixtures("case_backend")


class FakeEnumeration:
    """Stands in for the background enumeration: it stores nothing more, and ends when told."""

    def __init__(self, ended: bool) -> None:
        self.ended = ended
        self.waited: list[float] = []

    def wait(self, timeout: float) -> None:
        self.waited.append(timeout)

    def take_found(self) -> tuple[int, int]:
        return 0, 0


def _enumerated(case_with, fixture: FixtureImage) -> tuple[CaseDatabase, int]:
    db = case_with(fixture.image)
    with db.session() as s:
        evidence_id = s.scalar(select(FileSystem.evidence_id))
    with assert_unchanged(fixture.evidence_files):
        assert enumerate_evidence(db, evidence_id)
    return db, evidence_id


def _pending(db: CaseDatabase) -> list[tuple[int, int]]:
    with db.session() as s:
        return list(s.execute(select(File.id, File.size).where(File.status == "pending").order_by(File.id)))


def test_feed_hands_out_every_pending_item_once_in_bounded_batches(
    case_with, fixture_mbr_extended: FixtureImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, evidence_id = _enumerated(case_with, fixture_mbr_extended)
    pending = _pending(db)
    sizes = sorted(size or 0 for _, size in pending)
    limit = sizes[len(sizes) // 2] + 1  # about half the items fit twice in a batch, the biggest fit alone
    monkeypatch.setattr(feed_module, "BATCH_ITEMS", 3)
    monkeypatch.setattr(feed_module, "BATCH_BYTES", limit)
    monkeypatch.setattr(feed_module, "PAGE", 4)  # several pages
    progress = Progress()
    feed = PendingFeed(db, evidence_id, "EXH-1", FakeEnumeration(ended=True), progress)
    batches = list(feed)
    assert [item.file_id for batch in batches for item in batch] == [fid for fid, _ in pending]
    for batch in batches:
        assert 1 <= len(batch) <= 3
        assert len(batch) == 1 or sum(item.size for item in batch) <= limit
    assert any(len(batch) == 1 and batch[0].size > limit for batch in batches)
    assert progress.items_total == len(pending) and progress.bytes_total == sum(sizes)
    assert progress.items_done == 0


def test_feed_says_none_ready_while_the_enumeration_runs(
    case_with, fixture_mbr_extended: FixtureImage
) -> None:
    db, evidence_id = _enumerated(case_with, fixture_mbr_extended)
    with db.session() as s:  # every item already processed: nothing to hand out yet
        s.execute(File.__table__.update().where(File.status == "pending").values(status="done"))
    enumeration = FakeEnumeration(ended=False)
    progress = Progress(phase=PHASE_BOTH)
    feed = PendingFeed(db, evidence_id, "EXH-1", enumeration, progress)
    assert next(feed) == [] and next(feed) == []
    assert max(enumeration.waited) > 0  # it gave the enumeration a moment instead of spinning
    assert progress.phase == PHASE_BOTH
    enumeration.ended = True
    with pytest.raises(StopIteration):
        next(feed)
    assert progress.phase == "processing"


def test_writer_stores_and_counts_a_repeated_result_once(
    case_with, fixture_mbr_extended: FixtureImage
) -> None:
    db, evidence_id = _enumerated(case_with, fixture_mbr_extended)
    (first, size), (second, _) = _pending(db)[:2]
    job_id, _, _ = start_job(db, "EXH-1", load_profile("hashes"), 1)
    writer = BatchWriter(db, evidence_id, job_id, max_rows=1)
    result = ItemResult(first, "done", "a" * 32, "b" * 40, "c" * 64, size or 0)
    writer.add([result])
    writer.add([result, ItemResult(second, "error", error="unreadable")])
    writer.add([result])
    writer.flush()
    assert (writer.items_written, writer.errors_written, writer.buffered_items, writer.buffered_bytes) == (
        2,
        1,
        0,
        0,
    )
    assert writer.bytes_written == (size or 0)
    with db.session() as s:
        stored = {f.id: f for f in s.scalars(select(File).where(File.id.in_([first, second])))}
    assert (stored[first].status, stored[first].md5, stored[second].status) == ("done", "a" * 32, "error")


def test_a_first_pass_result_stores_digests_and_leaves_the_item_pending(
    case_with, fixture_mbr_extended: FixtureImage
) -> None:
    """A first pass (``hashed``) is stored at once and told to the matcher; the item stays pending, is
    not counted as done, and never replaces its whole result (whichever comes first)."""
    db, evidence_id = _enumerated(case_with, fixture_mbr_extended)
    (first, size), (second, _) = _pending(db)[:2]
    job_id, _, _ = start_job(db, "EXH-1", load_profile("triage"), 1)
    writer = BatchWriter(db, evidence_id, job_id, max_rows=1000, max_delay=3600)
    told: list[list[int]] = []
    writer.on_stored = told.append
    digests = ("a" * 32, "b" * 40, "c" * 64, size or 0)
    writer.add([ItemResult(first, HASHED, *digests)])  # stored at once, not when due
    assert told == [[first]] and (writer.items_written, writer.hashed_written, writer.buffered_items) == (
        0,
        1,
        0,
    )
    with db.session() as s:
        row = s.get(File, first)
        assert row is not None and (row.status, row.md5, row.tasks_mask) == ("pending", "a" * 32, 0)
    whole = ItemResult(first, "done", *digests, tasks_mask=5)
    late = ItemResult(second, HASHED, "d" * 32, "e" * 40, "f" * 64, 1)
    writer.add([ItemResult(second, "done", "d" * 32, "e" * 40, "f" * 64, 1), whole])
    writer.add([late])  # the second item's first pass comes after its whole result: ignored
    writer.add([ItemResult(first, HASHED, *digests)])
    writer.flush()
    with db.session() as s:
        stored = {f.id: f for f in s.scalars(select(File).where(File.id.in_([first, second])))}
    assert (stored[first].status, stored[first].tasks_mask, stored[second].status) == ("done", 5, "done")
    assert (writer.items_written, writer.buffered_items) == (2, 0)
    assert writer.bytes_written == (size or 0) + 1


@pytest.mark.parametrize(("hash_only", "expected"), [(False, 3), (True, 5)])
def test_a_job_that_only_hashes_gets_larger_batches(
    case_with,
    fixture_mbr_extended: FixtureImage,
    monkeypatch: pytest.MonkeyPatch,
    hash_only: bool,
    expected: int,
) -> None:
    """Batches of many small items outlast a commit of the writer; jobs with analysis keep fewer items."""
    db, evidence_id = _enumerated(case_with, fixture_mbr_extended)
    pending = _pending(db)
    assert len(pending) > 10
    monkeypatch.setattr(feed_module, "BATCH_ITEMS", 3)
    monkeypatch.setattr(feed_module, "HASH_ONLY_BATCH_ITEMS", 5)
    monkeypatch.setattr(feed_module, "BATCH_BYTES", 1 << 40)
    feed = PendingFeed(db, evidence_id, "EXH-1", FakeEnumeration(ended=True), Progress(), hash_only=hash_only)
    batches = list(feed)
    assert max(len(batch) for batch in batches) == expected
    assert [item.file_id for batch in batches for item in batch] == [fid for fid, _ in pending]
