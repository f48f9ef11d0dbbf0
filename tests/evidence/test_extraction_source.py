"""An evidence source that is a phone extraction: every member reopened from its root locator link to the
bytes of the extraction's own listing pass, the forward-only cursor of sequential formats, and locators
described in words.

Fixtures: ``scripts/fixtures/phones`` (ground truth in ``facts.json``), read in place, never changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from forensics.core.errors import EvidenceError
from forensics.evidence.extractions.access import ExtractionAccess
from forensics.evidence.extractions.detect import detect_extraction
from forensics.evidence.extractions.extraction import open_extraction, unlock
from forensics.evidence.locator import FileLocator
from forensics.evidence.source import EvidenceSource
from tests.fixtures import assert_unchanged
from tests.phones_helpers import digest, phones

FORMATS = [
    "android_ffs.zip",
    "android_ffs.tar",
    "android_ffs.tar.gz",
    "android_tree",
    "extraction.ufd",
    "report.ufdr",
    "adb_plain.ab",
    "adb_compressed.ab",
    "adb_encrypted.ab",
    "adb_encrypted_plain.ab",
]


def _access(path: Path, password: str) -> ExtractionAccess:
    detection = detect_extraction(path)
    target = detection.dump if detection.format == "ufd" and detection.dump else detection
    return ExtractionAccess(unlock(detection, password) if target.encrypted else None)


def _root_link(member, item: str = "PHONE") -> FileLocator:
    return FileLocator.from_dict(
        {
            "item": item,
            "partition_offset": 0,
            "inode": None,
            "attr_type": None,
            "attr_id": None,
            "stream": None,
            "path": member.device_path or member.path,
            "kind": member.link_kind,
            "params": member.params,
            "parent": None,
        }
    )


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


@pytest.mark.parametrize("name", FORMATS)
def test_every_member_reopens_from_its_root_link_to_the_listed_bytes(name):
    folder, facts = phones()
    path = folder / name
    access = _access(path, facts["adb"]["password"])
    with assert_unchanged(_files(path)), open_extraction(path, secrets=access.secrets) as extraction:
        listed = [(m, digest(r)) for m, r in extraction.contents() if r is not None]
    assert listed
    with assert_unchanged(_files(path)), EvidenceSource(path, extraction=access) as source:
        assert source.is_extraction and source.image.media is None
        for member, expected in listed:
            data = b"".join(source.read_chunks(_root_link(member)))
            assert hashlib.md5(data).hexdigest() == expected and len(data) == member.size


def test_tar_gz_members_read_in_order_decode_the_archive_once():
    folder, _facts = phones()
    path = folder / "android_ffs.tar.gz"
    with EvidenceSource(path, extraction=ExtractionAccess()) as source:
        members = [m for m in source.extraction().members() if m.readable]
        for member in members:
            b"".join(source.read_chunks(_root_link(member)))
        cursor = source.extraction().cursor()
        assert cursor.restarts == 1  # one decode for the whole walk
        for member in reversed(members):  # out of order: each one starts the decode again
            b"".join(source.read_chunks(_root_link(member)))
        assert cursor.restarts == 1 + len(members)


def test_encrypted_member_without_keys_fails_as_an_item_error():
    folder, facts = phones()
    path = folder / "adb_encrypted.ab"
    with open_extraction(path, secrets=_access(path, facts["adb"]["password"]).secrets) as extraction:
        listing = next(m for m in extraction.members() if m.readable)
    with (
        EvidenceSource(path, extraction=ExtractionAccess()) as source,
        pytest.raises(EvidenceError, match="password is needed"),
    ):
        b"".join(source.read_chunks(_root_link(listing)))


def test_a_member_locator_says_where_it_is_in_words():
    folder, _facts = phones()
    with open_extraction(folder / "android_ffs.zip") as extraction:
        member = next(m for m in extraction.members() if m.name == "holiday.jpg")
    assert _root_link(member).describe("ffs-zip") == (
        "/data/media/0/DCIM/Saved/holiday.jpg, member of the phone extraction (ffs-zip), evidence item PHONE"
    )


def _listing(extraction) -> list[tuple]:
    return [(m.path, m.device_path, m.kind, m.size, sorted(m.params.items())) for m in extraction.members()]


@pytest.mark.parametrize("name", ["android_ffs.zip", "android_ffs.tar.gz", "extraction.ufd"])
def test_a_detection_passed_on_lists_the_same_members_without_reading_the_directory_again(name, monkeypatch):
    """The lead detects once; the walk and the workers open the same path with that detection: the same
    members and device paths, and a zip's central directory is read only by the listing itself."""
    from forensics.evidence.extractions import android_ffs

    folder, _facts = phones()
    path = folder / name
    detection = detect_extraction(path)
    with open_extraction(path) as extraction:
        expected = _listing(extraction)
    reads: list[str] = []
    real = android_ffs.read_central_directory

    def counted(stream, where):
        reads.append(where)
        return real(stream, where)

    monkeypatch.setattr(android_ffs, "read_central_directory", counted)
    access = ExtractionAccess(detection=detection)
    with assert_unchanged(_files(path)), EvidenceSource(path, extraction=access) as source:
        assert _listing(source.extraction()) == expected
    target = detection.dump if detection.format == "ufd" else detection
    assert len(reads) == (1 if target.format == "ffs-zip" else 0)


def test_a_detection_of_another_path_is_not_taken(tmp_path):
    """A worker that sees the evidence under another path (a cluster's mapping) detects it anew."""
    folder, _facts = phones()
    zip_detection = detect_extraction(folder / "android_ffs.zip")
    tar = folder / "android_ffs.tar"
    with open_extraction(tar) as extraction:
        expected = _listing(extraction)
    with open_extraction(tar, detection=zip_detection) as extraction:
        assert extraction.detection.format == "ffs-tar"
        assert _listing(extraction) == expected
