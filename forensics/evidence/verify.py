"""Acquisition verification: hash the whole media and compare with the stored or given hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from forensics.analysis.hashing import Digests, MultiHasher
from forensics.errors import EvidenceError
from forensics.evidence.containers import open_image

READ_SIZE = 8 * 1024 * 1024


class Cancelled(Exception):
    """The examiner cancelled a long operation."""


def verdict(comparisons: dict[str, dict]) -> str:
    """match (every reference agrees), mismatch (any differs) or no-reference."""
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
        hasher = MultiHasher()
        read = getattr(image.media, "read_at_unchecked", image.media.read_at)
        total = image.media_size
        offset = 0
        while offset < total:
            if cancelled and cancelled():
                raise Cancelled()
            try:
                chunk = read(offset, min(READ_SIZE, total - offset))
            except EvidenceError as exc:
                raise EvidenceError(f"{path}: {exc}") from exc
            if not chunk:
                raise EvidenceError(f"{path}: media ends at byte {offset} of {total}")
            hasher.update(chunk)
            offset += len(chunk)
            if progress:
                progress(offset, total)
        if damaged is not None and hasattr(image.media, "damaged_sectors"):
            damaged.extend(image.media.damaged_sectors())
        return hasher.digests()


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
