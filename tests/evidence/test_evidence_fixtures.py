"""The engine on the scripted fixtures: deleted files, partition chains, GPT, NTFS streams, split raw, E01.

Ground truth is each fixture's ``facts.json`` (what the build script put in), never Custos output.
"""

from __future__ import annotations

import pytest

from forensics.evidence.containers import detect_container, open_image
from forensics.evidence.filesystems import TZ_NOTE_LOCAL, TZ_NOTE_UTC
from forensics.evidence.verify import compare_hashes, hash_media, verdict
from tests.evidence.helpers import KIND_BY_FACT, by_path, comparable, list_image
from tests.fixtures import FixtureImage, assert_unchanged


def check_files(fixture: FixtureImage, items) -> None:
    """Every file the recipe made is listed (deleted ones under the name a reader can still show)."""
    for fs in fixture.filesystems:
        listed = by_path(items, fs["offset"])
        for fact in fs["files"]:
            path = fact["deleted_name"] if fact["deleted"] else fact["path"]
            got = listed.get(path)
            assert got is not None, f"{path} not listed at offset {fs['offset']}"
            entry = got.entry
            assert entry.deleted == fact["deleted"], path
            assert entry.allocated == (not fact["deleted"]), path
            assert not entry.orphan, path
            assert entry.kind == KIND_BY_FACT[fact["kind"]], path
            assert entry.mtime_ns == fact["mtime"] * 10**9, path
            if "size" in fact:
                assert entry.size == fact["size"], path
            if fact["kind"] == "file" and "md5" in fact:
                assert (got.md5, got.sha1, got.sha256) == (fact["md5"], fact["sha1"], fact["sha256"]), path
            if fact["kind"] == "symlink":
                assert entry.link_target == fact["link_target"], path
            for stream in fact.get("streams", []):
                item = listed.get(f"{path}:{stream['name']}")
                assert item is not None, f"stream {path}:{stream['name']} not listed"
                assert (item.entry.stream, item.entry.size, item.entry.inode) == (
                    stream["name"],
                    stream["size"],
                    entry.inode,
                )
                assert (item.md5, item.sha1, item.sha256) == (stream["md5"], stream["sha1"], stream["sha256"])


@pytest.mark.parametrize("name", ["ext4_deleted", "fat_deleted", "ntfs_ads", "gpt", "mbr_extended"])
def test_every_file_listed_marked_and_hashed(name: str, request: pytest.FixtureRequest) -> None:
    fixture: FixtureImage = request.getfixturevalue(f"fixture_{name}")
    with assert_unchanged(fixture.evidence_files):
        survey, items = list_image(fixture.image)
    found = {(fs.offset, fs.fs_type) for fs in survey.usable_filesystems}
    assert found == {(fs["offset"], fs["type"]) for fs in fixture.filesystems}
    check_files(fixture, items)


@pytest.mark.parametrize("name", ["ext4_deleted", "fat_deleted"])
def test_deleted_files_are_exactly_the_deleted_ones(name: str, request: pytest.FixtureRequest) -> None:
    fixture: FixtureImage = request.getfixturevalue(f"fixture_{name}")
    with assert_unchanged(fixture.evidence_files):
        _, items = list_image(fixture.image, hashes=False)
    deleted = {i.path for i in items if i.entry.deleted and not i.entry.orphan}
    assert deleted == {f["deleted_name"] for f in fixture.files(deleted=True)}


def test_fat_listing_has_no_invented_entries(fixture_fat_deleted: FixtureImage) -> None:
    """FAT has no inode table: nothing beyond the tree, TSK's virtual files and its $OrphanFiles."""
    with assert_unchanged(fixture_fat_deleted.evidence_files):
        _, items = list_image(fixture_fat_deleted.image, hashes=False)
    orphans = [i.path for i in items if i.entry.orphan]
    assert orphans == []
    assert len(items) < 40


def test_mbr_extended_chain_and_gaps(fixture_mbr_extended: FixtureImage) -> None:
    vs = fixture_mbr_extended.facts["volume_system"]
    with assert_unchanged(fixture_mbr_extended.evidence_files):
        survey, _ = list_image(fixture_mbr_extended.image, hashes=False)
    layout = survey.layout
    assert layout.vs_type == "dos" and layout.block_size == vs["sector_size"]
    allocated = [(p.start_sector, p.length_sectors) for p in layout.allocated]
    want = [(p["start_sector"], p["sector_count"]) for p in vs["partitions"] if p["kind"] != "extended"]
    assert allocated == want
    extended = [p for p in vs["partitions"] if p["kind"] == "extended"]
    assert any(
        p.kind == "meta" and (p.start_sector, p.length_sectors) == (e["start_sector"], e["sector_count"])
        for e in extended
        for p in layout.partitions
    )
    assert sum(1 for p in layout.partitions if p.description.startswith("Extended Table")) == 2
    unallocated = [p for p in layout.partitions if p.kind == "unallocated"]
    for gap in vs["unallocated"]:
        start, end = gap["start_sector"], gap["start_sector"] + gap["sector_count"]
        assert any(
            p.start_sector <= start and end <= p.start_sector + p.length_sectors for p in unallocated
        ), gap
    for p in layout.partitions:
        assert (p.offset, p.length) == (p.start_sector * 512, p.length_sectors * 512)
    assert {(fs.offset, fs.fs_type) for fs in survey.filesystems} == {
        (fs["offset"], fs["type"]) for fs in fixture_mbr_extended.filesystems
    }


