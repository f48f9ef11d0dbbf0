"""An ingest job: enumerate the evidence, process pending items in workers, write results, resume.

The enumeration and the processing overlap: the workers start with the job and take the first
items the enumeration commits, while the walk goes on in a thread. Kill the
process at any moment and run again: enumeration continues from the last stored walk position and
processing from the items still ``pending``; the result equals an uninterrupted run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select, update

from forensics.case.db import CaseDatabase
from forensics.case.hash_indexes import create_hash_indexes, drop_hash_indexes
from forensics.case.models import Evidence, File, IngestError, IngestJob
from forensics.case.store import get_evidence
from forensics.case.unallocated import add_unallocated_items
from forensics.core.progress import CancelToken, Progress
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.extractions.access import EXTRACTION_CONTAINER, ExtractionAccess
from forensics.pipeline.enumerate import BackgroundEnumeration
from forensics.pipeline.executor import Executor, LocalProcessExecutor, WorkerProcesses
from forensics.pipeline.extraction_rows import check_stated_hashes
from forensics.pipeline.feed import PendingFeed
from forensics.pipeline.processing_profiles import ProcessingProfile
from forensics.pipeline.tasks import ChildResult, ItemResult, TaskOptions
from forensics.pipeline.writer import BatchWriter

PHASE_BOTH = "enumerating + processing"
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
    # A job run on a Dask cluster: the scheduler's address and the machines whose workers processed items
    cluster: str | None = None
    machines: list[str] | None = None

    def counts(self) -> dict:
        cluster = {} if self.cluster is None else {"cluster": self.cluster, "machines": self.machines or []}
        return {
            "job_id": self.job_id,
            "items_total": self.items_total,
            "items_done": self.items_done,
            "items_failed": self.items_failed,
            "bytes_done": self.bytes_done,
            "workers_replaced": self.workers_replaced,
            "resumed_from": self.resumed_from,
            "listing_problems": len(self.listing_problems),
            **cluster,
        }


def start_job(
    db: CaseDatabase, item: str, profile: ProcessingProfile, workers: int
) -> tuple[int, int, int | None]:
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
    profile: ProcessingProfile,
    workers: int,
    *,
    cancel: CancelToken | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    executor: Executor | None = None,
    processes: WorkerProcesses | None = None,
    extraction: ExtractionAccess | None = None,
    cluster: str | None = None,
) -> IngestOutcome:
    """Run (or resume) a created job to its end or until cancelled.

    The workers start at once and the enumeration runs beside them in a thread: workers get the
    first items as soon as the enumeration has committed them. The enumeration's inserts and this
    thread's result writes share one lock: one write transaction at a time, never two racing for
    SQLite's lock. ``processes``: workers started earlier, used by the default executor.
    ``extraction``: the in-memory keys of an encrypted phone extraction (see
    :mod:`forensics.evidence.extractions.access`); an unencrypted one needs none.
    ``cluster``: the address of a Dask scheduler whose workers process the items
    (:mod:`forensics.pipeline.dask_executor`, imported only then); None for this machine's processes.
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
        is_extraction = evidence.container == EXTRACTION_CONTAINER
    if is_extraction and extraction is None:
        extraction = ExtractionAccess()
    options = TaskOptions(
        profile.analysis_tasks,
        profile.reduced_decode,
        profile.nested,
        profile.embedded,
        profile.carve,
        profile.video,
    )
    _requeue_for_missing_tasks(db, evidence_id, options.mask)
    if options.carve:  # file systems walked by an earlier job that did not carve
        with db.session() as s:
            add_unallocated_items(s, evidence_id)
    progress = Progress(phase=PHASE_BOTH, totals_growing=True)
    write_lock = threading.Lock()  # one write transaction at a time: enumeration or results
    enumeration = BackgroundEnumeration(
        db, evidence_id, job_id, write_lock, carve=bool(options.carve), extraction=extraction
    )
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
    if executor is None and cluster is not None:
        from forensics.pipeline.dask_executor import DaskExecutor  # Dask only for a cluster job

        executor = DaskExecutor(cluster, evidence_path, options, profile.item_timeout, extraction)
    executor = executor or LocalProcessExecutor(
        evidence_path, options, workers, profile.item_timeout, processes=processes, extraction=extraction
    )

    children_counted = [0]

    def tick() -> None:
        feed.pump()
        writer.flush_if_due()  # results reach the case even while no new ones arrive
        # items found inside others count when found: in the total and as done
        found = writer.children_written + writer.buffered_children
        progress.items_total += found - children_counted[0]
        children_counted[0] = found
        progress.items_done = base_items + writer.items_written + writer.buffered_items + found
        progress.bytes_done = base_bytes + writer.bytes_written + writer.buffered_bytes
        progress.errors = writer.errors_written
        progress.videos, progress.frames = writer.videos_written, writer.frames_written
        progress.current = ", ".join(work.locator.get("path") or work.name for work in executor.busy_items())
        if on_progress:
            on_progress(progress)

    def on_results(results: list[ItemResult]) -> None:
        writer.add(results)
        tick()

    def on_children(parent_id: int, children: list[ChildResult]) -> None:
        writer.add_children(parent_id, children)

    executor.start()  # the workers' spawn and imports overlap the enumeration
    with db.engine.begin() as conn:  # hashes are written row by row: index them once, at the end
        drop_hash_indexes(conn)
    try:
        enumeration.start()
        finished = executor.run(feed, on_results, lambda: cancel.cancelled, tick, on_children=on_children)
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
    if is_extraction and finished:  # the hashes a UFDR states for its members, against the computed ones
        with write_lock:
            check_stated_hashes(db, evidence_id, job_id)
    with write_lock:
        outcome = _finish(
            db,
            job_id,
            evidence_id,
            "finished" if finished else "cancelled",
            resumed_from,
            getattr(executor, "replaced", 0),
        )
    if cluster is not None:
        outcome.cluster = cluster
        outcome.machines = executor.machine_names()
    return outcome


def _requeue_for_missing_tasks(db: CaseDatabase, evidence_id: int, mask: int) -> int:
    """Items done by an earlier, poorer profile go back to pending to get this profile's tasks."""
    if not mask:
        return 0
    with db.session() as s:
        result = s.execute(
            update(File)
            .where(
                File.evidence_id == evidence_id,
                File.parent_id.is_(None),  # items inside others are redone with the item that holds them
                File.status == "done",
                File.tasks_mask.op("&")(mask) != mask,
            )
            .values(status="pending")
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


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
