"""Ingest: process the evidence items of a case, each job between its start and end custody entries.

``ingest_started`` (or ``ingest_resumed``) is signed before a job runs and ``ingest_finished`` (or
``ingest_cancelled``) after it, with its counts; an encrypted phone extraction is unlocked first
(``extraction_decrypted``); a profile with the ``whatsapp`` task reads the WhatsApp databases at the end
(``whatsapp_provenance_read``), and a profile that matches runs matching last (``hashset_used`` per set).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from forensics.case.models import Evidence, FileSystem
from forensics.core.errors import CaseError
from forensics.core.progress import CancelToken, Progress
from forensics.custody import actions
from forensics.hashsets.matching import MatchSummary
from forensics.pipeline.executor import WorkerProcesses
from forensics.pipeline.ingest import IngestOutcome, run_job, start_job
from forensics.pipeline.processing_profiles import ProcessingProfile
from forensics.pipeline.whatsapp_provenance import ProvenanceOutcome
from forensics.services.context import CaseContext
from forensics.services.seal import INGEST_TABLES, sealed_job
from forensics.services.unlock import extraction_access

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
    with ctx.db.session() as s:
        found = s.scalar(
            select(FileSystem.id)
            .join(Evidence, Evidence.id == FileSystem.evidence_id)
            .where(Evidence.item == item, FileSystem.status == "ok", FileSystem.enumerated.is_(True))
            .limit(1)
        )
    return found is not None


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
    cluster: str | None = None,
) -> ItemIngest:
    """Run (or resume) the ingest job of one evidence item, with its custody entries.

    ``processes``: worker processes started earlier (they take this job); ``library``: the hash-set
    library a matching profile uses (default: the configured one); ``password``: of an encrypted phone
    extraction (unlocked once, before the job; a wrong one raises before anything is recorded);
    ``cluster``: the address of a Dask scheduler whose workers process the items (``docs/lab.md``); the
    custody entries then name it, and the end entry the machines that processed items.
    """
    extraction = extraction_access(ctx, item, password, on_progress)
    job_id, _evidence_id, resumed_from = start_job(ctx.db, item, profile, workers)
    details = {
        "job_id": job_id,
        "profile": profile.name,
        "tasks": sorted(profile.tasks),
        "workers": workers,
        "resumed_from": resumed_from,
    }
    if cluster is not None:
        details["cluster"] = cluster
    ctx.custody.append(
        actions.INGEST_RESUMED if resumed_from else actions.INGEST_STARTED, item=item, details=details
    )
    with sealed_job(ctx, "ingest", INGEST_TABLES, [item], resumes=resumed_from):
        outcome = run_job(
            ctx.db,
            job_id,
            profile,
            workers,
            cancel=cancel,
            on_progress=on_progress,
            processes=processes,
            extraction=extraction,
            cluster=cluster,
        )
    result = ItemIngest(item, outcome)
    if outcome.status == "finished" and profile.reads_whatsapp:
        from forensics.services.provenance import read_provenance

        result.provenance = read_provenance(ctx, item, extraction=extraction, record_nothing_found=False)
    if outcome.status == "finished" and profile.matches:
        from forensics.services.matching import match  # numpy and the indexes only for profiles that match

        result.match = match(ctx, library)
    result.readable = _any_file_system_read(ctx, item)
    end_action = actions.INGEST_FINISHED if outcome.status == "finished" else actions.INGEST_CANCELLED
    ctx.custody.append(end_action, item=item, details={"profile": profile.name, **outcome.counts()})
    return result
