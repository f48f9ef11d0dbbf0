"""Reading data runs straight from the media gives exactly TSK's ``read_random`` bytes, on every test image.

Every item (file, directory, stream) of every image in ``tests/data``, every scripted fixture and the
direct-read pitfall images is read twice: by a source that reads data runs from the media where it can,
and by one that reads everything through TSK. Content (MD5) or error must be the same. The pitfall images'
facts (MD5 of what their build script wrote) and the published dfvfs facts are checked through the direct
path, and the planner's exclusions and the NTFS record parsing are checked on fakes.
"""

from __future__ import annotations

import hashlib
import re
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from forensics.core.errors import EvidenceError
from forensics.evidence import containers
from forensics.evidence.direct_read import DirectLayout, Extent, plan_extents, zeros_from
from forensics.evidence.locator import FileLocator
from forensics.evidence.ntfs_records import MftRecords, apply_fixups, initialized_size, record_size_from_boot
from forensics.evidence.source import EvidenceSource
from forensics.evidence.survey import survey_image
from forensics.evidence.walker import FileSystemWalker
from tests.data.expected import A_FILE_MD5, ALL_IMAGES, DFVFS_EXT2_E01, PASSWORDS_MD5
from tests.evidence.direct_read_fixtures import PitfallImages, build_pitfall_images
from tests.fixtures import FIXTURE_NAMES, FixtureImage, assert_unchanged

EX01 = Path(__file__).resolve().parents[1] / "data" / "ex01" / "ext2.Ex01"
PUBLISHED = [image for image in ALL_IMAGES if image.container != "invalid" and image.filesystems]
DIRECT_TYPES = {"ext2", "ext3", "ext4", "fat12", "fat16", "fat32", "ntfs"}
SPARSE = 2
FILLER = 1
RUN_ENCRYPTED = 4
NONRES = 2
RES = 4
COMP = 32
ENC = 16


@pytest.fixture(scope="session")
def pitfalls(tmp_path_factory: pytest.TempPathFactory) -> PitfallImages:
    return build_pitfall_images(tmp_path_factory.mktemp("direct-read-pitfalls"))


# -- fakes for the planner ----------------------------------------------------------------------


@dataclass
class FakeRun:
    addr: int
    len: int
    offset: int
    flags: int = 0


@dataclass
class FakeInfo:
    flags: int
    size: int


@dataclass
class FakeAttribute:
    runs: list[FakeRun]
    flags: int = NONRES
    info: FakeInfo = field(init=False)

    def __post_init__(self) -> None:
        self.info = FakeInfo(self.flags, 0)

    def __iter__(self):
        return iter(self.runs)


LAYOUT = DirectLayout(fs_offset=1_000_000, block_size=1024, readable_end=1_000_000 + 100 * 1024)


def test_plan_merges_adjacent_runs_and_clips_the_last_to_the_size():
    attr = FakeAttribute([FakeRun(10, 2, 0), FakeRun(12, 3, 2), FakeRun(50, 4, 5)])
    assert plan_extents(attr, 6 * 1024 + 100, LAYOUT) == [
        Extent(1_000_000 + 10 * 1024, 5 * 1024),
        Extent(1_000_000 + 50 * 1024, 1024 + 100),
    ]


def test_plan_reads_sparse_and_filler_runs_as_zeros_and_ignores_runs_past_the_size():
    runs = [FakeRun(0, 2, 0, SPARSE), FakeRun(0, 1, 2, FILLER), FakeRun(7, 1, 3), FakeRun(9, 1, 4)]
    expected = [Extent(None, 3 * 1024), Extent(1_000_000 + 7 * 1024, 10)]
    assert plan_extents(FakeAttribute(runs), 3 * 1024 + 10, LAYOUT) == expected


