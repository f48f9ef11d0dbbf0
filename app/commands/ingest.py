"""``custos ingest``: enumerate, hash and analyse every item of the case's evidence (resumable)."""

from __future__ import annotations

import argparse
import gc
import signal
import sys
from typing import TYPE_CHECKING

from app.commands.common import common_options
from app.passphrase import unlock_early
from app.progress_display import JsonProgress, TerminalProgress
from forensics.core.progress import CancelToken
from forensics.custody import actions
from forensics.pipeline.executor import WorkerProcesses, default_workers
from forensics.pipeline.processing_profiles import ProcessingProfile, available_profiles, load_profile

if TYPE_CHECKING:
    from forensics.custody.examiners import KeyUnlock

# The case database layer (SQLAlchemy) and the job code are imported inside the functions below, once
# the worker processes are started: the workers' own start-up then runs while this process imports them.


def register(sub: argparse._SubParsersAction) -> None:
    ingest = sub.add_parser(
        "ingest", help="process the evidence of a case (resumes where it stopped)", parents=[common_options()]
    )
    ingest.add_argument("case_dir", metavar="DIR")
    ingest.add_argument("--item", help="only this evidence item (default: every item)")
    ingest.add_argument(
        "--workers", type=int, default=default_workers(), help="worker processes (default: cores)"
    )
    ingest.add_argument(
        "--profile", default="hashes", help=f"processing profile: {', '.join(available_profiles())}"
    )
    ingest.add_argument(
        "--progress-jsonl",
        action="store_true",
        help="write progress as JSON lines on stderr (for the GUI and scripts)",
    )
    ingest.add_argument(
        "--library",
        metavar="PATH",
        help="hash-set library for profiles that match (default: $CUSTOS_HASHSET_LIBRARY)",
    )
    ingest.set_defaults(func=cmd_ingest)


def cmd_ingest(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    with WorkerProcesses(args.workers).start() as processes:  # stopped here if no job takes them
        # the custody key's scrypt runs beside the imports and the case opening
        unlocking = unlock_early(getattr(args, "examiner", None))
        return _ingest_case(args, profile, processes, unlocking)


def _ingest_case(
    args: argparse.Namespace,
    profile: ProcessingProfile,
    processes: WorkerProcesses,
    unlocking: KeyUnlock | None,
) -> int:
    from sqlalchemy import select

    from app.context import open_case
    from forensics.case.ingest_lock import ingest_lock
    from forensics.case.models import Evidence

    cancel = CancelToken()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    status = 0
    try:
        with (
            open_case(args, args.case_dir, write=True, unlocking=unlocking) as ctx,
            ingest_lock(ctx.case_dir),
        ):
            with ctx.db.session() as s:
                query = select(Evidence.item).order_by(Evidence.id)
                if args.item:
                    query = query.where(Evidence.item == args.item)
                items = list(s.scalars(query))
            if args.item and not items:
                raise_missing(args.item)
            for item in items:
                if cancel.cancelled:
                    break
                status = max(status, _ingest_item(ctx, item, profile, args, cancel, processes))
    finally:
        signal.signal(signal.SIGINT, previous)
    return status


def raise_missing(item: str) -> None:
    from forensics.core.errors import CaseError

    raise CaseError(f"no evidence item {item!r} in this case")


GC_YOUNG = 20_000  # objects Python's youngest generation may hold during a job (its default: 700)


def collector_for_the_job() -> None:
    """Fewer garbage-collector passes while this process enumerates and writes (BENCHMARKS.md).

    What the imports and the case opening left (SQLAlchemy's tables, the models) lives until the end:
    frozen, so that full passes no longer walk it. The job's own objects (rows, results) are freed by
    reference counting; the youngest generation is collected every ``GC_YOUNG`` allocations.
    """
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)


def _ingest_item(ctx, item: str, profile, args, cancel: CancelToken, processes: WorkerProcesses) -> int:
    """One evidence item's job; the first item's job takes the workers started with the command."""
    from forensics.pipeline.ingest import run_job, start_job

    collector_for_the_job()
    display = JsonProgress(item) if args.progress_jsonl else TerminalProgress(args.quiet)
    job_id, _evidence_id, resumed_from = start_job(ctx.db, item, profile, args.workers)
    start_action = actions.INGEST_RESUMED if resumed_from else actions.INGEST_STARTED
    ctx.custody.append(
        start_action,
        item=item,
        details={
            "job_id": job_id,
            "profile": profile.name,
            "tasks": sorted(profile.tasks),
            "workers": args.workers,
            "resumed_from": resumed_from,
        },
    )
    outcome = run_job(
        ctx.db, job_id, profile, args.workers, cancel=cancel, on_progress=display, processes=processes
    )
    display.done()
    for problem in outcome.listing_problems:  # shown even with -q: the listing itself may be incomplete
        print(f"custos: warning: {item}: {problem}", file=sys.stderr)
    if outcome.status == "finished" and profile.matches:
        from app.matching import run_match  # numpy and the indexes only for profiles that match

        summary = run_match(ctx, args.library)
        if not args.quiet:
            print(
                f"{item}: matched against {len(summary.sets)} hash set(s): {summary.findings_added} new "
                f"findings, {summary.known_added} files newly marked known"
            )
        for warning in summary.warnings:
            print(f"custos: warning: {warning}", file=sys.stderr)
    end_action = actions.INGEST_FINISHED if outcome.status == "finished" else actions.INGEST_CANCELLED
    ctx.custody.append(end_action, item=item, details={"profile": profile.name, **outcome.counts()})
    if not args.quiet:
        print(
            f"{item}: {outcome.status}: {outcome.items_done} items hashed, {outcome.items_failed} errors, "
            f"{outcome.bytes_done} bytes read (job {job_id})"
        )
    if outcome.status == "cancelled":
        print(f"custos: ingest of {item} cancelled; run the same command again to resume", file=sys.stderr)
        return 3
    return 0
