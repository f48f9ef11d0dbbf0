"""EWF2 (Ex01): detected by content, its header and stored hash read, the dfvfs listing holds."""

from __future__ import annotations

from pathlib import Path

from forensics.evidence.containers import detect_container
from forensics.evidence.verify import hash_media
from tests.data.expected import DFVFS_EXT2_FS, DFVFS_EXT2_MEDIA_MD5
from tests.evidence.helpers import by_path, list_image
from tests.fixtures import assert_unchanged

EX01 = Path(__file__).resolve().parents[1] / "data" / "ex01" / "ext2.Ex01"


def test_ex01_opens_with_header_stored_hash_and_published_listing():
    assert EX01.read_bytes()[:8] == b"EVF2\r\n\x81\x00"
    with assert_unchanged([EX01]):
        assert detect_container(EX01) == "ewf"
        survey, items = list_image(EX01)
        assert hash_media(EX01).md5 == DFVFS_EXT2_MEDIA_MD5
    assert survey.stored_hashes["md5"] == DFVFS_EXT2_MEDIA_MD5
    assert survey.metadata["case_number"] == "EX01-CASE"
    assert survey.metadata["evidence_number"] == "EX01-1"
    listed = by_path(items)
    for expected in DFVFS_EXT2_FS.files:
        assert listed[expected.path].entry.inode == expected.inode
        assert listed[expected.path].entry.size == expected.size
        if expected.md5:
            assert listed[expected.path].md5 == expected.md5