@pytest.mark.parametrize(
    "attr, size, why",
    [
        (FakeAttribute([FakeRun(10, 2, 0)], flags=RES), 10, "resident"),
        (FakeAttribute([FakeRun(10, 2, 0)], flags=NONRES | COMP), 10, "compressed"),
        (FakeAttribute([FakeRun(10, 2, 0)], flags=NONRES | ENC), 10, "encrypted"),
        (FakeAttribute([FakeRun(10, 2, 0), FakeRun(20, 2, 3)]), 4096, "gap between run offsets"),
        (FakeAttribute([FakeRun(10, 2, 0), FakeRun(20, 2, 1)]), 4096, "overlapping run offsets"),
        (FakeAttribute([FakeRun(10, 2, 0, RUN_ENCRYPTED)]), 10, "encrypted run"),
        (FakeAttribute([FakeRun(10, 2, 0)]), 3000, "runs end before the size"),
        (FakeAttribute([FakeRun(99, 2, 0)]), 2048, "run past the blocks in the image"),
        (FakeAttribute([FakeRun(10, 0, 0), FakeRun(10, 2, 0)]), 10, "empty run"),
    ],
)
def test_plan_leaves_to_tsk_what_it_cannot_prove(attr, size, why):
    assert plan_extents(attr, size, LAYOUT) is None, why


def test_empty_attribute_plans_no_reads():
    assert plan_extents(FakeAttribute([]), 0, LAYOUT) == []


# -- both paths on every image ----------------------------------------------------------------------


def _outcome(source: EvidenceSource, locator: FileLocator) -> str:
    digest = hashlib.md5()
    try:
        for chunk in source.read_chunks(locator, chunk_size=64 * 1024):
            digest.update(chunk)
    except EvidenceError:
        return "error"
    return digest.hexdigest()


def compare_paths(image: Path) -> tuple[int, set[str]]:
    """Read every item of ``image`` both ways; returns (items read directly, file system types seen)."""
    survey = survey_image(image)
    mismatches: list[str] = []
    fs_types: set[str] = set()
    with EvidenceSource(image) as direct, EvidenceSource(image, direct_reads=False) as tsk:
        for probe in survey.usable_filesystems:
            fs_types.add(probe.fs_type or "")
            fs = direct.filesystem(probe.offset, probe.fs_type)
            walker = FileSystemWalker(fs, probe.offset, probe.fs_type or "")
            for entry in walker.walk():
                if not entry.has_content:
                    continue
                locator = FileLocator(
                    "T",
                    probe.offset,
                    entry.inode,
                    entry.attr_type,
                    entry.attr_id,
                    entry.stream,
                    entry.path,
                    fs_type=probe.fs_type if probe.ambiguous else None,
                )
                mine, theirs = _outcome(direct, locator), _outcome(tsk, locator)
                if mine != theirs:
                    mismatches.append(f"{entry.path} (inode {entry.inode}): direct {mine}, TSK {theirs}")
        assert tsk.read_stats.direct_items == 0
        direct_items = direct.read_stats.direct_items
    assert not mismatches, f"{image.name}: " + "; ".join(mismatches[:10])
    return direct_items, fs_types


def _check_image(paths: tuple[Path, ...]) -> None:
    with assert_unchanged(paths):
        direct_items, fs_types = compare_paths(paths[0])
    if fs_types & DIRECT_TYPES:
        assert direct_items > 0, f"{paths[0].name}: no item was read straight from the media"
    else:
        assert direct_items == 0, f"{paths[0].name}: {sorted(fs_types)} must be read through TSK"


@pytest.mark.parametrize("expected", PUBLISHED, ids=[image.key for image in PUBLISHED])
def test_same_bytes_both_ways_on_published_images(expected):
    _check_image(expected.paths)


def test_same_bytes_both_ways_on_the_ex01_image():
    _check_image((EX01,))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_same_bytes_both_ways_on_scripted_fixtures(name, request):
    fixture: FixtureImage = request.getfixturevalue(f"fixture_{name}")
    _check_image(fixture.evidence_files)
    for paths in fixture.variants.values():  # the other segment namings of the same split image
        _check_image(paths)


@pytest.mark.parametrize("image", ["ext4.raw", "ext3.raw", "fat16.raw", "ntfs.raw", "ext4_truncated.raw"])
def test_same_bytes_both_ways_on_pitfall_images(pitfalls, image):
    _check_image((pitfalls.image(image),))


# -- facts through the direct path ------------------------------------------------------------------


