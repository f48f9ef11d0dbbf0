"""Phone extractions through the command line: ``evidence add``, ``ingest --profile triage``, ``match`` and
``findings --jsonl``, with the WhatsApp provenance of matched pictures.

Scripted fixtures (``scripts/fixtures/phones``, ground truth in their ``facts.json``): one Android phone
as a zip with a ``Dump/`` root, a tar with ``filesystem1/``, a tar.gz with no wrapper, an extracted
folder and a Cellebrite ``.ufd`` pointing at the zip; its WhatsApp group chat carries real photos
(``tests/data/pdqhash-python``): one in the media folder, one moved and renamed out of it, one deleted
with only its message left. The hash list holds the SHA-256 of those three photos. MVT's real samples are
read from ``shared/corpus/mvt`` (skipped when absent; never copied into the repository).
"""

from __future__ import annotations

import hashlib
import json
import plistlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.app.cli_helpers import case_db, cli, files_jsonl, new_case
from tests.fixtures import assert_unchanged
from tests.phones_helpers import REPO_ROOT, encrypted_ios, phones, require_mvt

ANDROID = {  # evidence path (in the fixture folder) -> the format `evidence add` names
    "android_ffs.zip": "ffs-zip",
    "android_ffs.tar": "ffs-tar",
    "android_ffs.tar.gz": "ffs-tar",
    "android_tree": "ffs-folder",
    "extraction.ufd": "ffs-zip",
}
LISTED = {"image1.jpg": "in place", "image3.jpg": "moved", "image4.jpg": "deleted"}
MVT_PASSWORD = "123456"


def _jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _members(records: list[dict]) -> list[dict]:
    """Listing records of the extraction's member files (not its folders)."""
    return [r for r in records if r["kind"] == "file"]


def _evidence_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


@pytest.fixture
def hash_list(tmp_path, monkeypatch, capsys) -> dict:
    """A library holding one alert list: the SHA-256 of the three listed photos."""
    _folder, facts = phones()
    media = {m["photo"]: m for m in facts["whatsapp"]["media"]}
    listed = tmp_path / "alerts.txt"
    listed.write_text("".join(media[photo]["sha256"] + "\n" for photo in LISTED), encoding="utf-8")
    monkeypatch.setenv("CUSTOS_HASHSET_LIBRARY", str(tmp_path / "library.db"))
    run = cli(
        capsys, "hashset", "import", listed, "--name", "phone-alerts", "--kind", "alert", "--format", "sha256"
    )
    assert run.code == 0, run.err
    return media


@pytest.mark.parametrize("name", sorted(ANDROID))
def test_android_extraction_end_to_end_with_whatsapp_provenance(name, tmp_path, capsys, hash_list):
    folder, facts = phones()
    evidence = folder / name
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged(_evidence_files(evidence) + [folder / "android_ffs.zip"]):
        run = cli(capsys, "evidence", "add", case, evidence, "--item", "PHONE")
        assert run.code == 0, run.err
        assert f"format {ANDROID[name]}, platform android, not encrypted" in run.out
        run = cli(capsys, "ingest", case, "--profile", "triage", "--workers", "1")
        assert run.code == 0, run.err
        assert "7 media messages, 2 chats, 2 contacts (android-message)" in run.out
        assert "6 linked to items" in run.out and "1 whose file is in no item" in run.out
        assert cli(capsys, "match", case).code == 0
        findings = _jsonl(cli(capsys, "findings", case, "--jsonl").out)

    members = _members(files_jsonl(capsys, case))
    assert sorted(r["path"] for r in members) == facts["android"]["device_paths"]
    assert {r["path"]: r["sha256"] for r in members} == facts["android"]["file_sha256"]
    assert all(r["located"].endswith("evidence item PHONE") for r in members)

    group, base_ms = facts["whatsapp"]["group_name"], facts["whatsapp"]["base_ms"]
    by_photo = {}
    for finding in findings:
        photo = next(p for p, m in hash_list.items() if m["sha256"] == finding["sha256"])
        by_photo[photo] = finding
    assert sorted(by_photo) == sorted(LISTED)
    for photo, finding in by_photo.items():
        planned = hash_list[photo]
        (message,) = finding["provenance"]
        assert message["group"] and message["group_name"] == group
        assert message["sender_jid"] == planned["sender"] and message["direction"] == "received"
        assert message["forwarded"] is planned["forwarded"]
        assert message["caption"] == planned["caption"]
        assert message["message_id"] == planned["key_id"]
        seconds = base_ms // 1000 + planned["offset_s"]
        assert message["time"] == _iso(seconds)
        if LISTED[photo] == "deleted":  # only its message is left: a finding from the stored hash alone
            assert finding["message_only"] and finding["path"] == planned["file_path"]
            assert finding["matched_hash"] == planned["sha256"] and "link_rule" not in message
        else:
            assert not finding["message_only"] and message["link_rule"] == "sha256"
            assert finding["path"] == "/" + planned["lies_at"]  # the moved one wherever it now lies
    contacts = facts["whatsapp"]["contacts"]
    assert (
        by_photo["image1.jpg"]["provenance"][0]["sender_name"] == contacts[hash_list["image1.jpg"]["sender"]]
    )


