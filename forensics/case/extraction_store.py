"""Record a phone extraction as an evidence item: container ``extraction``, one "file system" row whose
items are the extraction's members, and the extraction's own hashes as stored hashes to verify against.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.models import Evidence, FileSystem
from forensics.case.store import INTAKE_FIELDS
from forensics.core.errors import CaseError
from forensics.core.local_times import check_time_zone
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.extractions.access import EXTRACTION_CONTAINER
from forensics.evidence.extractions.survey import ExtractionSurvey

# How the members' times relate to UTC, by format (the "file system" row says it, as FAT's row does).
TIME_NOTES = {
    "ffs-zip": "zip member times: UTC from the extended-timestamp fields; a DOS time alone has no zone "
    "and is not converted",
    "ufdr": "times as report.xml states them (UTC); a time without a zone is left out",
    "ffs-tar": "tar header times (UTC)",
    "adb-backup": "tar header times of the backup (UTC)",
    "ios-backup": "times recorded in Manifest.db (UTC)",
    "ffs-folder": "times of the extracted copy on the examiner's disk (UTC), not the phone's",
}


def extraction_meta(evidence: Evidence) -> dict[str, Any] | None:
    """The extraction facts recorded at intake (format, platform, device...), None for an image."""
    if evidence.container != EXTRACTION_CONTAINER or not evidence.container_meta_json:
        return None
    return json.loads(evidence.container_meta_json).get("extraction")


def record_extraction(
    session: Session, item: str, survey: ExtractionSurvey, intake: dict, examiner: str
) -> Evidence:
    """Store a surveyed phone extraction as evidence item ``item`` with its intake fields."""
    if session.scalar(select(Evidence).where(Evidence.item == item)) is not None:
        raise CaseError(f"evidence item {item!r} already exists in this case")
    facts = survey.metadata()
    evidence = Evidence(
        item=item,
        path=str(survey.path),
        segments_json=json.dumps([str(p) for p in survey.segments]),
        container=EXTRACTION_CONTAINER,
        media_size=survey.media_size,
        sector_size=None,
        volume_system=None,
        container_meta_json=json.dumps(
            {"extraction": facts, "stored_hashes": survey.stated_hashes}, sort_keys=True
        ),
        stored_md5=None,
        stored_sha1=None,
        added_at=utc_now_iso(),
        added_by=examiner,
        time_zone=check_time_zone(intake["time_zone"]) if intake.get("time_zone") else None,
        **{k: intake.get(k) for k in INTAKE_FIELDS},
    )
    session.add(evidence)
    session.flush()
    session.add(
        FileSystem(
            evidence_id=evidence.id,
            volume_id=None,
            offset=0,
            fs_type=survey.format,
            time_zone_note=TIME_NOTES.get(survey.format),
            status="ok",
            enumerated=False,
        )
    )
    session.flush()
    return evidence