def _md5_by_path(image: Path) -> tuple[dict[str, str], EvidenceSource]:
    """MD5 of every content item by path (deleted ones suffixed " (deleted)"), read by a direct source."""
    survey = survey_image(image)
    found: dict[str, str] = {}
    source = EvidenceSource(image)
    for probe in survey.usable_filesystems:
        walker = FileSystemWalker(source.filesystem(probe.offset), probe.offset, probe.fs_type or "")
        for entry in walker.walk():
            if entry.has_content:
                locator = FileLocator(
                    "T", probe.offset, entry.inode, entry.attr_type, entry.attr_id, entry.stream, entry.path
                )
                found[entry.path + (" (deleted)" if entry.deleted else "")] = _outcome(source, locator)
    return found, source


@pytest.mark.parametrize("image", ["ext4.raw", "ext3.raw", "fat16.raw", "ntfs.raw"])
def test_pitfall_files_hold_the_bytes_their_script_wrote(pitfalls, image):
    with assert_unchanged([pitfalls.image(image)]):
        found, source = _md5_by_path(pitfalls.image(image))
        source.close()
    for path, md5 in pitfalls.facts[image].items():
        assert found[path] == md5, path


def test_deleted_file_reads_the_blocks_another_file_reused(pitfalls):
    found, source = _md5_by_path(pitfalls.image("ext4.raw"))
    source.close()
    assert found["/victim.bin (deleted)"] == pitfalls.facts["ext4.raw"]["/reuser.bin"]


def _read_one(source: EvidenceSource, image: Path, path: str, chunk_size: int = 64 * 1024) -> bytes:
    survey = survey_image(image)
    probe = survey.usable_filesystems[0]
    walker = FileSystemWalker(source.filesystem(probe.offset), probe.offset, probe.fs_type or "")
    entry = next(e for e in walker.walk() if e.path == path)
    locator = FileLocator("T", probe.offset, entry.inode, entry.attr_type, entry.attr_id, entry.stream, path)
    return b"".join(source.read_chunks(locator, chunk_size))


@pytest.mark.parametrize(
    "path, direct",
    [
        ("/prealloc.bin", True),  # unwritten extents over non-zero stale blocks: zeros, as TSK says
        ("/tail.bin", True),  # unwritten blocks past the end
        ("/holes.bin", True),
        ("/frag.bin", True),
        ("/inline.txt", False),  # resident: TSK
    ],
)
def test_which_ext4_pitfalls_are_read_directly(pitfalls, path, direct):
    image = pitfalls.image("ext4.raw")
    with EvidenceSource(image) as source:
        data = _read_one(source, image, path)
        assert (source.read_stats.direct_items == 1) is direct
    assert hashlib.md5(data).hexdigest() == pitfalls.facts["ext4.raw"][path]


def test_unwritten_extent_covers_non_zero_blocks(pitfalls):
    """The fixture is worth something only if the unwritten blocks hold non-zero bytes on the media."""
    image = pitfalls.image("ext4.raw")
    extents = subprocess.run(
        ["debugfs", "-R", "ex prealloc.bin", str(image)], capture_output=True, text=True, check=True
    ).stdout
    # "level/max entries logical_start - logical_end physical_start - physical_end length Uninit"
    unwritten = re.search(r"\d+ - +\d+ +(\d+) - +(\d+) +\d+ Uninit", extents)
    assert unwritten, extents
    first, last = int(unwritten[1]), int(unwritten[2])
    with image.open("rb") as media:
        media.seek(first * 1024)
        stale = media.read((last - first + 1) * 1024)
    assert any(stale)
    with EvidenceSource(image) as source:
        data = _read_one(source, image, "/prealloc.bin")
    assert not any(data[1024:])


def test_block_mapped_file_read_directly_around_its_indirect_blocks(pitfalls):
    image = pitfalls.image("ext3.raw")
    with EvidenceSource(image) as source:
        data = _read_one(source, image, "/big.bin")
        assert source.read_stats.direct_items == 1
        tsk_file = source.filesystem(0).open("/big.bin")
        data_attr = next(attr for attr in tsk_file if int(attr.info.type) == 1)
        runs = [(int(run.addr), int(run.len)) for run in data_attr]
    gaps = [b[0] - (a[0] + a[1]) for a, b in zip(runs, runs[1:], strict=False)]
    assert any(gap > 0 for gap in gaps), runs  # indirect blocks sit between data runs
    assert hashlib.md5(data).hexdigest() == pitfalls.facts["ext3.raw"]["/big.bin"]