def _iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_ufdr_lists_report_paths_and_checks_the_hashes_it_states(tmp_path, capsys):
    folder, facts = phones()
    case = new_case(capsys, tmp_path / "case")
    for item, name in (("UFDR", "report.ufdr"), ("BAD", "report_hash_mismatch.ufdr")):
        run = cli(capsys, "evidence", "add", case, folder / name, "--item", item)
        assert run.code == 0 and "Cellebrite UFDR" in run.out, run.err
    assert cli(capsys, "ingest", case, "--profile", "hashes", "--workers", "1").code == 0
    records = [r for r in files_jsonl(capsys, case) if r["item"] == "UFDR" and r["kind"] == "file"]
    entries = {e["path"]: e for e in facts["ufdr"]["entries"]}
    assert sorted(r["path"] for r in records) == sorted(entries)
    for record in records:
        entry = entries[record["path"]]
        assert record["deleted"] is (entry["deleted"] == "Deleted")
        if entry["local"] is None:  # listed by the report, no bytes in the UFDR
            assert record["status"] == "no-content" and record["md5"] is None
        else:
            assert record["md5"] == entry["hashes"]["MD5"] and record["sha256"] == entry["hashes"]["SHA256"]
            assert record["mtime"] == "2026-03-02T14:12:30Z" and record["crtime"] == "2026-03-02T14:11:00Z"
    with case_db(case) as db, db.engine.connect() as conn:
        notes = conn.exec_driver_sql(
            "SELECT e.item, i.message FROM ingest_errors i JOIN evidence e ON e.id = i.evidence_id "
            "WHERE i.stage = 'extraction'"
        ).all()
    assert len(notes) == 1 and notes[0][0] == "BAD"
    assert notes[0][1].startswith(facts["ufdr"]["hash_mismatch"] + ": the hash the extraction states differs")


@pytest.mark.parametrize("name", ["ufdr_billion_laughs.ufdr", "ufdr_external_entity.ufdr"])
def test_hostile_report_xml_is_refused_and_nothing_is_recorded(name, tmp_path, capsys):
    folder, _facts = phones()
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged([folder / name]):
        run = cli(capsys, "evidence", "add", case, folder / name, "--item", "X")
    assert run.code == 2 and "report.xml refused" in run.err and "hostile XML" in run.err
    with case_db(case) as db, db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM evidence").scalar() == 0


