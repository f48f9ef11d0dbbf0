"""An evidence item's source time zone: given at intake, changed through the service with a custody entry.

The scripted ``fat_local_times`` image was written by a device set to Asia/Karachi (UTC+5): its FAT times
are local clock values. Until the zone is known they are shown as local, zone unknown; once set they are
converted; every change is a signed ``time_zone_set`` entry with the old and the new zone, and the case
still verifies (the results' seals do not hold the zone).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics.case.queries.files import iter_file_records
from forensics.core.errors import CaseError
from forensics.core.local_times import TimeZoneError
from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.pipeline.processing_profiles import load_profile
from forensics.services import cases, evidence, ingest
from forensics.services.context import CaseContext
from tests.fixtures import FixtureImage, assert_unchanged

ALICE, PASSPHRASE = "Alice Zones", "zone passphrase"
# /NOTE.TXT of the fixture was written at 2004-01-01 09:00:00 UTC, 14:00 on the device's clock.
NOTE_LOCAL = "2004-01-01T14:00:00 (local, zone unknown)"
NOTE_KARACHI = "2004-01-01T09:00:00Z (local 2004-01-01T14:00:00, Asia/Karachi)"
NOTE_KOLKATA = "2004-01-01T08:30:00Z (local 2004-01-01T14:00:00, Asia/Kolkata)"


@pytest.fixture
def ctx(tmp_path: Path):
    create_examiner(ALICE, "Lab", "Z-1", PASSPHRASE)
    context = cases.create_case(
        tmp_path / "case", number="Z-1", title="zones", agency=None, examiner=ALICE, passphrase=PASSPHRASE
    )
    yield context
    context.close()


def _note_mtime(ctx: CaseContext, item: str) -> str:
    with ctx.db.session() as s:
        return {r["path"]: r for r in iter_file_records(s, item)}["/NOTE.TXT"]["mtime"]


def _zone_entries(ctx: CaseContext) -> list[dict]:
    return [{"item": e.item, **e.details} for e in read_entries(ctx.db, action="time_zone_set")]


def test_a_zone_given_at_intake_is_recorded_and_used(ctx, fixture_fat_local_times: FixtureImage) -> None:
    with assert_unchanged(fixture_fat_local_times.evidence_files):
        evidence.add_evidence(ctx, fixture_fat_local_times.image, "EXH-1", {"time_zone": " Asia/Karachi "})
        ingest.ingest_item(ctx, "EXH-1", load_profile("hashes"), 1)
    intake = list(read_entries(ctx.db, action="evidence_intake"))[-1]
    assert intake.details["time_zone"] == "Asia/Karachi"
    assert _note_mtime(ctx, "EXH-1") == NOTE_KARACHI
    assert verify_case(ctx.case_dir).ok


def test_changes_are_custody_entries_with_old_and_new(ctx, fixture_fat_local_times: FixtureImage) -> None:
    with assert_unchanged(fixture_fat_local_times.evidence_files):
        evidence.add_evidence(ctx, fixture_fat_local_times.image, "EXH-1", {})
        ingest.ingest_item(ctx, "EXH-1", load_profile("hashes"), 1)
    assert _note_mtime(ctx, "EXH-1") == NOTE_LOCAL  # unknown until set
    assert evidence.set_time_zone(ctx, "EXH-1", "Asia/Karachi") == (None, "Asia/Karachi")
    assert _note_mtime(ctx, "EXH-1") == NOTE_KARACHI
    assert evidence.set_time_zone(ctx, "EXH-1", "Asia/Kolkata") == ("Asia/Karachi", "Asia/Kolkata")
    assert _note_mtime(ctx, "EXH-1") == NOTE_KOLKATA
    assert evidence.set_time_zone(ctx, "EXH-1", "unknown") == ("Asia/Kolkata", None)
    assert _note_mtime(ctx, "EXH-1") == NOTE_LOCAL
    assert [(e["item"], e["field"], e["old"], e["new"]) for e in _zone_entries(ctx)] == [
        ("EXH-1", "time_zone", None, "Asia/Karachi"),
        ("EXH-1", "time_zone", "Asia/Karachi", "Asia/Kolkata"),
        ("EXH-1", "time_zone", "Asia/Kolkata", None),
    ]
    report = verify_case(ctx.case_dir)
    assert report.ok and report.results is not None and report.results.clean


def test_bad_or_empty_changes_record_nothing(ctx, fixture_fat_local_times: FixtureImage) -> None:
    evidence.add_evidence(ctx, fixture_fat_local_times.image, "EXH-1", {"time_zone": "Asia/Karachi"})
    before = len(list(read_entries(ctx.db)))
    with pytest.raises(TimeZoneError, match="unknown time zone 'Pakistan Standard Time'"):
        evidence.set_time_zone(ctx, "EXH-1", "Pakistan Standard Time")
    with pytest.raises(TimeZoneError, match="unknown time zone"):
        evidence.set_time_zone(ctx, "EXH-1", "Asia/Nowhere")
    with pytest.raises(CaseError, match="already is Asia/Karachi: nothing changed"):
        evidence.set_time_zone(ctx, "EXH-1", "Asia/Karachi")
    with pytest.raises(CaseError, match="no evidence item 'EXH-9'"):
        evidence.set_time_zone(ctx, "EXH-9", "Asia/Karachi")
    with pytest.raises(TimeZoneError, match=r"time_zone: unknown time zone 'UTC\+5'"):
        evidence.add_evidence(ctx, fixture_fat_local_times.image, "EXH-2", {"time_zone": "UTC+5"})
    assert len(list(read_entries(ctx.db))) == before
