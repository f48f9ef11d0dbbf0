"""A damaged EWF chunk: reads that touch it fail with its sector range, everything else reads on.

libewf reads a chunk that fails its checksum or cannot be inflated as zeros. The project's libewf build
(scripts/build_libewf.sh) exposes the ranges it recorded, so a file stored there fails instead of being
hashed as zeros, and verification hashes what ``ewfverify`` would and names the damaged sectors.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

import pyewf
import pytest

from forensics.errors import EvidenceError
from forensics.evidence.containers import open_image
from forensics.evidence.source import EvidenceSource
from forensics.evidence.verify import hash_media
from forensics.evidence.walker import FileSystemWalker
from scripts.fixtures.ewf import acquire
from tests.evidence.helpers import ListedItem
from tests.fixtures import FixtureImage, assert_unchanged

pytestmark = pytest.mark.skipif(
    not hasattr(pyewf.handle, "get_checksum_errors"), reason="stock libewf-python (CUSTOS_STOCK_LIBEWF=1)"
)

CHUNK = 64 * 512  # ewfacquire -b 64
HEADERS = {
    "case_number": "T-1",
    "description": "damaged chunk",
    "examiner_name": "test",
    "evidence_number": "1",
    "notes": "-",
}


def _stored_chunk(segment: bytes, expected: bytes) -> tuple[int, int]:
    """(offset, length) of the chunk in ``segment``: verbatim, or the zlib stream that inflates to it."""
    verbatim = segment.find(expected)
    if verbatim >= 0:
        return verbatim, CHUNK
    position = -1
    while (position := segment.find(b"\x78", position + 1)) >= 0:
        if segment[position + 1] not in (0x01, 0x5E, 0x9C, 0xDA):
            continue
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(segment[position : position + 2 * CHUNK])
        except zlib.error:
            continue
        if inflater.eof and out == expected:
            return position, 2 * CHUNK - len(inflater.unused_data)
    raise AssertionError("chunk not found in the segment")


def _large_file_chunk(raw: Path) -> int:
    """Index of a chunk lying wholly inside /media/large.bin (random bytes: stored uncompressed)."""
    with EvidenceSource(raw) as source:
        walker = FileSystemWalker(source.filesystem(0), 0, "ext4")
        [entry] = [e for e in walker.walk() if e.path == "/media/large.bin"]
        content = source.read_all(ListedItem(0, "ext4", entry, None, None, None).locator())
    start = raw.read_bytes().find(content[:CHUNK])
    assert start >= 0
    return start // CHUNK + 2


def _compressible_chunk(media: bytes) -> int:
    """Index of the first chunk after the first that is not all zeros and compresses (stored deflated)."""
    for index in range(1, len(media) // CHUNK):
        piece = media[index * CHUNK : (index + 1) * CHUNK]
        if any(piece) and len(zlib.compress(piece, 1)) < CHUNK // 2:
            return index
    raise AssertionError("no compressible chunk in the fixture")


@pytest.fixture(scope="module", params=["stored", "deflated"])
def damaged_e01(request, tmp_path_factory, fixture_ext4_deleted: FixtureImage) -> tuple[Path, int, str]:
    """An E01 of the ext4 fixture with one chunk damaged: a stored chunk of /media/large.bin (checksum
    mismatch) or a deflated chunk (cannot be inflated)."""
    work = tmp_path_factory.mktemp(f"damaged-{request.param}")
    raw = fixture_ext4_deleted.image
    media = raw.read_bytes()
    index = _large_file_chunk(raw) if request.param == "stored" else _compressible_chunk(media)
    [segment] = acquire(raw, work / "disk", headers=HEADERS, segment_file_size=64 * 1024 * 1024)
    data = bytearray(segment.read_bytes())
    offset, length = _stored_chunk(bytes(data), media[index * CHUNK : (index + 1) * CHUNK])
    assert (length == CHUNK) == (request.param == "stored")
    data[offset + length // 2] ^= 0xFF
    segment.chmod(0o644)
    segment.write_bytes(bytes(data))
    segment.chmod(0o444)
    return segment, index, request.param


def test_a_read_touching_the_chunk_names_its_sectors(damaged_e01) -> None:
    segment, index, _ = damaged_e01
    first = index * CHUNK // 512
    with assert_unchanged([segment]), open_image(segment) as image:
        assert image.media.read_at(0, CHUNK)  # before the damage
        with pytest.raises(EvidenceError) as caught:
            image.media.read_at(index * CHUNK - 100, 200)
        assert f"sectors {first}-{first + 63}" in str(caught.value)
        assert "\n" not in str(caught.value)
        assert image.media.read_at((index + 1) * CHUNK, CHUNK)  # after it
        assert image.media.damaged_sectors() == [(first, 64)]


@pytest.mark.parametrize("direct_reads", [True, False], ids=["direct", "through-tsk"])
def test_only_the_file_stored_there_fails(
    damaged_e01, fixture_ext4_deleted: FixtureImage, direct_reads: bool
) -> None:
    segment, _, kind = damaged_e01
    if kind != "stored":
        pytest.skip("the deflated chunk holds file-system metadata, not a file")
    expected = {f["path"]: f["md5"] for f in fixture_ext4_deleted.files(deleted=False) if f["kind"] == "file"}
    failed, read = [], {}
    with assert_unchanged([segment]), EvidenceSource(segment, direct_reads=direct_reads) as source:
        walker = FileSystemWalker(source.filesystem(0), 0, "ext4")
        for entry in walker.walk():
            if entry.deleted or not entry.has_content or entry.path not in expected:
                continue
            try:
                data = source.read_all(ListedItem(0, "ext4", entry, None, None, None).locator())
            except EvidenceError as exc:
                assert "EWF chunk" in str(exc) and entry.path in str(exc)
                failed.append(entry.path)
            else:
                read[entry.path] = hashlib.md5(data).hexdigest()
    assert failed == ["/media/large.bin"]
    assert read == {path: md5 for path, md5 in expected.items() if path not in failed}


def test_verification_hashes_zeros_like_ewfverify_and_reports_the_range(
    damaged_e01, fixture_ext4_deleted: FixtureImage
) -> None:
    segment, index, _ = damaged_e01
    media = bytearray(fixture_ext4_deleted.image.read_bytes())
    media[index * CHUNK : (index + 1) * CHUNK] = bytes(CHUNK)
    damaged: list[tuple[int, int]] = []
    with assert_unchanged([segment]):
        digests = hash_media(segment, damaged=damaged)
    assert digests.md5 == hashlib.md5(media).hexdigest()
    assert damaged == [(index * CHUNK // 512, 64)]
