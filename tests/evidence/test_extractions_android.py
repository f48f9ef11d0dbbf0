"""Android extractions, adb backups and UFDR reports from the scripted phone fixtures; bad input."""

from __future__ import annotations

import hashlib
import plistlib
from pathlib import Path

import pytest

from forensics.evidence.extractions.detect import detect_extraction
from forensics.evidence.extractions.errors import ExtractionError, PasswordRequired, WrongPassword
from forensics.evidence.extractions.extraction import open_extraction
from tests.fixtures import assert_unchanged
from tests.phones_helpers import digest, phones

ARCHIVES = ["android_ffs.zip", "android_ffs.tar", "android_ffs.tar.gz", "android_tree", "extraction.ufd"]


def _evidence(folder: Path, name: str) -> list[Path]:
    path = folder / name
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


@pytest.mark.parametrize("name", ARCHIVES)
def test_android_extraction_lists_device_paths_and_reopens_exact_bytes(name: str) -> None:
    folder, facts = phones()
    expected = facts["android"]["file_sha256"]
    with assert_unchanged(_evidence(folder, name)), open_extraction(folder / name) as extraction:
        assert extraction.detection.platform == "android"
        members = list(extraction.members())
        files = {m.device_path: m for m in members if m.readable and m.device_path}
        assert sorted(files) == facts["android"]["device_paths"]
        listing_pass = {m.device_path: digest(r, "sha256") for m, r in extraction.contents() if r is not None}
        assert listing_pass == expected
        for device_path, member in files.items():
            with extraction.open_member(member.link_kind, member.params) as stream:
                assert digest(stream, "sha256") == expected[device_path]


def test_detection_names_the_tool_layouts_by_content() -> None:
    folder, facts = phones()
    for name, prefix in facts["android"]["roots"].items():
        detection = detect_extraction(folder / name)
        assert detection is not None and detection.root_prefix == prefix, name
    ufd = detect_extraction(folder / "extraction.ufd")
    assert ufd.format == "ufd" and ufd.dump.format == "ffs-zip"
    assert (
        ufd.expected_hashes["sha256"] == hashlib.sha256((folder / "android_ffs.zip").read_bytes()).hexdigest()
    )
    assert detect_extraction(folder / "legacy_msgstore.db") is None  # an SQLite file is no extraction


def test_tar_members_keep_owner_mode_and_utc_times() -> None:
    folder, _facts = phones()
    with open_extraction(folder / "android_ffs.tar") as extraction:
        member = next(m for m in extraction.members() if m.device_path == "/system/build.prop")
    assert (member.uid, member.gid, member.mode) == (10123, 1023, 0o644)
    assert member.mtime_ns == 1_772_460_000 * 1_000_000_000


@pytest.mark.parametrize(
    "name", ["adb_plain.ab", "adb_compressed.ab", "adb_encrypted.ab", "adb_encrypted_plain.ab"]
)
def test_adb_backup_members_from_own_encoder(name: str) -> None:
    folder, facts = phones()
    password = facts["adb"]["password"] if "encrypted" in name else None
    with assert_unchanged([folder / name]), open_extraction(folder / name, password=password) as extraction:
        members = {m.path: m for m in extraction.members() if m.readable}
        assert {path: m.device_path for path, m in members.items()} == {
            "apps/com.whatsapp/db/msgstore.db": "/data/data/com.whatsapp/databases/msgstore.db",
            "apps/com.whatsapp/f/Media/IMG-20260302-WA0001.jpg": (
                "/data/data/com.whatsapp/files/Media/IMG-20260302-WA0001.jpg"
            ),
            "shared/0/DCIM/Camera/IMG_0002.jpg": "/storage/emulated/0/DCIM/Camera/IMG_0002.jpg",
        }
        assert {m.path: digest(r) for m, r in extraction.contents() if r is not None} == facts["adb"][
            "members_md5"
        ]
        for path, member in members.items():
            with extraction.open_member(member.link_kind, member.params) as stream:
                assert digest(stream) == facts["adb"]["members_md5"][path]


def test_adb_backup_bad_input() -> None:
    folder, facts = phones()
    with pytest.raises(PasswordRequired):
        open_extraction(folder / "adb_encrypted.ab")
    with pytest.raises(WrongPassword):
        open_extraction(folder / "adb_encrypted.ab", password="wrong")
    with (
        open_extraction(folder / "adb_truncated.ab", password=facts["adb"]["password"]) as extraction,
        pytest.raises(ExtractionError, match="truncated|damaged"),
    ):
        list(extraction.members())


def test_ufdr_gives_device_paths_report_hashes_and_deleted_state() -> None:
    folder, facts = phones()
    entries = {entry["path"]: entry for entry in facts["ufdr"]["entries"]}
    with assert_unchanged([folder / "report.ufdr"]), open_extraction(folder / "report.ufdr") as extraction:
        members = {m.device_path: m for m in extraction.members() if m.device_path}
        assert set(members) == set(entries)
        gone = members["/data/media/0/DCIM/Camera/gone.jpg"]
        assert not gone.present and gone.deleted is True and gone.hashes["sha256"] == "ab" * 32
        assert members["/data/media/0/Pictures/old.jpg"].deleted is True
        for path, member in members.items():
            if not member.present:
                continue
            assert member.deleted is (entries[path]["deleted"] == "Deleted")
            assert member.mtime_ns == 1_772_460_750 * 1_000_000_000
            with extraction.open_member(member.link_kind, member.params) as stream:
                data = stream.read()
            assert (
                hashlib.sha256(data).hexdigest()
                == member.hashes["sha256"]
                == entries[path]["hashes"]["SHA256"]
            )
            assert hashlib.md5(data).hexdigest() == member.hashes["md5"]


@pytest.mark.parametrize("name", ["ufdr_billion_laughs.ufdr", "ufdr_external_entity.ufdr"])
def test_hostile_report_xml_is_refused(name: str) -> None:
    folder, _facts = phones()
    with open_extraction(folder / name) as extraction, pytest.raises(ExtractionError, match="refused"):
        list(extraction.members())


def test_manifest_db_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "Info.plist").write_bytes(plistlib.dumps({"Build Version": "18C66"}))
    (tmp_path / "Manifest.db").write_bytes(b"this is not a database" * 100)
    with (
        open_extraction(tmp_path) as extraction,
        pytest.raises(ExtractionError, match="not an SQLite database"),
    ):
        list(extraction.members())


def test_truncated_zip_extraction_is_a_clear_error(tmp_path: Path) -> None:
    folder, _facts = phones()
    data = (folder / "android_ffs.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) - 2000])
    with pytest.raises(ExtractionError, match="zip"):
        open_extraction(tmp_path / "cut.zip")