def test_unknown_msgstore_schema_lists_the_files_and_says_why_provenance_is_missing(tmp_path, capsys):
    folder, facts = phones()
    case = new_case(capsys, tmp_path / "case")
    assert cli(capsys, "evidence", "add", case, folder / "unknown_schema.zip", "--item", "U").code == 0
    run = cli(capsys, "ingest", case, "--profile", "triage", "--workers", "1")
    assert run.code == 0, run.err
    assert "provenance unavailable: unknown msgstore.db schema (user_version 999" in run.out
    assert sorted(r["path"] for r in _members(files_jsonl(capsys, case))) == facts["android"]["device_paths"]
    shown = cli(capsys, "whatsapp", case, "--show", "--jsonl")
    (database,) = [r["database"] for r in _jsonl(shown.out) if "database" in r]
    assert not database["available"] and database["reason"].startswith("provenance unavailable: unknown")
    report = tmp_path / "report.html"
    assert cli(capsys, "report", case, "--html", report).code == 0
    assert "provenance unavailable: unknown msgstore.db schema" in report.read_text(encoding="utf-8")


def test_adb_backups_wrong_password_truncation_and_custody(tmp_path, capsys, monkeypatch):
    folder, facts = phones()
    password = facts["adb"]["password"]
    case = new_case(capsys, tmp_path / "case")
    encrypted = folder / "adb_encrypted.ab"
    with assert_unchanged([encrypted, folder / "adb_truncated.ab"]):
        run = cli(capsys, "evidence", "add", case, encrypted, "--item", "AB", "--password", "not-it")
        assert run.code == 2 and "wrong password" in run.err and "nothing was decrypted" in run.err
        with case_db(case) as db, db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM evidence").scalar() == 0
        run = cli(capsys, "evidence", "add", case, encrypted, "--item", "AB")
        assert run.code == 0 and "encrypted: the ingest will need its password" in run.out
        run = cli(capsys, "ingest", case, "--profile", "hashes", "--workers", "1")  # no terminal to ask on
        assert run.code == 2 and "a password is needed" in run.err
        monkeypatch.setenv("CUSTOS_EVIDENCE_PASSWORD", "still-not-it")
        run = cli(capsys, "ingest", case, "--profile", "hashes", "--workers", "1")
        assert run.code == 2 and "wrong password" in run.err
        with case_db(case) as db, db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM ingest_jobs").scalar() == 0
        monkeypatch.setenv("CUSTOS_EVIDENCE_PASSWORD", password)
        assert cli(capsys, "evidence", "add", case, folder / "adb_truncated.ab", "--item", "CUT").code == 0
        run = cli(capsys, "ingest", case, "--profile", "hashes", "--workers", "1")
        assert run.code == 0, run.err
    assert "CUT" in run.err and "truncated" in run.err  # the listing broke off: said, and kept so far
    records = files_jsonl(capsys, case)
    full = {r["path"]: r for r in records if r["item"] == "AB" and r["kind"] == "file"}
    expected = {
        "/data/data/com.whatsapp/databases/msgstore.db",
        "/storage/emulated/0/DCIM/Camera/IMG_0002.jpg",
    }
    assert expected <= set(full)
    assert (
        full["/data/data/com.whatsapp/databases/msgstore.db"]["md5"]
        == (facts["adb"]["members_md5"]["apps/com.whatsapp/db/msgstore.db"])
    )
    cut = [r for r in records if r["item"] == "CUT" and r["kind"] == "file"]
    assert cut and cut[0]["md5"] == full["/data/data/com.whatsapp/databases/msgstore.db"]["md5"]
    entries = _custody(case)
    decrypted = [e for e in entries if e["action"] == "extraction_decrypted"]
    # once per successful unlock (CUT's intake had the password in the environment), none for wrong ones
    assert [(e["item"], e["details"]["stage"]) for e in decrypted] == [
        ("CUT", "intake"),
        ("AB", "ingest"),
        ("CUT", "ingest"),
    ]
    assert password not in (case / "case.db").read_bytes().decode("latin-1")
    assert not any(password in json.dumps(e) for e in entries)


