"""An examiner supplies an archive's password and re-runs it: encrypted members opened in place (same
rows), what they hold listed, analysed, matched; a wrong password or an unsupported method leaves them
closed with a clear note; one ``archive_unlocked`` entry, never the password; the results sealed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from forensics.case.content import read_item
from forensics.core.errors import EvidenceError
from forensics.core.progress import CancelToken
from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.pipeline.processing_profiles import load_profile
from forensics.services import cases, evidence, ingest, matching
from forensics.services.archive_password import ArchivePasswordError, has_encrypted_members, unlock_archive
from tests.archive_fixtures import INNER, PASSWORD, WRONG, build_seized_folder
from tests.fixtures import assert_unchanged

EXAMINER = "Alice Archives"
PASSPHRASE = "archive passphrase"


@pytest.fixture
def seized(tmp_path: Path):
    """A case whose evidence item EXH-1 (a folder) was ingested with the triage profile."""
    photos = build_seized_folder(tmp_path / "seized", tmp_path / "work")
    create_examiner(EXAMINER, "Lab", "A-9", PASSPHRASE)
    ctx = cases.create_case(
        tmp_path / "case", number="Z-1", title="zips", agency=None, examiner=EXAMINER, passphrase=PASSPHRASE
    )
    evidence.add_evidence(ctx, tmp_path / "seized", "EXH-1", {})
    ingest.ingest_item(ctx, "EXH-1", load_profile("triage"), 1, library=str(tmp_path / "library.db"))
    yield ctx, photos, tmp_path
    ctx.close()


def _rows(ctx) -> list[tuple]:
    with sqlite3.connect(ctx.case_dir / "case.db") as conn:
        return conn.execute(
            "SELECT id, parent_id, path, status, md5, error, link_json FROM files ORDER BY id"
        ).fetchall()


def _id(ctx, path: str, parent: int | None = None) -> int:
    found = [r[0] for r in _rows(ctx) if r[2].endswith(path) and (parent is None or r[1] == parent)]
    assert len(found) == 1, (path, found)
    return found[0]


def _row(ctx, file_id: int) -> tuple:
    return next(r for r in _rows(ctx) if r[0] == file_id)


def _evidence_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "seized").iterdir())


def _unlocks(ctx) -> list:
    return [e for e in read_entries(ctx.db) if e.action == "archive_unlocked"]


def test_members_listed_encrypted_before_any_password(seized) -> None:
    ctx, _photos, _tmp = seized
    archive = _id(ctx, "photos.zip")
    members = [r for r in _rows(ctx) if r[1] == archive]
    assert [r[2] for r in members] == ["DSCN0010.jpg", "Canon_40D.jpg", "inner.zip"]
    for row in members:
        assert row[3] == "no-content" and row[4] is None and row[5] == "encrypted, not opened"
        assert "encrypted" in json.loads(row[6])["flags"]


def test_the_right_password_opens_the_members_in_place_and_what_they_hold(seized) -> None:
    ctx, photos, tmp_path = seized
    archive = _id(ctx, "photos.zip")
    before = _rows(ctx)
    members = {r[2]: r[0] for r in before if r[1] == archive}
    with assert_unchanged(_evidence_files(tmp_path)):
        result = unlock_archive(ctx, archive, PASSWORD, library=str(tmp_path / "library.db"))
    assert result.status == "finished" and result.password_accepted and not result.wrong_password
    assert result.opened == [(members[n], n) for n in ("DSCN0010.jpg", "Canon_40D.jpg", "inner.zip")]
    assert result.still_closed == []
    after = _rows(ctx)
    # the same rows, now read; one new row: the photo inside the (plain) zip inside the encrypted zip
    assert len(after) == len(before) + 1
    for name in ("DSCN0010.jpg", "Canon_40D.jpg"):
        row = _row(ctx, members[name])
        assert row[3] == "done" and row[4] == photos[name] and row[5] is None
        assert "encrypted" in json.loads(row[6])["flags"]  # still said to be encrypted in the evidence
    inner = _id(ctx, "DSCN0025.jpg", parent=members["inner.zip"])
    assert _row(ctx, inner)[4] == photos["DSCN0025.jpg"] and result.found_inside == 1
    # analysed per the case's profile (triage: type and perceptual hashes)
    with sqlite3.connect(ctx.case_dir / "case.db") as conn:
        mime, pdq = conn.execute(
            "SELECT mime, pdq FROM file_analysis WHERE file_id = ?", (members["DSCN0010.jpg"],)
        ).fetchone()
    assert mime == "image/jpeg" and pdq
    # the other archives were not touched
    assert [r for r in after if r[1] != archive and r[0] != inner] == [r for r in before if r[1] != archive]
    # later reads need the password again: given, the bytes equal the listed MD5
    with pytest.raises(EvidenceError, match="encrypted, not opened"):
        read_item(ctx.db, members["DSCN0010.jpg"])
    data = read_item(ctx.db, members["DSCN0010.jpg"], passwords={archive: PASSWORD})
    assert hashlib.md5(data).hexdigest() == photos["DSCN0010.jpg"]
    nested = read_item(ctx.db, inner, passwords={archive: PASSWORD})
    assert hashlib.md5(nested).hexdigest() == photos["DSCN0025.jpg"]
    # one custody entry, exact, without the password; the results seal verifies
    (entry,) = _unlocks(ctx)
    assert entry.item == "EXH-1" and entry.target["path"] == "/photos.zip"
    assert entry.details == {
        "file_id": archive,
        "job_id": result.job_id,
        "profile": "triage",
        "status": "finished",
        "password_accepted": True,
        "members_opened": 3,
        "members_still_closed": 0,
        "items_found_inside": 1,
        "opened": [
            {"file_id": members[n], "path": n} for n in ("DSCN0010.jpg", "Canon_40D.jpg", "inner.zip")
        ],
        "still_closed": [],
    }
    assert PASSWORD.encode("utf-8") not in (ctx.case_dir / "case.db").read_bytes()
    actions = [(e.action, e.details.get("job")) for e in read_entries(ctx.db)]
    unlocked = actions.index(("archive_unlocked", None))
    assert actions[unlocked - 1] == ("results_sealed", "archive-unlock")  # the job's rows sealed first
    assert actions[unlocked + 1 :] == [("results_sealed", "match")]  # then matched (triage), sealed
    report = verify_case(ctx.case_dir)
    assert report.ok and report.results is not None and report.results.clean


def test_a_wrong_password_leaves_the_members_closed_with_a_note(seized) -> None:
    ctx, _photos, tmp_path = seized
    archive = _id(ctx, "photos.zip")
    with assert_unchanged(_evidence_files(tmp_path)):
        result = unlock_archive(ctx, archive, WRONG)
    assert result.status == "finished" and result.wrong_password and not result.password_accepted
    assert [m.note for m in result.still_closed] == ["encrypted, not opened: wrong password"] * 3
    for member in result.still_closed:
        row = _row(ctx, member.file_id)
        assert row[3] == "no-content" and row[4] is None and "encrypted" in json.loads(row[6])["flags"]
    (entry,) = _unlocks(ctx)
    assert entry.details["password_accepted"] is False and entry.details["members_opened"] == 0
    assert entry.details["still_closed"][0]["note"] == "encrypted, not opened: wrong password"
    assert verify_case(ctx.case_dir).ok
    # the right one afterwards opens them, still in place
    again = unlock_archive(ctx, archive, PASSWORD)
    assert [i for i, _p in again.opened] == [m.file_id for m in result.still_closed]


def test_winzip_aes_members_open_through_libarchive(seized) -> None:
    ctx, photos, _tmp = seized
    archive = _id(ctx, "aes.zip")
    result = unlock_archive(ctx, archive, PASSWORD)
    assert sorted(p for _i, p in result.opened) == ["Canon_40D.jpg", "DSCN0010.jpg"]  # 7-Zip sorts names
    for file_id, name in result.opened:
        assert _row(ctx, file_id)[4] == photos[name]
        data = read_item(ctx.db, file_id, passwords={archive: PASSWORD})
        assert hashlib.md5(data).hexdigest() == photos[name]
    with pytest.raises(ArchivePasswordError, match="no encrypted member still closed"):
        unlock_archive(ctx, archive, WRONG)  # nothing left to open: a read member is never closed again


def test_a_second_archive_of_the_same_file_leaves_the_first_opened(seized) -> None:
    """Both archives lie in one evidence file (a zip holding two encrypted zips): unlocking the second
    re-runs that file without the first's password, and the first's members stay read."""
    ctx, photos, _tmp = seized
    first = _id(ctx, "photos.zip")
    unlock_archive(ctx, first, PASSWORD)
    opened = [r for r in _rows(ctx) if r[1] == first]
    ingest.ingest_item(ctx, "EXH-1", load_profile("full"), 1)  # a richer profile: the zip is redone
    assert [r for r in _rows(ctx) if r[1] == first] == opened


def test_7z_aes_stays_closed_as_an_unsupported_method(seized) -> None:
    ctx, _photos, tmp_path = seized
    archive = _id(ctx, "album.7z")
    with assert_unchanged(_evidence_files(tmp_path)):
        result = unlock_archive(ctx, archive, PASSWORD)
    assert result.opened == [] and not result.wrong_password
    assert {m.note for m in result.still_closed} == {"encrypted, not opened: encryption method not supported"}
    assert _unlocks(ctx)[0].details["members_still_closed"] == 2
    assert verify_case(ctx.case_dir).ok


def test_a_photo_listed_in_a_hash_set_is_found_inside_the_opened_archive(seized) -> None:
    ctx, photos, tmp_path = seized
    listed = tmp_path / "alerts.txt"
    listed.write_text(photos["DSCN0025.jpg"] + "\n", encoding="ascii")
    library = str(tmp_path / "alerts.db")
    with HashSetLibrary(library) as lib:
        import_hash_set(lib, listed, ImportOptions(name="alerts", kind="alert", format="plain"))
    matching.match(ctx, library)
    with sqlite3.connect(ctx.case_dir / "case.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0] == 0
    result = unlock_archive(ctx, _id(ctx, "photos.zip"), PASSWORD, library=library)
    assert result.match is not None
    inner = _id(ctx, "DSCN0025.jpg")
    with sqlite3.connect(ctx.case_dir / "case.db") as conn:
        found = conn.execute("SELECT file_id FROM findings").fetchall()
    assert found == [(inner,)]
    assert verify_case(ctx.case_dir).ok


def test_refusals_record_nothing(seized) -> None:
    ctx, _photos, _tmp = seized
    entries = len(list(read_entries(ctx.db)))
    with pytest.raises(ArchivePasswordError, match="no encrypted member"):
        unlock_archive(ctx, _id(ctx, "readme.txt"), PASSWORD)
    assert len(list(read_entries(ctx.db))) == entries


def test_a_cancelled_run_keeps_the_file_and_can_be_run_again(seized) -> None:
    ctx, photos, _tmp = seized
    archive = _id(ctx, "photos.zip")
    before = _rows(ctx)
    cancel = CancelToken()
    cancel.cancel()
    result = unlock_archive(ctx, archive, PASSWORD, cancel=cancel)
    assert result.status == "cancelled" and result.opened == []
    assert _rows(ctx) == before  # the file back to done, its members as they were
    assert _unlocks(ctx)[0].details["status"] == "cancelled"
    assert verify_case(ctx.case_dir).ok
    again = unlock_archive(ctx, archive, PASSWORD)
    assert again.status == "finished" and len(again.opened) == 3


def test_an_encrypted_archive_inside_an_encrypted_archive_needs_both_passwords(seized) -> None:
    ctx, photos, _tmp = seized
    outer = _id(ctx, "nested.zip")
    opened = unlock_archive(ctx, outer, PASSWORD)
    ((inner, name),) = opened.opened
    assert name == "locked.zip" and opened.found_inside == 1  # its member listed, still encrypted
    assert has_encrypted_members(ctx, inner)
    entries = len(list(read_entries(ctx.db)))
    with pytest.raises(ArchivePasswordError, match="passwords are needed too"):
        unlock_archive(ctx, inner, INNER)
    assert len(list(read_entries(ctx.db))) == entries
    result = unlock_archive(ctx, inner, INNER, other_passwords={outer: PASSWORD})
    ((member, path),) = result.opened
    assert path == "Canon_40D.jpg" and _row(ctx, member)[4] == photos["Canon_40D.jpg"]
    assert _row(ctx, inner)[3] == "done"  # the outer archive's member stays read
    data = read_item(ctx.db, member, passwords={outer: PASSWORD, inner: INNER})
    assert hashlib.md5(data).hexdigest() == photos["Canon_40D.jpg"]
    assert verify_case(ctx.case_dir).ok
