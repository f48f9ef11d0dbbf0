"""An ingest job: enumerate the evidence, process pending items in workers, write results, resume.

The enumeration and the processing overlap: the workers start with the job and take the first
items the enumeration commits, while the walk goes on in a thread. Kill the
process at any moment and run again: enumeration continues from the last stored walk position and
processing from the items still ``pending``; the result equals an uninterrupted run.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select, update

from forensics.case.db import CaseDatabase
from forensics.case.hash_indexes import create_hash_indexes, drop_hash_indexes
from forensics.case.models import Evidence, File, FileSystem, IngestError, IngestJob
from forensics.case.store import get_evidence
from forensics.pipeline.enumerate import BackgroundEnumeration
from forensics.pipeline.executor import Executor, LocalProcessExecutor, WorkerProcesses
from forensics.pipeline.profiles import Profile
from forensics.pipeline.progress import CancelToken, Progress
from forensics.pipeline.tasks import ItemResult, TaskOptions, WorkItem
from forensics.pipeline.writer import BatchWriter
from forensics.timeutil import utc_now_iso

BATCH_ITEMS = 256  # items per batch of a job with analysis tasks (an item may be a picture to decode)
# Items per batch of a job that only hashes: where an image keeps its small files a batch then lasts
# longer than a commit of the writer, which no longer leaves the workers waiting (BENCHMARKS.md).
HASH_ONLY_BATCH_ITEMS = 1024
BATCH_BYTES = 64 * 1024 * 1024
PAGE = 2000
IDLE_WAIT = 0.05  # seconds the feed waits for the enumeration when it has no item to hand out
# The next page of pending items after a given id, in id order (with where their file system lies).
PENDING_PAGE = (
    "SELECT f.id, f.name, f.size, f.path, f.inode, f.attr_type, f.attr_id, f.stream, s.offset, s.fs_type "
    f"FROM {File.__tablename__} AS f JOIN {FileSystem.__tablename__} AS s ON f.filesystem_id = s.id "
    "WHERE f.evidence_id = ? AND f.status = 'pending' AND f.id > ? ORDER BY f.id LIMIT ?"
)
PHASE_BOTH = "enumerating + processing"
PHASE_PROCESSING = "processing"
PHASE_INDEXING = "indexing hashes"


@dataclass
class IngestOutcome:
    """How a job ended, with its counts (for the custody log and the front end)."""

    job_id: int
    status: str  # finished | cancelled
    resumed_from: int | None
    items_total: int
    items_done: int
    items_failed: int
    bytes_done: int
    workers_replaced: int
    # What the enumeration of this job recorded about whole file systems (a walk error, damaged chunks)
    listing_problems: list[str] = field(default_factory=list)

    def counts(self) -> dict:
        return {
            "job_id": self.job_id,
            "items_total": self.items_total,
            "items_done": self.items_done,
            "items_failed": self.items_failed,
            "bytes_done": self.bytes_done,
            "workers_replaced": self.workers_replaced,
            "resumed_from": self.resumed_from,
            "listing_problems": len(self.listing_problems),
        }


def start_job(db: CaseDatabase, item: str, profile: Profile, workers: int) -> tuple[int, int, int | None]:
    """Create the job row; returns (job id, evidence id, id of the interrupted job it resumes)."""
    with db.session() as s:
        evidence = get_evidence(s, item)
        previous = s.scalar(
            select(IngestJob).where(IngestJob.evidence_id == evidence.id).order_by(IngestJob.id.desc())
        )
        resumed_from = None
        if previous is not None and previous.status in ("running", "cancelled", "failed"):
            resumed_from = previous.id
            if previous.status == "running":  # the process running it was killed
                previous.status = "failed"
                previous.error = previous.error or "interrupted (process ended before the job finished)"
        job = IngestJob(
            evidence_id=evidence.id,
            profile=profile.name,
            workers=workers,
            started_at=utc_now_iso(),
            status="running",
            resumed_from=resumed_from,
        )
        s.add(job)
        s.flush()
        return job.id, evidence.id, resumed_from


def run_job(
    db: CaseDatabase,
    job_id: int,
    profile: Profile,
    workers: int,
    *,
    cancel: CancelToken | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    executor: Executor | None = None,
    processes: WorkerProcesses | None = None,
) -> IngestOutcome:
    """Run (or resume) a created job to its end or until cancelled.

    The workers start at once and the enumeration runs beside them in a thread: workers get the
    first items as soon as the enumeration has committed them. The enumeration's inserts and this
    thread's result writes share one lock: one write transaction at a time, never two racing for
    SQLite's lock. ``processes``: workers started earlier, used by the default executor.
    """
    cancel = cancel or CancelToken()
    with db.session() as s:
        job = s.get(IngestJob, job_id)
        evidence = s.get(Evidence, job.evidence_id)
        evidence_id, evidence_path, item, resumed_from = (
            evidence.id,
            evidence.path,
            evidence.item,
            job.resumed_from,
        )
    options = TaskOptions(profile.analysis_tasks, profile.reduced_decode)
    _requeue_for_missing_tasks(db, evidence_id, options.mask)
    progress = Progress(phase=PHASE_BOTH, totals_growing=True)
    write_lock = threading.Lock()  # one write transaction at a time: enumeration or results
    enumeration = BackgroundEnumeration(db, evidence_id, job_id, write_lock)
    writer = BatchWriter(db, evidence_id, job_id, write_lock=write_lock)

    def index_while_last_batches_run() -> None:
        # Every item is handed out: what waits is stored and the hash indexes are built while the
        # workers end their last batches (the few results still to come update them row by row).
        writer.flush()
        with write_lock, db.engine.begin() as conn:
            create_hash_indexes(conn)

    feed = PendingFeed(
        db,
        evidence_id,
        item,
        enumeration,
        progress,
        on_exhausted=index_while_last_batches_run,
        hash_only=not options.analysis_tasks,
    )
    base_items, base_bytes = progress.items_done, progress.bytes_done
    executor = executor or LocalProcessExecutor(
        evidence_path, options, workers, profile.item_timeout, processes=processes
    )

    def tick() -> None:
        feed.pump()
        writer.flush_if_due()  # results reach the case even while no new ones arrive
        progress.items_done = base_items + writer.items_written + writer.buffered_items
        progress.bytes_done = base_bytes + writer.bytes_written + writer.buffered_bytes
        progress.errors = writer.errors_written
        progress.current = ", ".join(work.locator.get("path") or work.name for work in executor.busy_items())
        if on_progress:
            on_progress(progress)

    def on_results(results: list[ItemResult]) -> None:
        writer.add(results)
        tick()

    executor.start()  # the workers' spawn and imports overlap the enumeration
    with db.engine.begin() as conn:  # hashes are written row by row: index them once, at the end
        drop_hash_indexes(conn)
    try:
        enumeration.start()
        finished = executor.run(feed, on_results, lambda: cancel.cancelled, tick)
        writer.flush()
    finally:
        enumeration.stop()
        try:
            if on_progress:
                on_progress(replace(progress, phase=PHASE_INDEXING, current=""))
        finally:
            # an enumeration thread still ending (stop timed out) is kept out by the lock
            with write_lock, db.engine.begin() as conn:
                create_hash_indexes(conn)
    tick()
    with write_lock:
        return _finish(
            db,
            job_id,
            evidence_id,
            "finished" if finished else "cancelled",
            resumed_from,
            getattr(executor, "replaced", 0),
        )


class PendingFeed:
    """The executor's batches: pending items in id order, while the enumeration may still add some.

    Each batch holds at most ``BATCH_ITEMS`` items (``HASH_ONLY_BATCH_ITEMS`` with ``hash_only``) and
    ``BATCH_BYTES`` bytes (a bigger item goes alone). An empty batch means that none is ready yet (the
    enumeration has not stored more): the executor asks again. :meth:`pump` grows the progress totals
    by what the enumeration has stored.
    ``on_exhausted`` is called once, when the last item has been handed out.
    """

    def __init__(
        self,
        db: CaseDatabase,
        evidence_id: int,
        item: str,
        enumeration: BackgroundEnumeration,
        progress: Progress,
        on_exhausted: Callable[[], None] | None = None,
        hash_only: bool = False,
    ) -> None:
        self.db = db
        self.hash_only = hash_only
        self._on_exhausted = on_exhausted
        self.evidence_id = evidence_id
        self.item = item
        self.enumeration = enumeration
        self.progress = progress
        self.enumerated = False  # the enumeration has ended and every item it stored is counted
        self._ready: deque[WorkItem] = deque()
        self._last_id = 0
        (progress.items_total, progress.bytes_total, progress.items_done, progress.bytes_done) = _totals(
            db, evidence_id
        )

    def pump(self, wait: float = 0.0) -> None:
        """Count the items the enumeration has stored (waiting up to ``wait`` s for a new batch)."""
        if wait and not self.enumeration.ended:
            self.enumeration.wait(wait)
        ended = self.enumeration.ended  # read before the counts: nothing stored after it is missed
        items, size = self.enumeration.take_found()
        self.progress.items_total += items
        self.progress.bytes_total += size
        if ended:
            self.enumerated = True
            self.progress.phase = PHASE_PROCESSING
            self.progress.totals_growing = False

    def __iter__(self) -> Iterator[list[WorkItem]]:
        return self

    def __next__(self) -> list[WorkItem]:
        batch: list[WorkItem] = []
        batch_bytes = 0
        max_items = HASH_ONLY_BATCH_ITEMS if self.hash_only else BATCH_ITEMS
        while True:
            if not self._ready and not self._refill():
                if batch or not self.enumerated:
                    return batch
                if self._on_exhausted is not None:
                    exhausted, self._on_exhausted = self._on_exhausted, None
                    exhausted()
                raise StopIteration
            size = self._ready[0].size
            if batch and (len(batch) >= max_items or batch_bytes + size > BATCH_BYTES):
                return batch
            batch.append(self._ready.popleft())
            batch_bytes += size

    def _refill(self) -> bool:
        """Read the next page of pending items; False when there are none (yet)."""
        self.pump()
        was_enumerated = self.enumerated  # decided before the read: the read then sees every item
        if not self._read_page() and not was_enumerated:
            self.pump(wait=IDLE_WAIT)  # nothing to hand out: give the enumeration a moment
            self._read_page()
        return bool(self._ready)

    def _read_page(self) -> bool:
        with self.db.engine.connect() as conn:  # a plain read: no ORM session, no result processing
            rows = conn.exec_driver_sql(PENDING_PAGE, (self.evidence_id, self._last_id, PAGE)).fetchall()
        item, ready = self.item, self._ready
        for fid, name, size, path, inode, attr_type, attr_id, stream, offset, fs_type in rows:
            locator = {
                "item": item,
                "partition_offset": None if fs_type == "logical" else offset,
                "inode": inode,
                "attr_type": attr_type,
                "attr_id": attr_id,
                "stream": stream,
                "path": path,
                "fs_type": None if fs_type == "logical" else fs_type,
            }
            ready.append(WorkItem(fid, locator, name, size or 0))
        if rows:
            self._last_id = rows[-1][0]
        return bool(rows)


def _requeue_for_missing_tasks(db: CaseDatabase, evidence_id: int, mask: int) -> int:
    """Items done by an earlier, poorer profile go back to pending to get this profile's tasks."""
    if not mask:
        return 0
    with db.session() as s:
        result = s.execute(
            update(File)
            .where(
                File.evidence_id == evidence_id,
                File.status == "done",
                File.tasks_mask.op("&")(mask) != mask,
            )
            .values(status="pending")
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


def _totals(db: CaseDatabase, evidence_id: int) -> tuple[int, int, int, int]:
    """(items to process, their bytes, items already done, bytes already done) for progress."""
    with db.session() as s:
        rows = s.execute(
            select(File.status, func.count(), func.coalesce(func.sum(File.size), 0))
            .where(File.evidence_id == evidence_id, File.status.in_(["pending", "done", "error"]))
            .group_by(File.status)
        ).all()
    by = {status: (count, size) for status, count, size in rows}
    total_items = sum(c for c, _ in by.values())
    total_bytes = sum(b for _, b in by.values())
    done_items = by.get("done", (0, 0))[0] + by.get("error", (0, 0))[0]
    done_bytes = by.get("done", (0, 0))[1] + by.get("error", (0, 0))[1]
    return total_items, int(total_bytes), done_items, int(done_bytes)


def _finish(db, job_id, evidence_id, status, resumed_from, replaced) -> IngestOutcome:
    with db.session() as s:
        by_status = s.execute(  # one pass over the item's rows
            select(File.status, func.count(), func.coalesce(func.sum(File.bytes_read), 0))
            .where(File.evidence_id == evidence_id)
            .group_by(File.status)
        ).all()
        counts = {status: count for status, count, _ in by_status}
        done_bytes = sum(read for _, _, read in by_status)
        total = sum(counts.get(k, 0) for k in ("pending", "done", "error"))
        done = counts.get("done", 0)
        failed = counts.get("error", 0)
        s.execute(
            update(IngestJob)
            .where(IngestJob.id == job_id)
            .values(
                status=status,
                finished_at=utc_now_iso(),
                items_total=total,
                items_done=done,
                items_failed=failed,
                bytes_total=None,
                bytes_done=done_bytes,
            )
        )
        problems = list(
            s.scalars(
                select(IngestError.message)
                .where(IngestError.job_id == job_id, IngestError.stage == "enumerate")
                .order_by(IngestError.id)
            )
        )
    return IngestOutcome(
        job_id, status, resumed_from, total, done, failed, int(done_bytes), replaced, problems
    )