def _custody(case: Path) -> list[dict]:
    from forensics.custody.log import read_entries

    with case_db(case) as db:
        return [{"action": e.action, "item": e.item, "details": e.details} for e in read_entries(db)]


def test_ios_backup_of_mvt_lists_every_manifest_file(tmp_path, capsys):
    root = require_mvt() / "ios_backup"
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged(_evidence_files(root)):
        run = cli(capsys, "evidence", "add", case, root, "--item", "IOS")
        assert run.code == 0, run.err
        assert "device Build Version: 18C66" in run.out and "device IMEI: 42" in run.out
        assert "members listed: 3722" in run.out  # 3,721 Manifest.db rows and 1 file no row names
        assert cli(capsys, "ingest", case, "--profile", "triage", "--workers", "1").code == 0
    records = files_jsonl(capsys, case)
    listed = [r for r in records if r["link"] == "ios-backup-file"]
    # every Manifest.db row, and the one file the backup folder stores that no row names (no device path,
    # listed under its place in the folder); the other rows are folders only the members' paths name
    assert len(listed) == 3721 + 1
    assert [r["path"] for r in listed if not r["path"].startswith("/private/")] == [
        "/e7/e794f6ffcc3c222535f47684a63d5178da3c4500"
    ]
    assert {r["kind"] for r in records if r["link"] != "ios-backup-file"} == {"virtual-dir"}
    members = _members(listed)
    hashed = {r["sha256"] for r in members if r["md5"]}
    on_disk = {hashlib.sha256(p.read_bytes()).hexdigest() for p in root.glob("??/*")}
    assert hashed == on_disk  # the sample keeps the bytes of 11 files only: each hashed as stored
    sms = next(r for r in members if r["path"] == "/private/var/mobile/Library/SMS/sms.db")
    assert sms["kind"] == "file"
    shown = _jsonl(cli(capsys, "whatsapp", case, "--show", "--jsonl").out)
    (database,) = [r["database"] for r in shown if "database" in r]
    assert database["available"] and database["chats"] == 2 and database["text_messages"] == 3


def test_encrypted_ios_backup_unlocks_once_with_progress(tmp_path, capsys, monkeypatch):
    folder, facts = encrypted_ios()
    case = new_case(capsys, tmp_path / "case")
    run = cli(capsys, "evidence", "add", case, folder, "--item", "IOS-E")
    assert run.code == 0 and "iOS iTunes/Finder backup (encrypted)" in run.out, run.err
    monkeypatch.setenv("CUSTOS_EVIDENCE_PASSWORD", "wrong")
    run = cli(capsys, "ingest", case, "--profile", "hashes", "--workers", "1")
    assert run.code == 2 and "wrong password for the encrypted iOS backup" in run.err
    monkeypatch.setenv("CUSTOS_EVIDENCE_PASSWORD", facts["password"])
    with assert_unchanged(_evidence_files(folder)):
        run = cli(capsys, "ingest", case, "--profile", "hashes", "--workers", "1", "--progress-jsonl")
    assert run.code == 0, run.err
    phases = [json.loads(line)["phase"] for line in run.err.splitlines() if line.startswith('{"progress"')]
    assert "unlocking" in phases
    hashed = {r["path"]: r["sha256"] for r in files_jsonl(capsys, case) if r["sha256"]}
    assert sorted(hashed.values()) == sorted(facts["files_sha256"].values())
    decrypted = [e for e in _custody(case) if e["action"] == "extraction_decrypted"]
    assert len(decrypted) == 1 and decrypted[0]["details"]["format"] == "ios-backup"


