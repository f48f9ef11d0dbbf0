"""Acquisition verification: hash the whole media and compare with the stored or given hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from forensics.core.errors import EvidenceError
from forensics.core.hashing import Digests, MultiHasher
from forensics.evidence.containers import open_image

READ_SIZE = 8 * 1024 * 1024
PLAIN_CONTAINERS = ("raw", "split-raw")  # reads are copies: nothing to gain from reading ahead


class Cancelled(Exception):
    """The examiner cancelled a long operation."""


def verdict(comparisons: dict[str, dict], damaged: list[tuple[int, int]] | None = None) -> str:
    """failure (a chunk failed its checksum: the media read is not the media acquired, whatever the
    hashes say, as ``ewfverify`` reports it), else match (every reference agrees), mismatch (any
    differs) or no-reference."""
    if damaged:
        return "failure"
    if not comparisons:
        return "no-reference"
    return "match" if all(c["match"] for c in comparisons.values()) else "mismatch"


def hash_media(
    path: Path | str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    damaged: list[tuple[int, int]] | None = None,
) -> Digests:
    """MD5, SHA-1, SHA-256 of the acquired media stream (not of the container files).

    Damaged EWF chunks are hashed as libewf reads them (zeros, as ``ewfverify`` does); their
    ``(start_sector, number_of_sectors)`` ranges are appended to ``damaged`` when it is given.
    """
    with open_image(path) as image:
        if image.media is None:
            raise EvidenceError(f"{path}: a {image.container} source has no media stream to verify")
        hasher = MultiHasher(parallel=True)
        read = getattr(image.media, "read_at_unchecked", image.media.read_at)
        total = image.media_size
        offset = 0
        ahead = image.container not in PLAIN_CONTAINERS
        for chunk in _media_chunks(read, total, ahead, path):
            if cancelled and cancelled():
                raise Cancelled()
            expected = min(READ_SIZE, total - offset)
            hasher.update(chunk)
            offset += len(chunk)
            if len(chunk) < expected:
                raise EvidenceError(f"{path}: media ends at byte {offset} of {total}")
            if progress:
                progress(offset, total)
        if damaged is not None and hasattr(image.media, "damaged_sectors"):
            damaged.extend(image.media.damaged_sectors())
        return hasher.digests()


def _media_chunks(
    read: Callable[[int, int], bytes], total: int, ahead: bool, path: Path | str
) -> Iterator[bytes]:
    """The media in ``READ_SIZE`` pieces; with ``ahead``, the next piece is read while this one is hashed.

    Reading ahead pays where a read decodes (EWF chunks are inflated with the GIL released). The
    reads run one after the other on one thread, so the container handle is never used by two
    threads at once.
    """

    def piece(offset: int) -> bytes:
        """The whole piece at ``offset``; shorter only where the media ends early."""
        wanted = min(READ_SIZE, total - offset)
        parts: list[bytes] = []
        got = 0
        try:
            while got < wanted:
                part = read(offset + got, wanted - got)
                if not part:
                    break
                parts.append(part)
                got += len(part)
        except EvidenceError as exc:
            raise EvidenceError(f"{path}: {exc}") from exc
        return parts[0] if len(parts) == 1 else b"".join(parts)

    offsets = range(0, total, READ_SIZE)
    if not ahead:
        yield from map(piece, offsets)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="custos-read-ahead") as reader:
        following = reader.submit(piece, 0) if total else None
        for offset in offsets:
            current = following
            assert current is not None  # each offset's piece was submitted one step ahead
            following = reader.submit(piece, offset + READ_SIZE) if offset + READ_SIZE < total else None
            try:
                chunk = current.result()
            except BaseException:
                if following is not None:
                    following.cancel()
                raise
            yield chunk


def compare_hashes(digests: Digests, references: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """Compare computed digests with references ``{"md5": (hex, source)}``; case-insensitive."""
    out: dict[str, dict] = {}
    for algo, (expected, source) in sorted(references.items()):
        if not expected:
            continue
        computed = getattr(digests, algo)
        out[algo] = {
            "expected": expected.lower(),
            "computed": computed,
            "source": source,
            "match": expected.strip().lower() == computed,
        }
    return out


def sha256_file(path: Path) -> str:
    """SHA-256 of a container file itself (segment integrity, 'evidence unchanged' checks)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(READ_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
