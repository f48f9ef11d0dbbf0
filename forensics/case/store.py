"""Record evidence items, their volumes and file systems in the case database."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.models import Evidence, FileSystem, Volume
from forensics.core.errors import CaseError
from forensics.core.local_times import check_time_zone
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.survey import EvidenceSurvey
from forensics.evidence.walk_limits import int32, int64

INTAKE_FIELDS = (
    "description",
    "seal_number",
    "seized_from",
    "seized_by",
    "seized_at",
    "received_by",
    "received_at",
    "device_make",
    "device_model",
    "device_serial",
    "storage_location",
    "acquisition_tool",
    "acquisition_examiner",
    "acquisition_date",
    "notes",
    "acquisition_md5",
    "acquisition_sha1",
    "acquisition_sha256",
)


def record_evidence(
    session: Session, item: str, survey: EvidenceSurvey, intake: dict, examiner: str
) -> Evidence:
    """Store a surveyed image as evidence item ``item`` with its intake fields.

    ``intake["time_zone"]`` (optional) is the source device's IANA time zone; unknown when absent.
    """
    if session.scalar(select(Evidence).where(Evidence.item == item)) is not None:
        raise CaseError(f"evidence item {item!r} already exists in this case")
    zone = intake.get("time_zone")
    evidence = Evidence(
        item=item,
        path=str(survey.path),
        segments_json=json.dumps([str(p) for p in survey.segments]),
        container=survey.container,
        media_size=int64(survey.media_size),
        sector_size=int32(survey.sector_size),
        volume_system=survey.layout.vs_type or ("multiple" if survey.layout.error else None),
        container_meta_json=json.dumps(
            {
                "header": survey.metadata,
                "stored_hashes": survey.stored_hashes,
                "volume_system_error": survey.layout.error,
            },
            sort_keys=True,
        ),
        stored_md5=survey.stored_hashes.get("md5"),
        stored_sha1=survey.stored_hashes.get("sha1"),
        added_at=utc_now_iso(),
        added_by=examiner,
        time_zone=check_time_zone(zone) if zone else None,
        **{k: intake.get(k) for k in INTAKE_FIELDS},
    )
    session.add(evidence)
    session.flush()
    volume_ids: dict[int, int] = {}
    for part in survey.layout.partitions:
        volume = Volume(
            evidence_id=evidence.id,
            addr=part.addr,
            start_sector=part.start_sector,
            length_sectors=part.length_sectors,
            offset=part.offset,
            length=part.length,
            description=part.description,
            kind=part.kind,
            flags=part.flags,
        )
        session.add(volume)
        session.flush()
        if part.kind == "allocated":
            volume_ids.setdefault(part.offset, volume.id)
    for probe in survey.filesystems:
        session.add(
            FileSystem(
                evidence_id=evidence.id,
                volume_id=volume_ids.get(probe.offset),
                offset=probe.offset,
                fs_type=probe.fs_type,
                block_size=probe.block_size,
                block_count=probe.block_count,
                first_inum=probe.first_inum,
                last_inum=probe.last_inum,
                root_inum=probe.root_inum,
                time_zone_note=probe.time_zone_note,
                status=probe.status,
                error=probe.error,
                enumerated=False,
                ambiguous=probe.ambiguous,
                notes=json.dumps(probe.notes, ensure_ascii=False) if probe.notes else None,
            )
        )
    session.flush()
    return evidence


def get_evidence(session: Session, item: str) -> Evidence:
    evidence = session.scalar(select(Evidence).where(Evidence.item == item))
    if evidence is None:
        raise CaseError(f"no evidence item {item!r} in this case")
    return evidence


def intake_dict(evidence: Evidence) -> dict:
    """The intake fields of an evidence row, as recorded at intake."""
    out = {"item": evidence.item}
    out.update({k: getattr(evidence, k) for k in INTAKE_FIELDS})
    if evidence.time_zone:
        out["time_zone"] = evidence.time_zone
    return out
