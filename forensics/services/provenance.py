"""WhatsApp provenance of a case's media (``whatsapp_provenance_read``): read an evidence item's message
databases from the evidence and link every media message to the items of the whole case.

Runs at the end of an ingest whose profile says so, and on its own (``custos whatsapp``) to read again
(e.g. after another evidence item was added: its items may hold files the messages name).
"""

from __future__ import annotations

from collections.abc import Callable

from forensics.case.store import get_evidence
from forensics.core.progress import Progress
from forensics.custody import actions
from forensics.evidence.extractions.access import ExtractionAccess
from forensics.pipeline.whatsapp_provenance import ProvenanceOutcome, read_whatsapp
from forensics.services.context import CaseContext
from forensics.services.seal import PROVENANCE_TABLES, sealed_job
from forensics.services.unlock import extraction_access


def read_provenance(
    ctx: CaseContext,
    item: str,
    *,
    password: str | None = None,
    extraction: ExtractionAccess | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    record_nothing_found: bool = True,
) -> ProvenanceOutcome:
    """Read item ``item``'s WhatsApp databases and relink the case; one ``whatsapp_provenance_read``.

    ``extraction``: the access an ingest already holds (its keys); otherwise an encrypted extraction is
    unlocked from ``password`` (with ``extraction_decrypted``). ``record_nothing_found``: sign the entry
    even when the item holds no WhatsApp database (an ingest of a disk image without one signs none).
    """
    if extraction is None:
        extraction = extraction_access(ctx, item, password, on_progress, stage="whatsapp provenance")
    with ctx.db.session() as s:
        evidence_id = get_evidence(s, item).id
    # links are redone over the whole case; an item without WhatsApp databases changes nothing
    with sealed_job(ctx, "provenance", PROVENANCE_TABLES, only_if_changed=True):
        outcome = read_whatsapp(ctx.db, evidence_id, extraction, ctx.examiner)
    if outcome.sources or record_nothing_found:
        ctx.custody.append(actions.WHATSAPP_PROVENANCE_READ, item=item, details=outcome.as_dict())
    return outcome
