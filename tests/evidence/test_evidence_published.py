"""The engine on real third-party images: containers, partitions, listings, hashes as their authors published.

Facts come from ``tests/data/expected.py`` (transcribed from each source's EXPECTED.md), never from Custos.
"""

from __future__ import annotations

import pytest

from forensics.evidence.containers import detect_container, open_image
from forensics.evidence.verify import hash_media
from tests.data.expected import (
    ALL_IMAGES,
    DFVFS_EXT2_FAMILY,
    DFVFS_HFSPLUS,
    DFVFS_IMYND,
    PASSWORDS_MD5,
    PASSWORDS_TEXT,
    PYTSK_IMAGE,
    PYTSK_IMAGE_BYTES_AT,
    ExpectedImage,
)
from tests.evidence.helpers import CONTAINER_NAMES, KIND_BY_LETTER, by_path, comparable, digests, list_image
from tests.fixtures import assert_unchanged

OPENABLE = [image for image in ALL_IMAGES if image.container != "invalid"]
WITH_FILESYSTEMS = [image for image in OPENABLE if image.filesystems]
WITH_PARTITIONS = [image for image in OPENABLE if image.partitions]


def _ids(images: list[ExpectedImage]) -> list[str]:
    return [image.key for image in images]


@pytest.mark.parametrize("expected", OPENABLE, ids=_ids(OPENABLE))
def test_container_detected_by_content_and_opened(expected: ExpectedImage) -> None:
    with assert_unchanged(expected.paths):
        assert detect_container(expected.path) == CONTAINER_NAMES[expected.container]
        with open_image(expected.path) as image:
            assert image.media_size == expected.media_size
            assert [p.name for p in image.segments] == [p.name for p in expected.paths]
            assert image.stored_hashes.get("md5") == expected.stored_md5
            if expected.stored_sha1:
                assert image.stored_hashes.get("sha1") == expected.stored_sha1


@pytest.mark.parametrize(
    "expected", [i for i in OPENABLE if i.media_md5], ids=_ids([i for i in OPENABLE if i.media_md5])
)
def test_media_hash_equals_published(expected: ExpectedImage) -> None:
    with assert_unchanged(expected.paths):
        assert hash_media(expected.path).md5 == expected.media_md5


@pytest.mark.parametrize("expected", WITH_FILESYSTEMS, ids=_ids(WITH_FILESYSTEMS))
def test_listing_matches_published_table(expected: ExpectedImage) -> None:
    with assert_unchanged(expected.paths):
        survey, items = list_image(expected.path)
    usable = {fs.offset: fs for fs in survey.usable_filesystems}
    assert sorted(usable) == sorted(fs.offset for fs in expected.filesystems)
    for fs in expected.filesystems:
        probe = usable[fs.offset]
        assert (probe.fs_type, probe.block_size, probe.block_count) == (
            fs.fs_type,
            fs.block_size,
            fs.block_count,
        )
        listed = by_path(items, fs.offset)
        for want in fs.files:
            got = listed.get(want.path)
            assert got is not None, f"{want.path} not listed"
            entry = got.entry
            assert entry.inode == want.inode, want.path
            assert entry.size == want.size, want.path
            assert entry.allocated == want.allocated, want.path
            assert entry.deleted == (not want.allocated), want.path
            if want.kind in KIND_BY_LETTER:
                assert entry.kind == KIND_BY_LETTER[want.kind], want.path
            if want.inode is None:
                assert not entry.has_metadata and got.md5 is None, want.path
            if want.md5:
                assert got.md5 == want.md5, want.path
            if want.sha1:
                assert got.sha1 == want.sha1, want.path


@pytest.mark.parametrize("expected", WITH_PARTITIONS, ids=_ids(WITH_PARTITIONS))
def test_partition_table_matches_published(expected: ExpectedImage) -> None:
    with assert_unchanged(expected.paths):
        survey, _ = list_image(expected.path, hashes=False)
    layout = survey.layout
    assert layout.vs_type == "dos"
    got = [(p.addr, p.start_sector, p.length_sectors, p.description, p.flags) for p in layout.partitions]
    want = [(p.addr, p.start, p.length, p.description, p.flags) for p in expected.partitions]
    assert got == want
    for part in layout.partitions:
        assert part.offset == part.start_sector * 512 and part.length == part.length_sectors * 512


def test_first_partition_without_file_system_is_reported_not_fatal() -> None:
    """tsk_volume_system.raw: sectors 1-350 hold no file system TSK recognises (a note of the source)."""
    expected = next(i for i in WITH_PARTITIONS if i.key == "plaso/tsk_volume_system.raw")
    with assert_unchanged(expected.paths):
        survey, _ = list_image(expected.path, hashes=False)
    first = next(fs for fs in survey.filesystems if fs.offset == 512)
    assert first.status == "unrecognised"
    assert "Cannot determine file system type" in first.error


def test_ext2_family_gives_identical_listings() -> None:
    paths = [p for image in DFVFS_EXT2_FAMILY for p in image.paths]
    with assert_unchanged(paths):
        listings = [comparable(list_image(image.path)[1]) for image in DFVFS_EXT2_FAMILY]
    for image, listing in zip(DFVFS_EXT2_FAMILY, listings, strict=True):
        assert listing == listings[0], f"{image.key} differs from {DFVFS_EXT2_FAMILY[0].key}"
    passwords = [row for row in listings[0] if row[1] == "/passwords.txt"]
    assert [(r[2], r[3], r[9]) for r in passwords] == [(14, 116, "39cb097008d17660abd0539891a672af")]


