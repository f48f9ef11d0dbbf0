"""Open an encrypted phone extraction for a job: the examiner's password becomes keys once, in memory.

The keys go to the job (and through their pipes to its worker processes), never to the case, a log or
a file; ``extraction_decrypted`` records that the extraction was decrypted and by whom. A wrong
password raises before anything is recorded. The iOS derivation is slow by design (10,000,000 PBKDF2
rounds on real backups): its progress is reported as phase ``unlocking``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from forensics.case.extraction_store import extraction_meta
from forensics.case.store import get_evidence
from forensics.core.progress import Progress
from forensics.evidence.extractions.access import ExtractionAccess
from forensics.evidence.extractions.detect import detect_extraction
from forensics.evidence.extractions.errors import ExtractionError, PasswordRequired
from forensics.evidence.extractions.extraction import unlock
from forensics.services.context import CaseContext
from forensics.services.evidence import record_decryption

PHASE_UNLOCKING = "unlocking"
PASSWORD_HELP = "give it with --password or $CUSTOS_EVIDENCE_PASSWORD"


def extraction_access(
    ctx: CaseContext,
    item: str,
    password: str | None,
    on_progress: Callable[[Progress], None] | None = None,
    stage: str = "ingest",
) -> ExtractionAccess | None:
    """How a job opens evidence item ``item``: None for an image or folder, else the extraction's access
    with the keys of an encrypted one (unlocked here from ``password``, with ``extraction_decrypted``)."""
    with ctx.db.session() as s:
        evidence = get_evidence(s, item)
        facts, path = extraction_meta(evidence), evidence.path
    if facts is None:
        return None
    detection = detect_extraction(Path(path))
    if detection is None:
        raise ExtractionError(
            f"{path}: no longer reads as the {facts.get('format')} extraction recorded at intake"
        )
    target = detection.dump if detection.format == "ufd" and detection.dump else detection
    if not target.encrypted:
        return ExtractionAccess(detection=detection)
    if password is None:
        raise PasswordRequired(
            f"evidence item {item}: {target.description}: a password is needed ({PASSWORD_HELP})"
        )
    started = Progress(phase=PHASE_UNLOCKING, items_total=100, current="deriving the key from the password")

    def report(fraction: float) -> None:
        if on_progress is not None:
            started.items_done = int(fraction * 100)
            on_progress(started)

    secrets = unlock(detection, password, report)
    record_decryption(ctx, item, target.format, stage)
    return ExtractionAccess(secrets, detection)
