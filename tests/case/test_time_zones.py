"""Times a court can rely on (issue 21, point 8): FAT stores local wall-clock time; never a bare ``Z`` for it.

The FAT fixture was written by mtools with ``TZ=Asia/Karachi`` (UTC+5) from files whose modification times
are known UTC instants (``facts.json``); FAT keeps them in 2-second steps as Karachi wall-clock time. So the
listing must show the wall-clock value marked "zone unknown" until the examiner sets the zone, and then
the original UTC instant with the zone it was read in.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.models import Evidence
from forensics.case.queries.detail import file_detail
from forensics.case.queries.file_table import file_rows
from forensics.case.queries.files import iter_file_records
from forensics.case.store import record_evidence
from forensics.case.time_zones import set_time_zone
from forensics.core.errors import CaseError
from forensics.core.local_times import (
    RULE,
    TimeZoneError,
    is_local_time_fs,
    table_time,
    time_iso,
    time_text,
    to_utc,
)
from forensics.evidence.survey import survey_image
from forensics.pipeline.enumerate import enumerate_evidence
from forensics.reports.collect_case import computed_limitations
from forensics.reports.collect_evidence import collect_evidence
from tests.fixtures import FixtureImage, assert_unchanged

DATA = Path(__file__).resolve().parents[1] / "data"


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _karachi_wall(seconds: int) -> str:
    """The Karachi wall-clock value FAT keeps for a UTC instant (write times in 2-second steps)."""
    wall = datetime.fromtimestamp(seconds - seconds % 2, ZoneInfo("Asia/Karachi"))
    return wall.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture
def fat_case(tmp_path: Path, fixture_fat_local_times: FixtureImage):
    db = CaseDatabase(tmp_path / "case", create=True)
    with assert_unchanged(fixture_fat_local_times.evidence_files):
        with db.session() as s:
            record_evidence(s, "EXH-1", survey_image(fixture_fat_local_times.image), {}, "Alice Example")
            record_evidence(s, "EXH-2", survey_image(DATA / "pytsk" / "image.raw"), {}, "Alice Example")
        assert enumerate_evidence(db, 1) and enumerate_evidence(db, 2)
    yield db
    db.close()


def _records(db: CaseDatabase, item: str) -> dict[str, dict]:
    with db.session() as s:
        return {r["path"]: r for r in iter_file_records(s, item)}


def test_fat_times_are_local_zone_unknown_until_set(fat_case, fixture_fat_local_times: FixtureImage) -> None:
    facts = fixture_fat_local_times.facts["filesystems"][0]
    assert facts["time_zone"] == "Asia/Karachi"
    records = _records(fat_case, "EXH-1")
    for expected in (f for f in facts["files"] if f["kind"] == "file"):
        record = records[expected["path"]]
        assert record["mtime"] == f"{_karachi_wall(expected['mtime'])} (local, zone unknown)", expected[
            "path"
        ]
        assert record["time_basis"] == "local time, zone unknown"
        for field in ("mtime", "atime", "ctime", "crtime"):
            assert record[field] is None or not record[field].endswith("Z")
    note = records["/NOTE.TXT"]
    assert note["mtime"] == "2004-01-01T14:00:00 (local, zone unknown)"  # 09:00 UTC in Karachi


def test_setting_the_zone_gives_the_original_utc_instants(
    fat_case, fixture_fat_local_times: FixtureImage
) -> None:
    with fat_case.session() as s:
        assert set_time_zone(s, "EXH-1", "Asia/Karachi") == (None, "Asia/Karachi")
    records = _records(fat_case, "EXH-1")
    for expected in (
        f for f in fixture_fat_local_times.facts["filesystems"][0]["files"] if f["kind"] == "file"
    ):
        instant = expected["mtime"] - expected["mtime"] % 2
        wall = _karachi_wall(expected["mtime"])
        assert records[expected["path"]]["mtime"] == f"{_iso(instant)}Z (local {wall}, Asia/Karachi)"
        assert records[expected["path"]]["time_basis"] == "local time, converted to UTC from Asia/Karachi"
    assert records["/NOTE.TXT"]["mtime"] == "2004-01-01T09:00:00Z (local 2004-01-01T14:00:00, Asia/Karachi)"
    with fat_case.session() as s:  # read in India's zone instead, the same value is half an hour off
        assert set_time_zone(s, "EXH-1", "Asia/Kolkata") == ("Asia/Karachi", "Asia/Kolkata")
    kolkata = _records(fat_case, "EXH-1")["/NOTE.TXT"]["mtime"]
    assert kolkata == "2004-01-01T08:30:00Z (local 2004-01-01T14:00:00, Asia/Kolkata)"
    ext2 = _records(fat_case, "EXH-2")["/passwords.txt"]
    assert ext2["mtime"] == "2012-05-25T16:00:53Z" and ext2["time_basis"] == "UTC"  # ext2 stores UTC


def test_zone_changes_are_checked(fat_case) -> None:
    with fat_case.session() as s:
        with pytest.raises(TimeZoneError, match="unknown time zone 'Pakistan Standard Time'"):
            set_time_zone(s, "EXH-1", "Pakistan Standard Time")
        with pytest.raises(CaseError, match="no evidence item 'EXH-9'"):
            set_time_zone(s, "EXH-9", "Asia/Karachi")
        assert set_time_zone(s, "EXH-1", None) == (None, None)
        assert s.scalar(select(Evidence.time_zone).where(Evidence.item == "EXH-1")) is None


def test_the_report_states_the_rule_and_each_zone(fat_case) -> None:
    with fat_case.session() as s:
        notes = computed_limitations(s)
        assert f"Local times: {RULE} Source time zones: EXH-1: unknown (not set)." in notes
        set_time_zone(s, "EXH-1", "Asia/Karachi")
    with fat_case.session() as s:
        assert any(n.endswith("Source time zones: EXH-1: Asia/Karachi.") for n in computed_limitations(s))
        sections = {section.item: section for section in collect_evidence(fat_case, s)}
    assert ("Source time zone", "Asia/Karachi") in sections["EXH-1"].intake
    assert ("Source time zone", "unknown (not set by the examiner)") in sections["EXH-2"].intake
    assert "times stored as local wall-clock time" in sections["EXH-1"].file_systems[0]


def test_a_zone_given_at_intake_is_stored(tmp_path: Path, fixture_fat_local_times: FixtureImage) -> None:
    db = CaseDatabase(tmp_path / "case", create=True)
    try:
        with db.session() as s:
            survey = survey_image(fixture_fat_local_times.image)
            record_evidence(s, "EXH-1", survey, {"time_zone": "Asia/Karachi"}, "Alice Example")
            with pytest.raises(TimeZoneError):
                record_evidence(s, "EXH-2", survey, {"time_zone": "GMT+5"}, "Alice Example")
        with db.session() as s:
            assert s.scalar(select(Evidence.time_zone)) == "Asia/Karachi"
    finally:
        db.close()


def _wall_ns(*parts: int) -> int:
    return calendar.timegm((*parts, 0, 0, 0)) * 10**9


def test_daylight_saving_changes_are_named_not_guessed() -> None:
    repeated = _wall_ns(2024, 10, 27, 2, 30, 0)  # Berlin's clocks showed 02:30 twice that night
    assert to_utc(repeated, "Europe/Berlin").utc_ns == (
        _wall_ns(2024, 10, 27, 0, 30, 0),
        _wall_ns(2024, 10, 27, 1, 30, 0),
    )
    assert time_text(repeated, local=True, zone="Europe/Berlin") == (
        "2024-10-27T02:30:00 (local, Europe/Berlin: shown twice by its clocks, "
        "2024-10-27T00:30:00Z or 2024-10-27T01:30:00Z)"
    )
    assert time_iso(repeated, local=True, zone="Europe/Berlin") == "2024-10-27T02:30:00"
    skipped = _wall_ns(2024, 3, 31, 2, 30, 0)  # and never showed 02:30 in March
    assert to_utc(skipped, "Europe/Berlin").utc_ns == ()
    assert time_text(skipped, local=True, zone="Europe/Berlin") == (
        "2024-03-31T02:30:00 (local, Europe/Berlin: no such local time)"
    )
    summer = _wall_ns(2024, 7, 1, 14, 0, 0) + 340_000_000
    assert time_text(summer, local=True, zone="Europe/Berlin") == (
        "2024-07-01T12:00:00.34Z (local 2024-07-01T14:00:00.34, Europe/Berlin)"
    )
    assert time_text(summer, local=True, zone=None) == "2024-07-01T14:00:00.34 (local, zone unknown)"
    assert time_iso(summer, local=True, zone=None) == "2024-07-01T14:00:00.34"
    assert time_text(summer, local=False, zone="Europe/Berlin") == "2024-07-01T14:00:00.34Z"


def test_report_rows_carry_iso_times_and_their_basis(fat_case) -> None:
    from forensics.case.models import File, FileSystem
    from forensics.reports.collect_findings import file_row

    why = dict(
        basis="exact MD5", algorithm="md5", distance=0, threshold=None, set_name="s", set_version=None,
        entry="e", list_category=None, list_category_label=None, examiner_category=None,
        examiner_category_label=None,
    )  # fmt: skip
    with fat_case.session() as s:
        f, fs = s.execute(
            select(File, FileSystem)
            .join(FileSystem, FileSystem.id == File.filesystem_id)
            .where(File.path == "/NOTE.TXT")
        ).one()
        unknown = file_row(1, f, "EXH-1", fs, None, None, **why)
        known = file_row(1, f, "EXH-1", fs, None, "Asia/Karachi", **why)
    assert (unknown.mtime, unknown.time_basis) == ("2004-01-01T14:00:00", "local time, zone unknown")
    assert (known.mtime, known.time_basis) == (
        "2004-01-01T09:00:00Z",
        "local time, converted to UTC from Asia/Karachi",
    )


def test_the_gui_queries_follow_the_rule(fat_case) -> None:
    """The file table's column (headed UTC) and the detail panel's times, before and after the zone."""
    note = _records(fat_case, "EXH-1")["/NOTE.TXT"]["id"]

    def shown() -> tuple[str, str, str]:
        detail = file_detail(fat_case, note)["file"]
        row = file_rows(fat_case, [note])[note]
        column = table_time(row["mtime_ns"], local=is_local_time_fs(row["fs_type"]), zone=row["time_zone"])
        return detail["mtime"], detail["time_basis"], column

    assert shown() == (
        "2004-01-01T14:00:00 (local, zone unknown)",
        "local time, zone unknown",
        "2004-01-01 14:00:00 (local, zone unknown)",
    )
    with fat_case.session() as s:
        set_time_zone(s, "EXH-1", "Asia/Karachi")
    assert shown() == (
        "2004-01-01T09:00:00Z (local 2004-01-01T14:00:00, Asia/Karachi)",
        "local time, converted to UTC from Asia/Karachi",
        "2004-01-01 09:00:00",
    )
    ext2 = _records(fat_case, "EXH-2")["/passwords.txt"]["id"]
    row = file_rows(fat_case, [ext2])[ext2]
    assert table_time(row["mtime_ns"], local=is_local_time_fs(row["fs_type"]), zone=row["time_zone"]) == (
        "2012-05-25 16:00:53"
    )
    assert file_detail(fat_case, ext2)["file"]["time_basis"] == "UTC"
