"""Carving: real files validated to their exact length, wiped volumes carved back to the original MD5s."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from forensics.evidence.carving.model import PARTIAL, VALID
from forensics.evidence.carving.scanner import CarveOptions, carve, carve_run
from forensics.evidence.carving.unallocated import complement, known_extents, slack_runs, unallocated_runs
from forensics.evidence.source import EvidenceSource
from forensics.evidence.survey import survey_image
from tests.fixtures import assert_unchanged

DATA = Path(__file__).resolve().parents[1] / "data"
REAL_FILES = sorted(
    [
        p
        for p in (DATA / "exif-py" / "jpg").rglob("*")
        if p.suffix.lower() == ".jpg" and "invalid" not in p.parts
    ]
    + list((DATA / "exif-py" / "heic").glob("*.heic"))
    + list((DATA / "exif-py" / "avif").glob("*.avif"))
    + list((DATA / "exif-py" / "tiff").glob("*.tiff"))
    + list((DATA / "pdqhash-python").rglob("*.jpg"))
    + list((DATA / "imagehash").glob("*.png"))
    + [DATA / "ThreatExchange" / name for name in ("rgb.jpeg", "I16.png", "LA.png")]
)
KIND_BY_SUFFIX = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".heic": "heic",
    ".avif": "avif",
    ".tiff": "tiff",
}


def _reader(data: bytes):
    return lambda offset, size: data[offset : offset + size]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_files_validate_to_their_exact_length(path):
    data = path.read_bytes()
    found = list(carve_run(_reader(data), 0, len(data), CarveOptions(align=1)))
    assert found, path.name
    first = found[0]
    assert (first.offset, first.length, first.status) == (0, len(data), VALID), first.note
    assert first.kind == KIND_BY_SUFFIX[path.suffix.lower()]


CUT = [p for p in REAL_FILES if p.suffix.lower() in (".jpg", ".png") and p.stat().st_size > 100_000][:6]


@pytest.mark.parametrize("path", CUT, ids=lambda p: p.name)
def test_a_cut_file_is_partial_never_valid(path):
    data = path.read_bytes()
    cut = data[: len(data) * 2 // 3]
    found = list(carve_run(_reader(cut + bytes(4096)), 0, len(cut) + 4096, CarveOptions(align=1)))
    assert found and found[0].offset == 0
    assert found[0].status == PARTIAL and found[0].note


def test_a_file_found_inside_noise_at_a_sector_and_at_an_odd_offset():
    photo = (DATA / "exif-py" / "jpg" / "Canon_40D.jpg").read_bytes()
    noise = hashlib.sha256(b"noise").digest() * 4096
    media = noise[:5120] + photo + noise[: 4096 - len(photo) % 512] + noise[:3] + photo + noise[:1000]
    aligned = list(carve_run(_reader(media), 0, len(media)))
    assert [(c.offset, c.length) for c in aligned] == [(5120, len(photo))]
    anywhere = list(carve_run(_reader(media), 0, len(media), CarveOptions(align=1)))
    second = 5120 + len(photo) + 4096 - len(photo) % 512 + 3
    assert [(c.offset, c.length) for c in anywhere] == [(5120, len(photo)), (second, len(photo))]


def test_pseudo_random_bytes_give_nothing():
    noise = b"".join(hashlib.sha512(i.to_bytes(4, "little")).digest() for i in range(1 << 16))
    assert list(carve_run(_reader(noise), 0, len(noise), CarveOptions(align=1))) == []


def test_a_stored_zip_of_pictures_is_carved_once_as_a_zip_not_its_members_again(fixture_nested_archives):
    archive = (fixture_nested_archives.directory / "inputs" / "stored.zip").read_bytes()
    media = bytes(1024) + archive + bytes(1024 + (-len(archive)) % 512)
    found = list(carve_run(_reader(media), 0, len(media), CarveOptions(align=1)))
    assert [(c.kind, c.offset, c.length, c.status) for c in found] == [("zip", 1024, len(archive), VALID)]


def test_complement_and_slack():
    assert complement(0, 10_000, [(1024, 1024), (1500, 1000), (8192, 512)]) == [
        (0, 1024), (2500, 5692), (8704, 1296)
    ]  # fmt: skip
    assert unallocated_runs(4096, 65536, [[[0, 8192, 5000]]], block_size=4096) == [
        (4096, 4096),
        (16384, 53248),
    ]
    assert slack_runs([[0, 8192, 4096], [4096, 20480, 1000]], 4096) == [(21480, 3096)]
    assert known_extents([[[0, 8192, 4096], [4096, 12288, 100]], [[0, 0, 10], [10, 512, 10]]]) == {
        (8192, 4196)
    }


@pytest.mark.parametrize("image_name", ["fat32_wiped.raw", "ext4_wiped.raw"])
def test_every_contiguous_deleted_file_is_carved_back_with_its_original_md5(
    fixture_carving_wiped, image_name
):
    image = fixture_carving_wiped.directory / image_name
    facts = fixture_carving_wiped.facts["wiped"][image_name]
    with assert_unchanged([image]):
        probe = survey_image(image).usable_filesystems[0]
        with EvidenceSource(image) as source:
            entries = list(source.walker(probe.offset, probe.fs_type).walk())
            assert not any(entry.name == facts["files"][0]["name"] for entry in entries)  # the names are gone
            runs = unallocated_runs(
                probe.offset,
                probe.block_count * probe.block_size,
                [entry.byte_runs for entry in entries if entry.allocated],
                probe.block_size,
            )
            media = source.image.media
            carved = list(carve(media.read_at, runs))
            by_md5 = {hashlib.md5(media.read_at(c.offset, c.length)).hexdigest(): c for c in carved}
    by_offset = {c.offset: c for c in carved}
    for original in facts["files"]:
        if not original["contiguous"]:  # never completed by guessing: partial, or not found at all
            assert original["md5"] not in by_md5
            assert original["offset"] not in by_offset or by_offset[original["offset"]].status == PARTIAL
            continue
        found = by_md5.get(original["md5"])
        assert found is not None, f"{image_name}: {original['name']} not carved"
        assert (found.offset, found.length, found.status) == (original["offset"], original["size"], VALID)
    valid = [c for c in carved if c.status == VALID]
    assert len(valid) == sum(f["contiguous"] for f in facts["files"])  # nothing else, nothing twice
    assert len(carved) - len(valid) <= sum(not f["contiguous"] for f in facts["files"])


def test_a_carved_run_equal_to_a_listed_item_is_not_a_new_item(fixture_carving_wiped):
    image = fixture_carving_wiped.directory / "fat32_wiped.raw"
    facts = fixture_carving_wiped.facts["wiped"]["fat32_wiped.raw"]
    first = next(f for f in facts["files"] if f["contiguous"])
    with EvidenceSource(image) as source:
        media = source.image.media
        runs = [(first["offset"], first["size"] + 4096)]
        assert len(list(carve(media.read_at, runs))) == 1
        assert list(carve(media.read_at, runs, known={(first["offset"], first["size"])})) == []


def test_unpartitioned_space_covers_the_gaps_the_disk_was_built_with(fixture_mbr_extended):
    from forensics.evidence.carving.unallocated import unpartitioned_runs
    from forensics.evidence.tsk_image import tsk_image
    from forensics.evidence.volumes import read_volumes

    facts = fixture_mbr_extended.facts["volume_system"]
    sector = facts["sector_size"]
    with EvidenceSource(fixture_mbr_extended.image) as source:
        runs = unpartitioned_runs(read_volumes(tsk_image(source.image)).partitions)
    for gap in facts["unallocated"]:
        start, length = gap["start_sector"] * sector, gap["sector_count"] * sector
        assert any(s <= start and start + length <= s + n for s, n in runs), (gap, runs)
    partitions = [(p["start_sector"] * sector, p["sector_count"] * sector) for p in facts["partitions"]]
    for s, n in runs:  # no run overlaps a file system's partition
        for p_start, p_length in partitions:
            if p_start < s + n and s < p_start + p_length:
                assert (
                    next(p for p in facts["partitions"] if p["start_sector"] * sector == p_start)["kind"]
                    == "extended"
                )