def test_gpt_partitions(fixture_gpt: FixtureImage) -> None:
    vs = fixture_gpt.facts["volume_system"]
    with assert_unchanged(fixture_gpt.evidence_files):
        survey, _ = list_image(fixture_gpt.image, hashes=False)
    assert survey.layout.vs_type == "gpt"
    got = [(p.start_sector, p.length_sectors, p.description) for p in survey.layout.allocated]
    assert got == [(p["start_sector"], p["sector_count"], p["name"]) for p in vs["partitions"]]
    tail = vs["unallocated"][0]
    assert any(
        p.kind == "unallocated" and p.start_sector <= tail["start_sector"] < p.start_sector + p.length_sectors
        for p in survey.layout.partitions
    )


def test_split_raw_variants_equal_the_raw_disk(fixture_split_raw: FixtureImage, fixture_mbr_extended) -> None:
    evidence = fixture_split_raw.facts["evidence"]
    with assert_unchanged(fixture_split_raw.evidence_files + fixture_mbr_extended.evidence_files):
        reference = comparable(list_image(fixture_mbr_extended.image)[1])
        for variant, segments in fixture_split_raw.variants.items():
            assert detect_container(segments[0]) == "split-raw", variant
            with open_image(segments[0]) as image:
                assert image.segments == list(segments), variant
                assert image.media_size == evidence["media_size"]
            assert hash_media(segments[0]).sha256 == evidence["media_sha256"], variant
            assert comparable(list_image(segments[0])[1]) == reference, variant


def test_multisegment_e01_header_and_stored_hashes(fixture_e01_multiseg: FixtureImage) -> None:
    ewf = fixture_e01_multiseg.facts["evidence"]["ewf"]
    with assert_unchanged(fixture_e01_multiseg.evidence_files):
        with open_image(fixture_e01_multiseg.image) as image:
            assert image.container == "ewf"
            assert image.segments == list(fixture_e01_multiseg.segments)
            assert len(image.segments) == ewf["segment_count"]
            for key, value in ewf["headers"].items():
                assert image.metadata[key] == value, key
            assert image.stored_hashes == {"md5": ewf["stored_md5"], "sha1": ewf["stored_sha1"]}
            assert {"acquiry_date", "acquiry_software_version", "acquiry_operating_system"} <= set(
                image.metadata
            )
        digests = hash_media(fixture_e01_multiseg.image)
        _, items = list_image(fixture_e01_multiseg.image)
    assert digests.md5 == fixture_e01_multiseg.facts["evidence"]["media_md5"]
    references = {"md5": (ewf["stored_md5"], "ewf-stored"), "sha1": (ewf["stored_sha1"], "ewf-stored")}
    assert verdict(compare_hashes(digests, references)) == "match"
    check_files(fixture_e01_multiseg, items)


def test_bad_hash_e01_is_a_mismatch(fixture_e01_bad_hash: FixtureImage) -> None:
    ewf = fixture_e01_bad_hash.facts["evidence"]["ewf"]
    assert not ewf["stored_md5_matches_media"]
    with assert_unchanged(fixture_e01_bad_hash.evidence_files):
        with open_image(fixture_e01_bad_hash.image) as image:
            assert image.stored_hashes["md5"] == ewf["stored_md5"]
        digests = hash_media(fixture_e01_bad_hash.image)
    comparisons = compare_hashes(
        digests, {"md5": (ewf["stored_md5"], "ewf-stored"), "sha1": (ewf["stored_sha1"], "ewf-stored")}
    )
    assert comparisons["md5"]["match"] is False and comparisons["sha1"]["match"] is True
    assert verdict(comparisons) == "mismatch"


def test_time_zone_notes(fixture_mbr_extended: FixtureImage) -> None:
    with assert_unchanged(fixture_mbr_extended.evidence_files):
        survey, _ = list_image(fixture_mbr_extended.image, hashes=False)
    notes = {fs.fs_type: fs.time_zone_note for fs in survey.filesystems}
    assert notes == {"fat16": TZ_NOTE_LOCAL, "fat12": TZ_NOTE_LOCAL, "ext4": TZ_NOTE_UTC}


def test_ntfs_times_keep_100ns_precision(fixture_ntfs_ads: FixtureImage) -> None:
    """ntfscp stamps creation times at build time with sub-second parts; they survive to the nanosecond."""
    with assert_unchanged(fixture_ntfs_ads.evidence_files):
        _, items = list_image(fixture_ntfs_ads.image, hashes=False)
    listed = by_path(items)
    crtimes = [listed[f["path"]].entry.crtime_ns for f in fixture_ntfs_ads.files()]
    assert all(t is not None and t % 100 == 0 for t in crtimes)
    assert any(t % 10**9 for t in crtimes), "no sub-second part kept"
    assert [listed[f["path"]].entry.mtime_ns for f in fixture_ntfs_ads.files()] == [
        f["mtime"] * 10**9 for f in fixture_ntfs_ads.files()
    ]


def test_ext4_times_keep_nanoseconds(ext4_nanoseconds) -> None:
    image, path, mtime_ns = ext4_nanoseconds
    with assert_unchanged([image]):
        _, items = list_image(image, hashes=False)
    assert by_path(items)[path].entry.mtime_ns == mtime_ns