def test_manifest_db_that_is_not_sqlite_is_refused(tmp_path, capsys):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "Info.plist").write_bytes(plistlib.dumps({"Build Version": "18C66"}))
    (backup / "Manifest.plist").write_bytes(plistlib.dumps({"IsEncrypted": False}))
    (backup / "Manifest.db").write_bytes(b"this is not a database\n" * 40)
    case = new_case(capsys, tmp_path / "case")
    run = cli(capsys, "evidence", "add", case, backup, "--item", "IOS")
    assert run.code == 2 and "not an SQLite database" in run.err
    assert sqlite3.connect(case / "case.db").execute("SELECT count(*) FROM evidence").fetchone() == (0,)


def test_verify_an_extraction_against_its_intake_and_ufd_hashes(tmp_path, capsys):
    folder, _facts = phones()
    case = new_case(capsys, tmp_path / "case")
    assert cli(capsys, "evidence", "add", case, folder / "extraction.ufd", "--item", "UFD").code == 0
    run = cli(capsys, "verify", case, "--item", "UFD")
    assert run.code == 0, run.err
    assert (
        "sha256         MATCH    expected" in run.out and "(ufd-stated)" in run.out and "(intake)" in run.out
    )
    copy = tmp_path / "tree"
    shutil.copytree(folder / "android_tree", copy)
    assert cli(capsys, "evidence", "add", case, copy, "--item", "TREE").code == 0
    run = cli(capsys, "verify", case, "--item", "TREE")
    assert run.code == 2 and "no single file to verify" in run.err


def test_a_message_links_to_its_file_on_another_evidence_item(tmp_path, capsys):
    folder, facts = phones()
    media = {m["photo"]: m for m in facts["whatsapp"]["media"]}
    elsewhere = tmp_path / "laptop"  # the deleted picture, found on another seized device
    elsewhere.mkdir()
    shutil.copyfile(
        REPO_ROOT / "tests" / "data" / "pdqhash-python" / "images" / "image4.jpg", elsewhere / "x.jpg"
    )
    case = new_case(capsys, tmp_path / "case")
    assert cli(capsys, "evidence", "add", case, folder / "adb_plain.ab", "--item", "PHONE").code == 0
    assert cli(capsys, "evidence", "add", case, elsewhere, "--item", "LAPTOP").code == 0
    run = cli(capsys, "ingest", case, "--profile", "triage", "--workers", "1")
    assert run.code == 0, run.err
    records = {(r["item"], r["path"]): r for r in files_jsonl(capsys, case)}
    laptop = records[("LAPTOP", "/x.jpg")]
    assert laptop["sha256"] == media["image4.jpg"]["sha256"]
    from forensics.case.queries.whatsapp import provenance_of

    with case_db(case) as db:
        (message,) = provenance_of(db, [laptop["id"]])[laptop["id"]]
    assert message["item"] == "PHONE" and message["link_rule"] == "sha256"
    assert message["message_id"] == media["image4.jpg"]["key_id"] and message["forwarded"] is True


def test_an_archive_inside_a_tar_gz_extraction_is_opened_and_its_member_reopens(tmp_path, capsys):
    from forensics.case.content import read_item

    folder, facts = phones()
    case = new_case(capsys, tmp_path / "case")
    evidence = folder / "android_nested.tar.gz"
    with assert_unchanged([evidence]):
        assert cli(capsys, "evidence", "add", case, evidence, "--item", "N").code == 0
        assert cli(capsys, "ingest", case, "--profile", "triage", "--workers", "1").code == 0
        records = files_jsonl(capsys, case)
        archive = next(r for r in records if r["path"] == facts["nested"]["archive"])
        (child,) = [r for r in records if r["parent_id"] == archive["id"]]
        assert child["path"] == facts["nested"]["member"] and child["md5"] == facts["nested"]["member_md5"]
        assert child["located"] == (
            f"pics/kept.jpg, member of {facts['nested']['archive']}, member of the phone extraction "
            "(ffs-tar), evidence item N"
        )
        with case_db(case) as db:
            assert hashlib.md5(read_item(db, child["id"])).hexdigest() == facts["nested"]["member_md5"]
