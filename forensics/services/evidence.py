"""Evidence items: intake of an image or a phone extraction (survey, database rows, ``evidence_intake``;
``extraction_decrypted`` when a password opened an encrypted extraction) and verification."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forensics.case.extraction_store import extraction_meta, record_extraction
from forensics.case.models import Verification
from forensics.case.store import get_evidence, intake_dict, record_evidence
from forensics.case.time_zones import set_time_zone as write_time_zone
from forensics.core.errors import CaseError, CustosError, EvidenceError
from forensics.core.hashing import Digests
from forensics.core.local_times import TimeZoneError, check_time_zone
from forensics.core.timeutil import parse_iso_utc, utc_now_iso
from forensics.custody import actions
from forensics.evidence.extractions.ios_keybag import ProgressCallback
from forensics.evidence.extractions.survey import ExtractionSurvey, hash_file, survey_extraction
from forensics.evidence.survey import EvidenceSurvey, survey_image
from forensics.evidence.verify import compare_hashes, hash_media, sha256_file, verdict
from forensics.services.context import CaseContext
from forensics.services.seal import VERIFY_TABLES, sealed_job

DATE_FIELDS = frozenset({"seized_at", "received_at", "acquisition_date"})
TIME_ZONE_FIELD = "time_zone"  # the source device's IANA time zone, given at intake (unknown when absent)
UNKNOWN_ZONE = "unknown"  # what a front end gives to set an item's zone back to unknown
HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64}
INTAKE_HASH_FIELDS = {"acquisition_md5": "md5", "acquisition_sha1": "sha1", "acquisition_sha256": "sha256"}


def check_hex(value: str, algorithm: str, label: str) -> str:
    """A hash given by the examiner, lower-cased; refused unless it has the algorithm's hex length."""
    length = HASH_LENGTHS[algorithm]
    value = value.strip().lower()
    if len(value) != length or any(c not in "0123456789abcdef" for c in value):
        raise CustosError(f"{label}: expected {length} hex digits, got {value!r}")
    return value


def normalise_intake(fields: Mapping[str, str | None], label: Callable[[str], str] = str) -> dict[str, str]:
    """Intake fields as stored: dates as ISO-8601 UTC, hashes as lower-case hex, the source time zone
    as a known IANA name; empty ones dropped.

    ``label`` names a field in error messages the way the front end spells it (e.g. ``--seized-at``).
    """
    intake: dict[str, str] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name in DATE_FIELDS:
            try:
                value = parse_iso_utc(value)
            except ValueError as exc:
                raise CustosError(f"{label(name)}: not an ISO-8601 date-time: {value!r}") from exc
        if name in INTAKE_HASH_FIELDS:
            value = check_hex(value, INTAKE_HASH_FIELDS[name], label(name))
        if name == TIME_ZONE_FIELD:
            if not value.strip():
                continue
            try:
                value = check_time_zone(value)
            except TimeZoneError as exc:
                raise TimeZoneError(f"{label(name)}: {exc}") from exc
        intake[name] = value
    return intake


@dataclass(frozen=True)
class IntakeResult:
    """What intake found in the image (``survey``) or phone extraction (``extraction``), and the custody
    entry's details."""

    item: str
    survey: EvidenceSurvey | None
    details: dict[str, Any]
    extraction: ExtractionSurvey | None = None


def add_evidence(
    ctx: CaseContext,
    image: Path | str,
    item: str,
    intake: Mapping[str, str | None],
    *,
    register_unreadable: bool = False,
    password: str | None = None,
    unlock_progress: ProgressCallback | None = None,
    hash_progress: Callable[[int, int], None] | None = None,
) -> IntakeResult:
    """Survey ``image`` read-only and record it as evidence item ``item`` (``evidence_intake``).

    ``intake``: the intake fields (:data:`forensics.case.store.INTAKE_FIELDS`), checked with
    :func:`normalise_intake`. A phone extraction (detected by content) is recorded with its format and
    the hashes of its file; ``password`` (never stored) is checked when the extraction is encrypted: a
    wrong one raises before anything is recorded, a right one adds ``extraction_decrypted``. Other
    evidence in which no volume or file system can be read is refused (nothing is recorded) unless
    ``register_unreadable``: then it is registered for custody all the same, and the intake entry says
    that nothing in it could be read.
    """
    fields = normalise_intake(intake)
    extraction = survey_extraction(
        image, password, unlock_progress=unlock_progress, hash_progress=hash_progress
    )
    if extraction is not None:
        return _add_extraction(ctx, extraction, item, fields)
    survey = survey_image(Path(image))
    if not survey.usable_filesystems and not register_unreadable:
        problems = "; ".join(f"{f.offset}: {f.error or f.status}" for f in survey.filesystems) or "none found"
        raise EvidenceError(
            f"{image}: no volume or file system could be read ({survey.container}; {problems}); not added "
            "(to keep it in custody all the same, add it with --register-unreadable)"
        )
    with ctx.db.session() as s:
        evidence = record_evidence(s, item, survey, fields, ctx.examiner)
        details = intake_dict(evidence)
    details["image"] = {
        "path": str(survey.path),
        "container": survey.container,
        "segments": [str(p) for p in survey.segments],
        "media_size": survey.media_size,
        "header": survey.metadata,
        "stored_hashes": survey.stored_hashes,
        "volume_system": survey.layout.vs_type,
        "filesystems": [
            {"offset": f.offset, "type": f.fs_type, "status": f.status} for f in survey.filesystems
        ],
    }
    if not survey.usable_filesystems:
        details["image"]["readable"] = False  # registered for custody; nothing in it could be read
    ctx.custody.append(actions.EVIDENCE_INTAKE, item=item, details=details)
    return IntakeResult(item, survey, details)