def test_fat_fragmented_chain_read_directly(pitfalls):
    image = pitfalls.image("fat16.raw")
    with EvidenceSource(image) as source:
        data = _read_one(source, image, "/F.BIN")
        assert source.read_stats.direct_items == 1
        tsk_file = source.filesystem(0).open("/F.BIN")
        runs = [(int(run.addr), int(run.len)) for attr in tsk_file for run in attr]
    assert len(runs) > 1 and runs[0][0] + runs[0][1] != runs[1][0], runs
    assert hashlib.md5(data).hexdigest() == pitfalls.facts["fat16.raw"]["/F.BIN"]


def test_published_dfvfs_contents_through_the_e01_media():
    image = DFVFS_EXT2_E01.path
    with assert_unchanged(DFVFS_EXT2_E01.paths), EvidenceSource(image) as source:
        assert hashlib.md5(_read_one(source, image, "/a_directory/a_file")).hexdigest() == A_FILE_MD5
        assert hashlib.md5(_read_one(source, image, "/passwords.txt")).hexdigest() == PASSWORDS_MD5
        assert source.read_stats.direct_items == 2


def test_ntfs_bytes_past_the_initialized_size_read_as_zeros(pitfalls):
    image = pitfalls.image("ntfs.raw")
    with assert_unchanged([image]), EvidenceSource(image) as source:
        data = _read_one(source, image, "/grow.bin")
        assert source.read_stats.direct_items == 1
        tsk_file = source.filesystem(0).open("/grow.bin")
        last = [run for attr in tsk_file if int(attr.info.type) == 0x80 for run in attr][-1]
        on_media = source.image.media.read_at(int(last.addr) * 1024, int(last.len) * 1024)
    assert any(on_media), "the clusters past the initialized size should hold old bytes"
    assert len(data) == 68 * 1024 and not any(data[3000:])
    assert hashlib.md5(data).hexdigest() == pitfalls.facts["ntfs.raw"]["/grow.bin"]


def test_ntfs_without_readable_mft_record_is_read_through_tsk(pitfalls, monkeypatch):
    monkeypatch.setattr(MftRecords, "initialized_size", lambda *args: None)
    image = pitfalls.image("ntfs.raw")
    with EvidenceSource(image) as source:
        data = _read_one(source, image, "/grow.bin")
        assert source.read_stats.direct_items == 0 and source.read_stats.tsk_items == 1
    assert hashlib.md5(data).hexdigest() == pitfalls.facts["ntfs.raw"]["/grow.bin"]


def test_zeros_from_splits_the_extent_at_the_initialized_size():
    extents = [Extent(5000, 1000), Extent(None, 500), Extent(9000, 1000)]
    assert zeros_from(extents, 700) == [Extent(5000, 700), Extent(None, 1800)]
    split = [Extent(5000, 1000), Extent(None, 500), Extent(9000, 200), Extent(None, 800)]
    assert zeros_from(extents, 1700) == split
    assert zeros_from(extents, 0) == [Extent(None, 2500)]
    assert zeros_from(extents, 2500) == extents


# -- NTFS MFT records ----------------------------------------------------------------------------


def _record(*attributes: bytes, usn: bytes = b"\x07\x00", base: int = 0) -> bytes:
    """A 1 KiB MFT record with its update sequence applied, holding ``attributes``."""
    body = bytearray(1024)
    body[0:4] = b"FILE"
    struct.pack_into("<HH", body, 4, 0x30, 3)
    struct.pack_into("<H", body, 0x14, 0x38)
    struct.pack_into("<Q", body, 0x20, base)
    position = 0x38
    for attribute in attributes:
        body[position : position + len(attribute)] = attribute
        position += len(attribute)
    struct.pack_into("<I", body, position, 0xFFFFFFFF)
    originals = [bytes(body[510:512]), bytes(body[1022:1024])]
    body[0x30:0x32] = usn
    body[0x32:0x36] = originals[0] + originals[1]
    body[510:512] = usn
    body[1022:1024] = usn
    return bytes(body)


