"""Seal what a job wrote: check its partitions against their seals first, then sign their new roots.

A job that writes results runs inside :func:`sealed_job`. Before the job, the partitions it may write
(its tables, for its evidence items) are compared with their last seal, so that an edit made since
cannot be absorbed into the new seal unseen: whatever differs is named in the new ``results_sealed``
entry (``found_before``), and ``custody verify`` reports it. The one expected case is an ingest that
resumes a job which ended without sealing (a crash, ``kill -9``): the rows that job wrote are named
too, with the job that wrote them. The first seal of a case covers all its results.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection

from forensics.case.seal import SEAL_FORMAT, SealPlan, compare, finish_seal, plan_seal
from forensics.custody import actions
from forensics.services.context import CaseContext

# What each kind of job writes (the tables whose rows it may add or change).
INGEST_TABLES = (
    "files",
    "file_analysis",
    "file_exif",
    "thumbnails",
    "file_video",
    "video_frames",
    "video_strip",
    "file_regions",
)
MATCH_TABLES = (
    "findings",
    "file_known",
    "finding_video",
    "finding_regions",
    "video_copies",
    "whatsapp_message_findings",
)
PROVENANCE_TABLES = ("whatsapp_sources", "whatsapp_messages", "whatsapp_links")
REVIEW_TABLES = ("review_categories", "review_tags", "review_notes")
VERIFY_TABLES = ("verifications",)


@contextmanager
def sealed_job(
    ctx: CaseContext,
    job: str,
    tables: Iterable[str],
    items: Iterable[str] | None = None,
    *,
    resumes: int | None = None,
    only_if_changed: bool = False,
) -> Iterator[None]:
    """Run the block as a job writing ``tables`` for ``items`` (default: every item), then seal them.

    ``resumes``: the ingest job this one resumes (its unsealed rows are named as its own). A job that
    fails is sealed all the same (what it wrote is a result), and its own error is the one raised.
    ``only_if_changed``: sign no seal when the job left its partitions as they were sealed (a job that
    often finds nothing to write, such as reading WhatsApp databases of an item that has none).
    """
    if not ctx.custody.writable:
        yield
        return
    with ctx.db.engine.connect() as conn:
        plan = plan_seal(conn, tables, items)
    try:
        yield
    except BaseException:
        try:
            _seal(ctx, job, plan, resumes)
        except Exception:  # noqa: BLE001 - the job's own error is the one to report
            pass
        raise
    if only_if_changed and plan.scope is not None and plan.found is None:
        with ctx.db.engine.connect() as conn:
            if compare(conn, plan.signed, plan.scope).clean:
                return
    _seal(ctx, job, plan, resumes)


def _seal(ctx: CaseContext, job: str, plan: SealPlan, resumes: int | None) -> None:
    details: dict[str, Any] = {"format": SEAL_FORMAT, "job": job}
    if plan.found is not None and resumes is not None:
        details["resumes_job"] = resumes

    def write(conn: Connection) -> dict[str, Any]:
        return finish_seal(conn, plan)

    ctx.custody.append(actions.RESULTS_SEALED, details=details, with_writes=write)