def _add_extraction(
    ctx: CaseContext, survey: ExtractionSurvey, item: str, fields: dict[str, str]
) -> IntakeResult:
    with ctx.db.session() as s:
        evidence = record_extraction(s, item, survey, fields, ctx.examiner)
        details = intake_dict(evidence)
    details["image"] = {
        "path": str(survey.path),
        "container": "extraction",
        "segments": [str(p) for p in survey.segments],
        "media_size": survey.media_size,
        "extraction": survey.metadata(),
        "warnings": survey.warnings,
    }
    ctx.custody.append(actions.EVIDENCE_INTAKE, item=item, details=details)
    if survey.decrypted:
        record_decryption(ctx, item, survey.format, "intake")
    return IntakeResult(item, None, details, survey)


def set_time_zone(ctx: CaseContext, item: str, zone: str | None) -> tuple[str | None, str | None]:
    """Set or change the source time zone of ``item`` (``time_zone_set``); returns (old, new).

    ``zone``: an IANA name (``Asia/Karachi``), or None (or ``"unknown"``) to make it unknown again. The
    row and the custody entry (old and new zone) are written in one transaction. An unknown zone name is
    refused (:class:`~forensics.core.local_times.TimeZoneError`), and so is a change to the zone the item
    already has (:class:`CaseError`): nothing is recorded then.
    """
    new = None if zone is None or zone.strip().lower() == UNKNOWN_ZONE else check_time_zone(zone)
    with ctx.db.session() as s:
        old = get_evidence(s, item).time_zone  # an unknown item fails here, before anything is recorded
    if old == new:
        raise CaseError(f"the source time zone of {item!r} already is {old or UNKNOWN_ZONE}: nothing changed")

    def write(conn: Any) -> dict[str, Any]:
        before, after = write_time_zone(conn, item, new)
        if before == after:  # changed by another process since it was read above
            raise CaseError(f"the source time zone of {item!r} already is {after or UNKNOWN_ZONE}")
        return {
            "text": f"source time zone of {item}: {before or UNKNOWN_ZONE} -> {after or UNKNOWN_ZONE}",
            "field": TIME_ZONE_FIELD,
            "old": before,
            "new": after,
        }

    entry = ctx.custody.append(actions.TIME_ZONE_SET, item=item, with_writes=write)
    return entry.details["old"], entry.details["new"]


DECRYPTION_METHODS = {
    "adb-backup": "adb backup master key unwrapped from the examiner's password (PBKDF2-SHA1, AES-256)",
    "ios-backup": "iOS backup keybag unlocked with the examiner's password (PBKDF2, AES key unwrap)",
}


def record_decryption(ctx: CaseContext, item: str, extraction_format: str, stage: str) -> None:
    """``extraction_decrypted``: a password opened an encrypted extraction (never the password or keys)."""
    ctx.custody.append(
        actions.EXTRACTION_DECRYPTED,
        item=item,
        details={
            "stage": stage,
            "format": extraction_format,
            "method": DECRYPTION_METHODS.get(extraction_format, "decrypted with the examiner's password"),
            "secret_kept": "in memory only, for this process",
        },
    )


@dataclass(frozen=True)
class VerificationResult:
    """One verification of an item's media: digests, comparisons with every reference, verdict."""

    item: str
    result: str  # match | mismatch | no-reference
    digests: Digests
    comparisons: dict[str, dict[str, Any]]
    damaged: list[tuple[int, int]]  # (start sector, sectors) of damaged EWF chunks