def _non_resident(kind: int, number: int, size: int, initialized: int) -> bytes:
    attribute = bytearray(0x48)
    struct.pack_into("<IIB", attribute, 0, kind, 0x48, 1)
    struct.pack_into("<H", attribute, 0x0E, number)
    struct.pack_into("<QQ", attribute, 0x30, size, initialized)
    return bytes(attribute)


def _resident(kind: int, number: int) -> bytes:
    attribute = bytearray(0x18)
    struct.pack_into("<IIB", attribute, 0, kind, 0x18, 0)
    struct.pack_into("<H", attribute, 0x0E, number)
    return bytes(attribute)


def test_initialized_size_of_the_matching_attribute():
    record = apply_fixups(_record(_resident(0x10, 0), _non_resident(0x80, 3, 9000, 4000)))
    assert record is not None
    assert initialized_size(record, 0x80, 3, 9000) == 4000
    assert initialized_size(record, 0x80, 4, 9000) is None  # no such attribute id
    assert initialized_size(record, 0x80, 3, 8000) is None  # TSK's size differs: not this attribute
    assert initialized_size(record, 0x10, 0, 0) is None  # resident


@pytest.mark.parametrize(
    "record, why",
    [
        (_record(_resident(0x20, 1), _non_resident(0x80, 3, 9000, 4000)), "attribute list"),
        (_record(_non_resident(0x80, 3, 9000, 4000), base=0x1_0000_0000_0005), "extension record"),
        (_record(_non_resident(0x80, 3, 9000, 9500)), "initialized past the size"),
    ],
)
def test_initialized_size_refuses_what_it_cannot_prove(record, why):
    fixed = apply_fixups(record)
    assert fixed is not None
    assert initialized_size(fixed, 0x80, 3, 9000) is None, why


def test_fixups_reject_a_torn_record():
    record = bytearray(_record(_non_resident(0x80, 3, 9000, 4000)))
    record[1022:1024] = b"\x08\x00"  # the second sector was not written with the first
    assert apply_fixups(bytes(record)) is None
    assert apply_fixups(b"BAAD" + bytes(1020)) is None


def test_record_size_from_the_boot_sector():
    boot = bytearray(512)
    boot[3:11] = b"NTFS    "
    struct.pack_into("<HB", boot, 0x0B, 512, 8)
    boot[0x40] = 0xF6  # -10: 2**10 bytes
    assert record_size_from_boot(bytes(boot)) == 1024
    boot[0x40] = 1  # one 4 KiB cluster
    assert record_size_from_boot(bytes(boot)) == 4096
    assert record_size_from_boot(b"\x00" * 512) is None


# -- a media read that fails part way ------------------------------------------------------------


class ShortMedia:
    """Wraps a media handle: after ``good`` bytes, reads come back short (or raise)."""

    def __init__(self, media, good: int, *, raise_error: bool = False) -> None:
        self._media, self._left, self._raise = media, good, raise_error
        self.size = media.size

    def read_at(self, offset: int, size: int) -> bytes:
        if self._left <= 0:
            if self._raise:
                raise EvidenceError(f"read error at media offset {offset}: damaged")
            return self._media.read_at(offset, size // 2)
        self._left -= size
        return self._media.read_at(offset, size)

    def close(self) -> None:
        self._media.close()


@pytest.mark.parametrize("raise_error", [False, True])
def test_short_media_read_goes_on_through_tsk(pitfalls, raise_error, monkeypatch):
    original = containers.FileMedia

    def short_media(path: Path) -> ShortMedia:
        return ShortMedia(original(path), good=5 * 64 * 1024, raise_error=raise_error)

    monkeypatch.setattr(containers, "FileMedia", short_media)
    image = pitfalls.image("ext4.raw")
    with EvidenceSource(image) as source:
        data = _read_one(source, image, "/big.bin")
        assert source.read_stats.fallbacks == 1
        assert source.read_stats.tsk_items == 1
    assert hashlib.md5(data).hexdigest() == pitfalls.facts["ext4.raw"]["/big.bin"]


def test_truncated_image_gives_tsk_error_for_data_past_its_end(pitfalls):
    image = pitfalls.image("ext4_truncated.raw")
    with EvidenceSource(image) as source, pytest.raises(EvidenceError, match="big.bin: read error at byte"):
        _read_one(source, image, "/big.bin")
