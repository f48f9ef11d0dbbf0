"""An E01 of the ext4 fixture with one chunk damaged, made with ``ewfacquire`` and a flipped byte."""

from __future__ import annotations

import zlib
from pathlib import Path

from forensics.evidence.source import EvidenceSource
from forensics.evidence.walker import FileSystemWalker
from scripts.fixtures.ewf import acquire
from tests.evidence.helpers import ListedItem

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


def damaged_e01(
    work: Path, raw: Path, kind: str, chunks: int = 1, index: int | None = None
) -> tuple[Path, int]:
    """(segment, first chunk index): ``chunks`` neighbouring chunks damaged; stored chunks of
    /media/large.bin with a bad checksum (``stored``) or a deflated chunk that cannot be inflated
    (``deflated``, one chunk: the first compressible one, or chunk ``index``)."""
    media = raw.read_bytes()
    if index is None:
        index = _large_file_chunk(raw) if kind == "stored" else _compressible_chunk(media)
    [segment] = acquire(raw, work / "disk", headers=HEADERS, segment_file_size=64 * 1024 * 1024)
    data = bytearray(segment.read_bytes())
    for damaged in range(index, index + chunks):
        offset, length = _stored_chunk(bytes(data), media[damaged * CHUNK : (damaged + 1) * CHUNK])
        assert (length == CHUNK) == (kind == "stored")
        data[offset + length // 2] ^= 0xFF
    segment.chmod(0o644)
    segment.write_bytes(bytes(data))
    segment.chmod(0o444)
    return segment, index