def verify_evidence(
    ctx: CaseContext,
    item: str,
    expected: Mapping[str, str | None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerificationResult:
    """Hash the item's whole media and compare with its stored and given hashes (``acquisition_verified``).

    ``expected``: hashes given now by the examiner (``md5``, ``sha1``, ``sha256``), in addition to the
    container's stored hashes and the acquisition hashes recorded at intake. A media read error is a
    result too: recorded (result ``error``) and in custody, then raised. The verification is sealed.
    """
    with ctx.db.session() as s:
        get_evidence(s, item)  # an unknown item fails here, before anything is recorded
    with sealed_job(ctx, "verify", VERIFY_TABLES, [item]):
        return _verify(ctx, item, expected, progress)


def _verify(
    ctx: CaseContext,
    item: str,
    expected: Mapping[str, str | None] | None,
    progress: Callable[[int, int], None] | None,
) -> VerificationResult:
    with ctx.db.session() as s:
        evidence = get_evidence(s, item)
        path, segments, evidence_id = evidence.path, json.loads(evidence.segments_json), evidence.id
        references = {
            "md5": (evidence.stored_md5, "ewf-stored"),
            "sha1": (evidence.stored_sha1, "ewf-stored"),
        }
        extraction = extraction_meta(evidence)
        examiner_refs = {
            "md5": evidence.acquisition_md5,
            "sha1": evidence.acquisition_sha1,
            "sha256": evidence.acquisition_sha256,
        }
    for algorithm, value in (expected or {}).items():
        if value:
            examiner_refs[algorithm] = check_hex(value, algorithm, f"--{algorithm}")
    extra_refs = _extraction_references(extraction) if extraction is not None else []
    started = utc_now_iso()
    damaged: list[tuple[int, int]] = []
    try:
        if extraction is not None:
            digests = _hash_extraction(path, extraction, progress)
        else:
            digests = hash_media(path, progress=progress, damaged=damaged)
    except EvidenceError as exc:
        _record_failed_verification(ctx, evidence_id, item, started, str(exc))
        raise
    comparisons = compare_hashes(
        digests, {k: (ref, source) for k, (ref, source) in references.items() if ref}
    )
    for algorithm, value, source in extra_refs:  # an extraction's file: .ufd-stated and intake hashes
        key = algorithm if algorithm not in comparisons else f"{algorithm}-{source}"
        comparisons[key] = compare_hashes(digests, {algorithm: (value, source)})[algorithm]
    for algorithm, value in examiner_refs.items():
        if value:
            key = algorithm if algorithm not in comparisons else f"{algorithm}-examiner"
            comparisons[key] = compare_hashes(digests, {algorithm: (value, "examiner")})[algorithm]
    segment_hashes = {str(p): sha256_file(Path(p)) for p in segments} if Path(path).is_file() else {}
    result = verdict(comparisons, damaged)
    with ctx.db.session() as s:
        s.add(
            Verification(
                evidence_id=evidence_id,
                started_at=started,
                finished_at=utc_now_iso(),
                bytes_hashed=digests.size,
                md5=digests.md5,
                sha1=digests.sha1,
                sha256=digests.sha256,
                comparisons_json=json.dumps(
                    {
                        "comparisons": comparisons,
                        "segment_sha256": segment_hashes,
                        "damaged_sectors": damaged,
                    },
                    sort_keys=True,
                ),
                result=result,
            )
        )
    ctx.custody.append(
        actions.ACQUISITION_VERIFIED,
        item=item,
        details={
            "result": result,
            "bytes": digests.size,
            "md5": digests.md5,
            "sha1": digests.sha1,
            "sha256": digests.sha256,
            "comparisons": comparisons,
            "segment_sha256": segment_hashes,
            "damaged_sectors": damaged,
            "started_at": started,
        },
    )
    return VerificationResult(item, result, digests, comparisons, damaged)


def _extraction_references(extraction: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What an extraction's file is checked against: ``(algorithm, hex, source)`` for the hashes a
    .ufd states and those computed at intake."""
    references = []
    for source, key in (("ufd-stated", "ufd_stated_hashes"), ("intake", "intake_hashes")):
        for algorithm, value in sorted((extraction.get(key) or {}).items()):
            if algorithm in HASH_LENGTHS and value:
                references.append((algorithm, str(value), source))
    return references


def _hash_extraction(
    path: str, extraction: dict[str, Any], progress: Callable[[int, int], None] | None
) -> Digests:
    media_file = extraction.get("media_file")
    if not media_file:
        raise EvidenceError(f"{path}: a folder extraction has no single file to verify")
    try:
        return hash_file(Path(media_file), progress)
    except OSError as exc:
        raise EvidenceError(f"{media_file}: cannot be read ({exc.strerror or exc})") from exc


def _record_failed_verification(
    ctx: CaseContext, evidence_id: int, item: str, started: str, message: str
) -> None:
    """A media read error during verification is itself a result: recorded, and in the custody log."""
    with ctx.db.session() as s:
        s.add(
            Verification(
                evidence_id=evidence_id,
                started_at=started,
                finished_at=utc_now_iso(),
                comparisons_json="{}",
                result="error",
                error=message,
            )
        )
    ctx.custody.append(
        actions.ACQUISITION_VERIFIED,
        item=item,
        details={"result": "error", "error": message, "started_at": started},
    )
