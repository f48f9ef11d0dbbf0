"""Phone extractions against MVT's real samples (read from shared/corpus/mvt, skipped when absent).

Facts from MVT's own tests, restated in shared/corpus/mvt/EXPECTED.md: the decoded tar SHA-256 of each
adb backup (backup2.ab encrypted with password 123456), 3,721 files in the iOS Manifest.db, Info.plist
Build Version 18C66 and IMEI 42, and 3 WhatsApp text messages in 2 chat sessions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from forensics.analysis.whatsapp.ios import parse_chatstorage
from forensics.analysis.whatsapp.locate import find_whatsapp_databases
from forensics.evidence.extractions import adb_backup
from forensics.evidence.extractions.errors import PasswordRequired, WrongPassword
from forensics.evidence.extractions.extraction import open_extraction
from forensics.evidence.extractions.folder_files import open_readonly
from tests.fixtures import assert_unchanged
from tests.phones_helpers import digest, encrypted_ios, require_mvt

DECODED_TAR_SHA256 = {
    "android_backup/backup.ab": "ce1ac5009fea5187a9f546b51e1446ba450243ae91d31dc779233ec0937b5d18",
    "android_backup/backup2.ab": "f365ace1effbc4902c6aeba241ca61544f8a96ad456c1861808ea87b7dd03896",
    "android_backup/backup3.ab": "33e73df2ede9798dcb3a85c06200ee41c8f52dd2f2e50ffafcceb0407bc13e3a",
}
PASSWORD = "123456"
MANIFEST_FILES = 3721


@pytest.mark.parametrize("name", sorted(DECODED_TAR_SHA256))
def test_adb_backup_decodes_to_the_published_tar(name: str) -> None:
    path = require_mvt() / name
    with assert_unchanged([path]), open_readonly(path) as stream:
        header = adb_backup.read_header(stream, name)
        keys = adb_backup.unlock(header, PASSWORD, name) if header.encrypted else None
        sha256 = hashlib.sha256()
        for chunk in adb_backup.decoded_chunks(stream, header, keys, name):
            sha256.update(chunk)
    assert sha256.hexdigest() == DECODED_TAR_SHA256[name]


def test_androidqf_encrypted_backup_opens_with_the_same_format() -> None:
    path = require_mvt() / "androidqf_encrypted" / "backup.ab"
    with open_extraction(path, password=PASSWORD) as extraction:
        members = [m for m in extraction.members() if m.readable]
        assert any(m.device_path and m.device_path.endswith("/files/000000_sms_backup") for m in members)


def test_adb_members_reopen_to_the_bytes_of_the_listing_pass() -> None:
    path = require_mvt() / "android_backup" / "backup2.ab"
    with open_extraction(path, password=PASSWORD) as extraction:
        listed = {m.path: digest(r) for m, r in extraction.contents() if r is not None}
        members = [m for m in extraction.members() if m.readable]
        assert {m.path for m in members} == set(listed)
        for member in members:
            with extraction.open_member(member.link_kind, member.params) as reopened:
                assert digest(reopened) == listed[member.path]


def test_adb_wrong_password_is_refused_before_any_decryption() -> None:
    path = require_mvt() / "android_backup" / "backup2.ab"
    with pytest.raises(WrongPassword, match="wrong password"):
        open_extraction(path, password="654321")
    with pytest.raises(PasswordRequired):
        open_extraction(path)


def test_ios_backup_lists_every_manifest_file_under_its_device_path() -> None:
    root = require_mvt() / "ios_backup"
    with assert_unchanged([root / "Manifest.db", root / "Info.plist"]), open_extraction(root) as extraction:
        assert extraction.detection.format == "ios-backup"
        assert extraction.detection.device_info["Build Version"] == "18C66"
        assert extraction.detection.device_info["IMEI"] == "42"
        every = list(extraction.members())
        unlisted = [m for m in every if any("Manifest.db does not list it" in n for n in m.notes)]
        members = [m for m in every if m not in unlisted]
        assert len(members) == MANIFEST_FILES
        # the sample's folder also stores one file that no Manifest.db row names: listed, no device path
        assert [(m.path, m.device_path, m.readable) for m in unlisted] == [
            ("e7/e794f6ffcc3c222535f47684a63d5178da3c4500", None, True)
        ]
        by_path = {m.device_path: m for m in members}
        sms = by_path["/private/var/mobile/Library/SMS/sms.db"]
        assert sms.params["file_id"] == "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
        assert sms.present and sms.size and sms.mtime_ns
        assert any(m.params["domain"] == "CameraRollDomain" for m in members)
        readable = [m for m in members if m.readable]
        assert len(readable) == 10  # the sample keeps the bytes of a few files only
        for member in readable:
            with extraction.open_member(member.link_kind, member.params) as stream:
                assert len(stream.read()) == member.size


def test_ios_whatsapp_chatstorage_gives_the_published_counts() -> None:
    root = require_mvt() / "ios_backup"
    with open_extraction(root) as extraction:
        members = {m.device_path: m for m in extraction.members() if m.readable}
        found = find_whatsapp_databases((path, member) for path, member in members.items())
        assert [db.platform for db in found] == ["ios"]
        with extraction.open_member(found[0].messages.link_kind, found[0].messages.params) as stream:
            report = parse_chatstorage(stream.read(), source=found[0].messages_path)
    assert report.available and report.schema == "ios-chatstorage"
    assert report.text_message_count == 3
    assert report.chat_count == 2
    assert report.media_messages == []


def test_encrypted_ios_backup_unlocks_once_and_decrypts_in_memory() -> None:
    folder, facts = encrypted_ios()
    progress: list[float] = []
    evidence = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    with (
        assert_unchanged(evidence),
        open_extraction(folder, password=facts["password"], progress=progress.append) as extraction,
    ):
        assert extraction.detection.encrypted and extraction.decrypted
        assert "secret" in repr(extraction.secrets) or "class keys" in repr(extraction.secrets)
        members = list(extraction.members())
        assert len(members) == MANIFEST_FILES
        readable = [m for m in members if m.readable]
        assert {m.params["file_id"] for m in readable} == set(facts["files_sha256"])
        for member in readable:
            with extraction.open_member(member.link_kind, member.params) as stream:
                assert digest(stream, "sha256") == facts["files_sha256"][member.params["file_id"]]
                stream.seek(member.size // 2)
                assert len(stream.read()) == member.size - member.size // 2
    assert progress and progress[-1] == 1.0
    leftovers = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    assert leftovers == evidence  # nothing decrypted was written beside the evidence


def test_encrypted_ios_backup_wrong_password_decrypts_nothing() -> None:
    folder, _facts = encrypted_ios()
    with pytest.raises(WrongPassword, match="wrong password"):
        open_extraction(folder, password="not the password")
    with pytest.raises(PasswordRequired):
        open_extraction(folder)