@pytest.mark.parametrize("expected", DFVFS_EXT2_FAMILY, ids=_ids(list(DFVFS_EXT2_FAMILY)))
def test_ext2_family_file_facts(expected: ExpectedImage) -> None:
    """dfvfs's asserted facts: passwords.txt content, another_file's owner/mode/links and its one extent."""
    with assert_unchanged(expected.paths):
        _, items = list_image(expected.path, hashes=False)
        listed = by_path(items)
        from forensics.evidence.source import EvidenceSource

        with EvidenceSource(expected.path) as source:
            assert source.read_all(listed["/passwords.txt"].locator()) == PASSWORDS_TEXT
            another = listed["/a_directory/another_file"]
            assert source.read_all(another.locator())[10:15] == b"other"
    entry = another.entry
    assert (entry.uid, entry.gid, entry.mode, entry.nlink) == (1000, 1000, 0o664, 1)
    assert entry.byte_runs == [[0, 527360, 22]]
    assert listed["/a_link"].entry.link_target.endswith("another_file")


def test_hfsplus_resource_fork_is_an_item_of_its_own() -> None:
    with assert_unchanged(DFVFS_HFSPLUS.paths):
        _, items = list_image(DFVFS_HFSPLUS.path)
    listed = by_path(items)
    fork = listed["/a_directory/a_resourcefork:rsrc"]
    assert (fork.entry.stream, fork.entry.size, fork.entry.inode) == ("rsrc", 17, 25)
    assert fork.md5 != listed["/a_directory/a_resourcefork"].md5
    another = listed["/a_directory/another_file"].entry
    assert (another.uid, another.gid, another.mode) == (501, 20, 0o644)
    assert another.byte_runs[0][1] == 1130496


def test_non_ascii_image_path() -> None:
    assert DFVFS_IMYND.path.name == "ímynd.dd"
    with assert_unchanged(DFVFS_IMYND.paths):
        survey, items = list_image(DFVFS_IMYND.path)
    assert survey.container == "raw" and survey.path.name == "ímynd.dd"
    assert by_path(items)["/passwords.txt"].md5 == "39cb097008d17660abd0539891a672af"


def test_pytsk_image_bytes_at_published_offsets() -> None:
    with assert_unchanged(PYTSK_IMAGE.paths), open_image(PYTSK_IMAGE.path) as image:
        for offset, prefix in PYTSK_IMAGE_BYTES_AT.items():
            assert image.media.read_at(offset, len(prefix)) == prefix


def test_reading_by_locator_equals_reading_by_path_with_tsk() -> None:
    """pytsk's own fact: open-by-inode and open-by-path give identical bytes for every file."""
    from forensics.evidence.source import EvidenceSource

    with assert_unchanged(PYTSK_IMAGE.paths):
        _, items = list_image(PYTSK_IMAGE.path)
        with EvidenceSource(PYTSK_IMAGE.path) as source:
            fs = source.filesystem(0)
            for item in items:
                if item.entry.kind != "file" or item.entry.orphan or not item.entry.has_content:
                    continue
                by_name = fs.open(item.path)
                data = by_name.read_random(0, by_name.info.meta.size)
                import hashlib

                assert hashlib.md5(data).hexdigest() == item.md5 == digests(source, item.locator())[0]


@pytest.mark.parametrize("expected", WITH_FILESYSTEMS, ids=_ids(WITH_FILESYSTEMS))
def test_each_metadata_entry_listed_once(expected: ExpectedImage) -> None:
    """A directory name and the metadata-table scan must not both list the same entry/stream."""
    with assert_unchanged(expected.paths):
        _, items = list_image(expected.path, hashes=False)
    keys = [
        (i.offset, i.entry.inode, i.entry.stream)
        for i in items
        if i.entry.orphan and i.entry.inode is not None
    ]
    assert len(keys) == len(set(keys))
    orphan_entries = [i for i in items if i.path.startswith("/$OrphanFiles/") and i.entry.has_metadata]
    names = {(i.offset, i.entry.inode) for i in items if not i.entry.orphan and i.entry.has_metadata}
    assert not [i.path for i in orphan_entries if (i.offset, i.entry.inode) in names]


def test_orphan_entry_keeps_its_metadata() -> None:
    """pytsk image.raw: TSK's $OrphanFiles holds inode 13 (unallocated, used): listed once, with metadata."""
    with assert_unchanged(PYTSK_IMAGE.paths):
        _, items = list_image(PYTSK_IMAGE.path)
    orphans = [i for i in items if i.entry.orphan]
    assert [(i.entry.inode, i.entry.has_metadata, i.entry.deleted) for i in orphans] == [(13, True, True)]


def test_non_ascii_segment_names(tmp_path) -> None:
    """Copies of the 2-segment E01 and split raw under non-ASCII names open with all their segments."""
    import shutil

    copies = []
    for image, stem in ((DFVFS_EXT2_FAMILY[1], "bévis"), (DFVFS_EXT2_FAMILY[2], "rå")):
        for segment in image.paths:
            copies.append(shutil.copy(segment, tmp_path / f"{stem}{segment.suffix}"))
    with assert_unchanged(copies):
        for first in (tmp_path / "bévis.E01", tmp_path / "rå.000"):
            with open_image(first) as image:
                assert len(image.segments) == 2 and image.media_size == 4194304
            assert hash_media(first).md5 == DFVFS_EXT2_FAMILY[0].media_md5
            assert by_path(list_image(first)[1])["/passwords.txt"].md5 == PASSWORDS_MD5
