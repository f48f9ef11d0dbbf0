"""Evidence items for the report: intake (corrections applied), image, stored and verification hashes."""

from __future__ import annotations

import json
from pathlib import PurePath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forensics.case.models import Evidence, File, FileSystem, Verification
from forensics.core.errors import CaseError
from forensics.core.local_times import is_local_time_fs
from forensics.custody.intake import INTAKE_FIELDS, current_intake, intake_corrections
from forensics.reports.model import EvidenceSection, HashCheck, VerificationRun
from forensics.reports.text import printable_text

INTAKE_LABELS = {
    "description": "Description",
    "device_make": "Make",
    "device_model": "Model",
    "device_serial": "Serial number",
    "seal_number": "Seal number(s)",
    "seized_from": "Seized from",
    "seized_at": "Seized at",
    "seized_by": "Seized by",
    "received_by": "Received by",
    "received_at": "Received at",
    "storage_location": "Storage location",
    "acquisition_tool": "Acquisition tool",
    "acquisition_examiner": "Acquired by",
    "acquisition_date": "Acquisition date",
    "notes": "Intake notes",
}
HASH_FIELDS = (("MD5", "acquisition_md5"), ("SHA-1", "acquisition_sha1"), ("SHA-256", "acquisition_sha256"))
CHECK_ORDER = ("md5", "sha1", "sha256")


def _intake(db, evidence: Evidence) -> tuple[dict, int]:
    """The intake as the custody log says today, else the evidence row's copy (older cases)."""
    try:
        return current_intake(db, evidence.item), len(intake_corrections(db, evidence.item))
    except CaseError:
        return {name: getattr(evidence, name, None) for name in INTAKE_FIELDS}, 0


def _comparisons(comparisons_json: str | None) -> dict:
    try:
        data = json.loads(comparisons_json or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _checks(data: dict) -> tuple[HashCheck, ...]:
    comparisons = data.get("comparisons", {})
    comparisons = comparisons if isinstance(comparisons, dict) else {}
    checks = []
    for algorithm in sorted(comparisons, key=lambda a: (CHECK_ORDER.index(a) if a in CHECK_ORDER else 9, a)):
        value = comparisons[algorithm] if isinstance(comparisons[algorithm], dict) else {}
        checks.append(
            HashCheck(
                algorithm=algorithm,
                expected=value.get("expected"),
                source=value.get("source"),
                computed=value.get("computed"),
                match=value.get("match"),
            )
        )
    return tuple(checks)


def verification_run(row: Verification) -> VerificationRun:
    """A stored verification as report data (hash checks, segments, damaged sectors)."""
    data = _comparisons(row.comparisons_json)
    checks = tuple(
        HashCheck(c.algorithm, c.expected, c.source, c.computed or getattr(row, c.algorithm, None), c.match)
        for c in _checks(data)
    )
    segments = data.get("segment_sha256")
    segments = segments if isinstance(segments, dict) else {}
    damaged = data.get("damaged_sectors")
    damaged = damaged if isinstance(damaged, list) else []
    return VerificationRun(
        started_at=row.started_at,
        finished_at=row.finished_at,
        bytes_hashed=row.bytes_hashed,
        result=row.result,
        md5=row.md5,
        sha1=row.sha1,
        sha256=row.sha256,
        checks=checks,
        segment_sha256=tuple(sorted((PurePath(name).name, str(digest)) for name, digest in segments.items())),
        error=row.error,
        damaged_sectors=tuple((int(first), int(count)) for first, count in damaged),
    )


def _file_system_line(fs: FileSystem) -> str:
    kind = fs.fs_type or "unrecognised"
    count = f", {fs.file_count} items" if fs.file_count is not None else ""
    problem = f" ({fs.error})" if fs.error else ""
    ambiguous = ", ambiguous: another file-system type is valid at the same offset" if fs.ambiguous else ""
    local = ", times stored as local wall-clock time" if is_local_time_fs(fs.fs_type) else ""
    return f"{kind} at byte offset {fs.offset}: {fs.status}{count}{ambiguous}{local}{problem}"


def _time_zone_row(evidence: Evidence) -> tuple[str, str]:
    return ("Source time zone", evidence.time_zone or "unknown (not set by the examiner)")


def collect_evidence(db, session: Session) -> list[EvidenceSection]:
    """Every evidence item of the case, ordered by item number."""
    sections = []
    for evidence in session.scalars(select(Evidence).order_by(Evidence.item, Evidence.id)):
        intake, corrections = _intake(db, evidence)
        verifications = session.scalars(
            select(Verification).where(Verification.evidence_id == evidence.id).order_by(Verification.id)
        )
        try:
            segments = [PurePath(p).name for p in json.loads(evidence.segments_json or "[]")]
        except ValueError:
            segments = []
        file_count = session.scalar(select(func.count(File.id)).where(File.evidence_id == evidence.id))
        sections.append(
            EvidenceSection(
                item=evidence.item,
                intake=(
                    *(
                        (label, printable_text(str(intake[name])))
                        for name, label in INTAKE_LABELS.items()
                        if intake.get(name)
                    ),
                    _time_zone_row(evidence),
                ),
                image_files=tuple(printable_text(n) for n in segments or [PurePath(evidence.path).name]),
                container=evidence.container,
                media_size=evidence.media_size,
                stored_md5=evidence.stored_md5,
                stored_sha1=evidence.stored_sha1,
                acquisition_hashes=tuple(
                    (label, str(intake[name])) for label, name in HASH_FIELDS if intake.get(name)
                ),
                verifications=tuple(verification_run(v) for v in verifications),
                file_systems=tuple(_file_system_line(fs) for fs in evidence.filesystems),
                file_count=int(file_count or 0),
                corrections=corrections,
            )
        )
    return sections
