"""Ingest: process the evidence items of a case, each job between its start and end custody entries.

``ingest_started`` (or ``ingest_resumed``) is signed before a job runs and ``ingest_finished`` (or
``ingest_cancelled``) after it, with its counts; an encrypted phone extraction is unlocked first
(``extraction_decrypted``); a profile with the ``whatsapp`` task reads the WhatsApp databases at the end
(``whatsapp_provenance_read``). A profile that matches signs ``hashset_used`` per set before the job
and matches each batch as it is stored (the ingest's seal covers its findings); a finished job then
matches what needs the whole case (message findings, video copies) under a seal of its own.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from forensics.case.models import Evidence, File, FileSystem
from forensics.core.errors import CaseError
from forensics.core.progress import AlertRecord, CancelToken, Progress
from forensics.custody import actions
from forensics.hashsets.hits import MatchSettings
from forensics.hashsets.matching import MatchSummary
from forensics.pipeline.executor import WorkerProcesses
from forensics.pipeline.feed import PendingFeed
from forensics.pipeline.ingest import IngestOutcome, run_job, start_job
from forensics.pipeline.processing_profiles import ProcessingProfile
from forensics.pipeline.whatsapp_provenance import ProvenanceOutcome
from forensics.services.context import CaseContext
from forensics.services.seal import INGEST_TABLES, MATCH_TABLES, sealed_job
from forensics.services.unlock import extraction_access

if TYPE_CHECKING:
    from forensics.hashsets.live import LiveMatcher

GC_YOUNG = 20_000  # objects Python's youngest generation may hold during a job (its default: 700)


def collector_for_the_job() -> None:
    """Fewer garbage-collector passes while this process enumerates and writes (BENCHMARKS.md).

    What the imports and the case opening left (SQLAlchemy's tables, the models) lives until the end:
    frozen, so that full passes no longer walk it. The job's own objects (rows, results) are freed by
    reference counting; the youngest generation is collected every ``GC_YOUNG`` allocations.
    """
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)


def items_to_ingest(ctx: CaseContext, item: str | None = None) -> list[str]:
    """Every evidence item of the case in intake order, or just ``item`` (refused when unknown)."""
    with ctx.db.session() as s:
        query = select(Evidence.item).order_by(Evidence.id)
        if item:
            query = query.where(Evidence.item == item)
        items = list(s.scalars(query))
    if item and not items:
        raise CaseError(f"no evidence item {item!r} in this case")
    return items


def _any_file_system_read(ctx: CaseContext, item: str) -> bool:
    """Whether some file system of ``item`` was listed whole, or any file of it was listed at all."""
    with ctx.db.session() as s:
        whole = s.scalar(
            select(FileSystem.id)
            .join(Evidence, Evidence.id == FileSystem.evidence_id)
            .where(Evidence.item == item, FileSystem.status == "ok", FileSystem.enumerated.is_(True))
            .limit(1)
        )
        if whole is not None:
            return True
        listed = s.scalar(
            select(File.id)
            .join(Evidence, Evidence.id == File.evidence_id)
            .where(Evidence.item == item)
            .limit(1)
        )
    return listed is not None


@dataclass
class ItemIngest:
    """How one evidence item's job ended, and what matching found when the profile matches."""

    item: str
    outcome: IngestOutcome
    match: MatchSummary | None = None
    readable: bool = True  # some volume or file system of the item could be read and listed
    provenance: ProvenanceOutcome | None = None


def ingest_item(
    ctx: CaseContext,
    item: str,
    profile: ProcessingProfile,
    workers: int,
    *,
    cancel: CancelToken | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    processes: WorkerProcesses | None = None,
    library: str | None = None,
    password: str | None = None,
    on_alert: Callable[[AlertRecord], None] | None = None,
    until_first_alert: bool | None = None,
    settings: MatchSettings | None = None,
    observe_feed: Callable[[PendingFeed], None] | None = None,
) -> ItemIngest:
    """Run (or resume) the ingest job of one evidence item, with its custody entries.

    ``processes``: worker processes started earlier (they take this job); ``library``: the hash-set
    library a matching profile uses (default: the configured one); ``password``: of an encrypted phone
    extraction (unlocked once, before the job; a wrong one raises before anything is recorded). A
    profile that matches matches each batch as it is stored, every new finding given to ``on_alert``;
    ``until_first_alert`` (default: the profile's setting) ends the job, resumably, at the first alert.
    """
    extraction = extraction_access(ctx, item, password, on_progress)
    stop_at_alert = profile.until_first_alert if until_first_alert is None else until_first_alert
    job_id, _evidence_id, resumed_from = start_job(ctx.db, item, profile, workers)
    started: dict[str, Any] = {
        "job_id": job_id,
        "profile": profile.name,
        "tasks": sorted(profile.tasks),
        "workers": workers,
        "resumed_from": resumed_from,
    }
    if stop_at_alert:
        started["until_first_alert"] = True
    ctx.custody.append(
        actions.INGEST_RESUMED if resumed_from else actions.INGEST_STARTED, item=item, details=started
    )
    live = _live_matching(ctx, library, settings) if profile.matches else None
    tables = INGEST_TABLES + (MATCH_TABLES if live is not None else ())
    try:
        with sealed_job(ctx, "ingest", tables, [item], resumes=resumed_from):
            outcome = run_job(
                ctx.db,
                job_id,
                profile,
                workers,
                cancel=cancel,
                on_progress=on_progress,
                processes=processes,
                extraction=extraction,
                matcher=live if live is not None and live.matches_anything else None,
                on_alert=on_alert,
                until_first_alert=stop_at_alert,
                observe_feed=observe_feed,
            )
        result = ItemIngest(item, outcome)
        if outcome.status == "finished" and profile.reads_whatsapp:
            from forensics.services.provenance import read_provenance

            result.provenance = read_provenance(ctx, item, extraction=extraction, record_nothing_found=False)
        if live is not None:
            result.match = _end_matching(ctx, live, outcome)
    except BaseException as exc:
        if live is not None:
            live.close("failed", str(exc) or type(exc).__name__)
            live.library.close()
        raise
    result.readable = _any_file_system_read(ctx, item)
    end_action = actions.INGEST_FINISHED if outcome.status == "finished" else actions.INGEST_CANCELLED
    details = {"profile": profile.name, **outcome.counts()}
    if live is not None:
        details |= {"findings": outcome.findings, "alerts": outcome.alerts}
    ctx.custody.append(end_action, item=item, details=details)
    return result


def _live_matching(ctx: CaseContext, location: str | None, settings: MatchSettings | None) -> LiveMatcher:
    """The job's matching: the library's complete sets, one match run, a ``hashset_used`` entry per set."""
    from forensics.hashsets.library import HashSetLibrary
    from forensics.hashsets.live import LiveMatcher

    settings = settings or MatchSettings()
    library = HashSetLibrary(location)
    try:
        live = LiveMatcher(ctx.db, library, library.select(None), settings, ctx.examiner)
    except BaseException:
        library.close()
        raise
    for usage in live.sets:
        ctx.custody.append(actions.HASHSET_USED, details=usage.custody_details(settings))
    return live


def _end_matching(ctx: CaseContext, live: LiveMatcher, outcome: IngestOutcome) -> MatchSummary:
    """Close the job's match run; a finished job also matches what needs the whole case (sealed apart)."""
    try:
        if outcome.status == "finished":
            with sealed_job(ctx, "match", MATCH_TABLES):
                live.finish_case()
        live.close(outcome.status, outcome.matching_error)
    finally:
        live.library.close()
    summary = MatchSummary(
        run_id=live.run_id,
        sets=live.sets,
        findings_added=live.findings_added,
        known_added=live.known_added,
        video_copy_groups=live.video_copy_groups,
        message_findings_added=live.message_findings_added,
    )
    summary.warnings.extend(live.warnings)
    if outcome.matching_error:
        summary.warnings.append(f"{outcome.matching_error}; run `custos match` to match the rest")
    return summary
