"""An ingest job: enumerate the evidence, process pending items in workers, write results, resume.

The enumeration and the processing overlap: the workers start with the job and take the first
items the enumeration commits, while the walk goes on in a thread. Kill the
process at any moment and run again: enumeration continues from the last stored walk position and
processing from the items still ``pending``; the result equals an uninterrupted run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from forensics.case.db import CaseDatabase
from forensics.case.extraction_store import extraction_meta
from forensics.case.ingest_indexes import create_ingest_indexes, drop_ingest_indexes
from forensics.case.ingest_mark import IngestMark
from forensics.case.models import Evidence, File, IngestError, IngestJob
from forensics.case.store import get_evidence
from forensics.case.unallocated import add_unallocated_items
from forensics.core.errors import CaseError
from forensics.core.progress import AlertRecord, CancelToken, Progress
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.extractions.access import EXTRACTION_CONTAINER, ExtractionAccess
from forensics.evidence.head_probe import HeadProbe
from forensics.hashsets.live import LiveMatcher
from forensics.pipeline.enumerate import BackgroundEnumeration
from forensics.pipeline.executor import Executor, LocalProcessExecutor, WorkerProcesses
from forensics.pipeline.extraction_rows import check_stated_hashes
from forensics.pipeline.feed import Passwords, PendingFeed
from forensics.pipeline.live_matching import MatchingThread
from forensics.pipeline.processing_order import ProcessingOrder
from forensics.pipeline.processing_profiles import ProcessingProfile
from forensics.pipeline.ranked_feed import RankedFeed
from forensics.pipeline.tasks import ChildResult, ItemResult, TaskOptions
from forensics.pipeline.writer import BatchWriter

PHASE_BOTH = "enumerating + processing"
PHASE_INDEXING = "indexing hashes"
PHASE_MATCHING = "matching the last items"
STOPPED = "stopped"  # the job ended at the first alert (--until-first-alert): resumable, not complete


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
    # Matching during the job: findings added (of them alerts), a problem that stopped it
    findings: int = 0
    alerts: int = 0
    matching_error: str | None = None
    # The processing order's ranks as handed out (empty: walk order), items typed by their head
    order: list[str] = field(default_factory=list)
    header_checked: int = 0
    header_raised: int = 0
    # A job run on a Dask cluster: the scheduler's address and the machines whose workers processed items
    cluster: str | None = None
    machines: list[str] | None = None

    def counts(self) -> dict:
        cluster = {} if self.cluster is None else {"cluster": self.cluster, "machines": self.machines or []}
        stopped = (
            {"fully_processed": False, "stopped_at": "first alert (until_first_alert)"}
            if self.status == STOPPED
            else {}
        )
        return (
            {
                "job_id": self.job_id,
                "items_total": self.items_total,
                "items_done": self.items_done,
                "items_failed": self.items_failed,
                "bytes_done": self.bytes_done,
                "workers_replaced": self.workers_replaced,
                "resumed_from": self.resumed_from,
                "listing_problems": len(self.listing_problems),
            }
            | stopped
            | cluster
        )


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
        if previous is not None and previous.status in ("running", "cancelled", "failed", STOPPED):
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
    only: Mapping[int, Passwords] | None = None,
    matcher: LiveMatcher | None = None,
    on_alert: Callable[[AlertRecord], None] | None = None,
    until_first_alert: bool | None = None,
    observe_feed: Callable[[PendingFeed], None] | None = None,
    cluster: str | None = None,
) -> IngestOutcome:
    """Run (or resume) a created job to its end or until cancelled.

    The workers start at once and the enumeration runs beside them in a thread: workers get the
    first items as soon as the enumeration has committed them (in a profile's processing order: the
    items of its first rank; the rest once everything is listed, rank by rank). The enumeration's
    inserts and this thread's result writes share one lock: one write transaction at a time, never two
    racing for SQLite's lock. ``processes``: workers started earlier, used by the default executor.
    ``extraction``: the in-memory keys of an encrypted phone extraction (see
    :mod:`forensics.evidence.extractions.access`); an unencrypted one needs none. ``matcher``: match
    what is stored as it is stored (:mod:`forensics.pipeline.live_matching`), each new finding given to
    ``on_alert``; ``until_first_alert`` (default: the profile's) ends the job, resumably, once matching
    has confirmed an alert. ``observe_feed`` sees the feed before it is used (tests). ``only``: a job
    that re-runs chosen items (marked pending by the caller) and nothing else: no enumeration, no carving
    set-up, no items re-queued for this profile; each item with the examiner's archive passwords for it.
    ``cluster``: the address of a Dask scheduler whose workers process the items
    (:mod:`forensics.pipeline.dask_executor`, imported only then); None for this machine's processes.
    """
    cancel = cancel or CancelToken()
    if until_first_alert is None:
        until_first_alert = profile.until_first_alert
    with db.session() as s:
        job = s.get(IngestJob, job_id)
        if job is None:
            raise CaseError(f"no ingest job with id {job_id} in this case")
        evidence = s.get(Evidence, job.evidence_id)
        if evidence is None:
            raise CaseError(f"no evidence item with id {job.evidence_id} in this case")
        evidence_id, evidence_path, item, resumed_from = (
            evidence.id,
            evidence.path,
            evidence.item,
            job.resumed_from,
        )
        is_extraction = evidence.container == EXTRACTION_CONTAINER
        order = _order_for(profile.order, evidence)
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
    if only is None:
        _requeue_for_missing_tasks(db, evidence_id, options.mask)
    if options.carve and only is None:  # file systems walked by an earlier job that did not carve
        with db.session() as s:
            add_unallocated_items(s, evidence_id)
    progress = Progress(phase=PHASE_BOTH, totals_growing=True)
    write_lock = threading.Lock()  # one write transaction at a time: enumeration or results
    enumeration: BackgroundEnumeration | NoEnumeration
    if only is None:
        enumeration = BackgroundEnumeration(
            db, evidence_id, job_id, write_lock, carve=bool(options.carve), extraction=extraction
        )
    else:
        enumeration = NoEnumeration()
    writer = BatchWriter(db, evidence_id, job_id, write_lock=write_lock)
    matching = None
    if matcher is not None:
        matcher.write_lock = write_lock
        matching = MatchingThread(matcher, db, evidence_id, item)
        writer.on_stored = matching.submit

    def index_while_last_batches_run() -> None:
        # Every item is handed out: what waits is stored and the hash indexes are built while the
        # workers end their last batches (the few results still to come update them row by row).
        writer.flush()
        with write_lock, db.engine.begin() as conn:
            create_ingest_indexes(conn)

    feed = _feed(
        db,
        evidence_id,
        item,
        enumeration,
        progress,
        order,
        evidence_path,
        is_extraction,
        on_exhausted=index_while_last_batches_run,
        hash_only=not options.analysis_tasks,
        only=only,
    )
    if isinstance(feed, RankedFeed):
        writer.hold_children = lambda: not feed.enumerated  # the walk's rows keep their numbers
    if observe_feed is not None:
        observe_feed(feed)
    base_items, base_bytes = progress.items_done, progress.bytes_done
    machine_names: Callable[[], list[str]] | None = None
    if executor is None and cluster is not None:
        from forensics.pipeline.dask_executor import DaskExecutor  # Dask only for a cluster job

        dask_executor = DaskExecutor(cluster, evidence_path, options, profile.item_timeout, extraction)
        machine_names, executor = dask_executor.machine_names, dask_executor
    executor = executor or LocalProcessExecutor(
        evidence_path, options, workers, profile.item_timeout, processes=processes, extraction=extraction
    )

    children_counted = [0]

    def deliver_alerts() -> None:
        if matching is None:
            return
        for record in matching.take_alerts():
            if on_alert:
                on_alert(record)
        progress.alerts = matching.alerts

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
        ahead = isinstance(feed, RankedFeed) and feed.hashing_ahead
        progress.hashed_ahead = writer.hashed_written if ahead else 0
        busy = executor.busy_items()
        progress.current = ", ".join(work.locator.get("path") or work.name for work in busy)
        if isinstance(feed, RankedFeed):  # the rank of what the workers are on, not of what is queued
            progress.stage = feed.stage_of([work.file_id for work in busy])
        deliver_alerts()
        if on_progress:
            on_progress(progress)

    def on_results(results: list[ItemResult]) -> None:
        writer.add(results)
        if isinstance(feed, RankedFeed):
            feed.forget([r.file_id for r in results])
        tick()

    def on_children(parent_id: int, children: list[ChildResult]) -> None:
        writer.add_children(parent_id, children)

    stopped = [False]

    def should_stop() -> bool:
        if cancel.cancelled:
            return True
        if until_first_alert and matching is not None and matching.alerts:
            stopped[0] = True
            return True
        return False

    executor.start()  # the workers' spawn and imports overlap the enumeration
    mark = IngestMark(db)  # other machines' Custos leave the indexes dropped while it is held
    try:
        with db.engine.begin() as conn:  # hashes are written row by row: index them once, at the end
            drop_ingest_indexes(conn)
    except BaseException:
        mark.release()
        raise
    if matching is not None:
        matching.start()
    finished = False
    try:
        enumeration.start()
        finished = executor.run(feed, on_results, should_stop, tick, on_children=on_children)
        writer.hold_children = None
        writer.flush()
    finally:
        feed.close()
        enumeration.stop()
        try:
            if on_progress:
                on_progress(replace(progress, phase=PHASE_INDEXING, current=""))
        finally:
            # an enumeration thread still ending (stop timed out) is kept out by the lock
            try:
                with write_lock, db.engine.begin() as conn:
                    create_ingest_indexes(conn)
            finally:
                mark.release()
            if matching is not None:
                if on_progress:
                    on_progress(replace(progress, phase=PHASE_MATCHING, current=""))
                # what is stored is matched, also on cancel; items of earlier jobs only when it finished
                matching.finish(whole_item=finished)
    tick()
    if matcher is not None:
        matcher.number_findings()  # the same numbers in any processing order
    if is_extraction and finished:  # the hashes a UFDR states for its members, against the computed ones
        with write_lock:
            check_stated_hashes(db, evidence_id, job_id)
    status = "finished" if finished else (STOPPED if stopped[0] else "cancelled")
    with write_lock:
        outcome = _finish(db, job_id, evidence_id, status, resumed_from, getattr(executor, "replaced", 0))
    if matching is not None:
        outcome.findings, outcome.alerts, outcome.matching_error = (
            matching.findings,
            matching.alerts,
            matching.error,
        )
    if isinstance(feed, RankedFeed):
        outcome.order = feed.order.describe()
        outcome.header_checked, outcome.header_raised = feed.header_checked, feed.header_raised
    if cluster is not None:
        outcome.cluster = cluster
        outcome.machines = machine_names() if machine_names is not None else []
    return outcome


def _order_for(order: ProcessingOrder, evidence: Evidence) -> ProcessingOrder:
    """The profile's order, except for an extraction read front to back (a gzip tar, a compressed adb
    backup), whose members are read fastest in listing order: one decode instead of one per rank."""
    meta = extraction_meta(evidence)
    if meta is None or not order.ranked:
        return order
    from forensics.evidence.extractions.extraction import is_sequential

    if is_sequential(str(meta.get("format")), meta.get("compression"), bool(meta.get("encrypted"))):
        return ProcessingOrder()
    return order


def _feed(
    db: CaseDatabase,
    evidence_id: int,
    item: str,
    enumeration: BackgroundEnumeration | NoEnumeration,
    progress: Progress,
    order: ProcessingOrder,
    evidence_path: str,
    is_extraction: bool,
    on_exhausted: Callable[[], None],
    hash_only: bool,
    only: Mapping[int, Passwords] | None = None,
) -> PendingFeed:
    """The job's feed: in the profile's processing order, else (and in a re-run of chosen items) as listed."""
    if only is not None or not order.ranked:
        return PendingFeed(db, evidence_id, item, enumeration, progress, on_exhausted, hash_only, only)

    def head_probe() -> HeadProbe:
        return HeadProbe(evidence_path)

    probe = None if is_extraction or not order.header_check_items else head_probe
    return RankedFeed(db, evidence_id, item, enumeration, progress, order, probe, on_exhausted, hash_only)


class NoEnumeration:
    """The enumeration of a job that lists nothing (it re-runs items already listed)."""

    ended = True

    def start(self) -> None:
        return None

    def wait(self, timeout: float) -> None:
        return None

    def take_found(self) -> tuple[int, int]:
        return 0, 0

    def stop(self, timeout: float = 1.0) -> None:
        return None


def _requeue_for_missing_tasks(db: CaseDatabase, evidence_id: int, mask: int) -> int:
    """Items done by an earlier, poorer profile go back to pending to get this profile's tasks."""
    if not mask:
        return 0
    with db.session() as s:
        # An UPDATE's result is a CursorResult (with rowcount); Session.execute is typed as Result.
        result = cast(
            "CursorResult[Any]",
            s.execute(
                update(File)
                .where(
                    File.evidence_id == evidence_id,
                    File.parent_id.is_(None),  # items inside others are redone with the item that holds them
                    File.status == "done",
                    File.tasks_mask.op("&")(mask) != mask,
                )
                .values(status="pending")
                .execution_options(synchronize_session=False)
            ),
        )
        return result.rowcount or 0


def _finish(
    db: CaseDatabase, job_id: int, evidence_id: int, status: str, resumed_from: int | None, replaced: int
) -> IngestOutcome:
    with db.session() as s:
        by_status = s.execute(  # one pass over the item's rows
            select(File.status, func.count(), func.coalesce(func.sum(File.bytes_read), 0))
            .where(File.evidence_id == evidence_id)
            .group_by(File.status)
        ).all()
        counts = {status: count for status, count, _ in by_status}
        # coalesced in SQL; typed as nullable. A pending item's bytes (a first pass hashed it) are not done.
        done_bytes = sum(read or 0 for status, _, read in by_status if status != "pending")
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
