"""Source time zones on the command line: ``evidence add --time-zone``, ``evidence set-time-zone``.

FAT stores local clock time: the scripted ``fat_local_times`` image (a device set to Asia/Karachi) is
listed as local, zone unknown until the examiner gives the zone, then in UTC with the local value and
the zone beside it; each change is a custody entry, and a name that is no IANA zone is refused in one line.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.cli_helpers import cli, files_jsonl, new_case
from tests.fixtures import FixtureImage, assert_unchanged

NOTE_LOCAL = "2004-01-01T14:00:00 (local, zone unknown)"
NOTE_KARACHI = "2004-01-01T09:00:00Z (local 2004-01-01T14:00:00, Asia/Karachi)"


def _note(capsys, case: Path, item: str) -> dict:
    return next(r for r in files_jsonl(capsys, case) if r["item"] == item and r["path"] == "/NOTE.TXT")


def _zone_entries(capsys, case: Path) -> list[dict]:
    run = cli(capsys, "custody", "log", case, "--jsonl")
    assert run.code == 0, run.err
    entries = [json.loads(line) for line in run.out.splitlines() if line.strip()]
    return [e for e in entries if e["action"] == "time_zone_set"]


def test_zone_at_intake_and_changed_later(
    tmp_path: Path, capsys, fixture_fat_local_times: FixtureImage
) -> None:
    case = new_case(capsys, tmp_path / "case")
    image = fixture_fat_local_times.image
    with assert_unchanged(fixture_fat_local_times.evidence_files):
        run = cli(capsys, "evidence", "add", case, image, "--item", "EXH-1", "--time-zone", "Asia/Karachi")
        assert run.code == 0, run.err
        run = cli(capsys, "evidence", "add", case, image, "--item", "EXH-2", "--no-verify")
        assert run.code == 0, run.err
        assert cli(capsys, "ingest", case).code == 0
    assert _note(capsys, case, "EXH-1")["mtime"] == NOTE_KARACHI
    unknown = _note(capsys, case, "EXH-2")
    assert unknown["mtime"] == NOTE_LOCAL and unknown["time_basis"] == "local time, zone unknown"

    run = cli(capsys, "evidence", "set-time-zone", case, "EXH-2", "Asia/Karachi")
    assert run.code == 0, run.err
    assert run.out.strip() == "EXH-2: source time zone unknown -> Asia/Karachi"
    assert _note(capsys, case, "EXH-2")["mtime"] == NOTE_KARACHI
    entries = _zone_entries(capsys, case)
    assert [(e["item"], e["details"]["old"], e["details"]["new"]) for e in entries] == [
        ("EXH-2", None, "Asia/Karachi")
    ]
    verify = cli(capsys, "custody", "verify", case)
    assert verify.code == 0 and "INTACT" in verify.out


def test_names_that_are_no_zone_are_refused(
    tmp_path: Path, capsys, fixture_fat_local_times: FixtureImage
) -> None:
    case = new_case(capsys, tmp_path / "case")
    image = fixture_fat_local_times.image
    run = cli(capsys, "evidence", "add", case, image, "--item", "EXH-1", "--time-zone", "PKT", "--no-verify")
    assert run.code != 0 and "Traceback" not in run.err
    assert "--time-zone: unknown time zone 'PKT'" in run.err and "IANA" in run.err
    assert cli(capsys, "evidence", "add", case, image, "--item", "EXH-1", "--no-verify").code == 0
    run = cli(capsys, "evidence", "set-time-zone", case, "EXH-1", "Karachi")
    assert run.code != 0 and "unknown time zone 'Karachi'" in run.err and "Traceback" not in run.err
    run = cli(capsys, "evidence", "set-time-zone", case, "EXH-1", "unknown")
    assert run.code != 0 and "already is unknown: nothing changed" in run.err
    assert _zone_entries(capsys, case) == []
