"""RIFF files: WebP and AVI (with its AVIX extensions); the chunk tree must fit the RIFF size."""

from __future__ import annotations

import struct

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

FORMS = {b"WEBP": "webp", b"AVI ": "avi"}
MAX_SIZE = 8 << 30


def _chunks_fit(read_at: ReadAt, pos: int, end: int, limit: int = 4096) -> bool:
    """Walk the chunk headers between ``pos`` and ``end``; every id printable and every size fitting."""
    count = 0
    while pos + 8 <= end and count < limit:
        head = read_at(pos, 8)
        if len(head) < 8:
            return False
        cid, size = struct.unpack("<4sI", head)
        if not all(32 <= c < 127 for c in cid) or pos + 8 + size > end:
            return False
        pos += 8 + size + (size & 1)
        count += 1
    return count > 0


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a RIFF WebP/AVI starting at ``start`` within ``[start, end)``."""
    head = read_at(start, 12)
    if len(head) < 12:
        return None
    size, form = struct.unpack_from("<I4s", head, 4)
    kind = FORMS.get(form)
    if kind is None or size < 4:
        return None
    total = 8 + size + (size & 1)
    if start + total > end:
        if not _chunks_fit(read_at, start + 12, end, 8):
            return None
        return Validation(end - start, PARTIAL, "runs past the readable run", kind)
    if not _chunks_fit(read_at, start + 12, start + 8 + size):
        return None
    if kind == "webp":
        first = read_at(start + 12, 4)
        if first not in (b"VP8 ", b"VP8L", b"VP8X"):
            return None
    else:
        if read_at(start + 12, 4) != b"LIST" or read_at(start + 20, 4) != b"hdrl":
            return None
        while start + total + 12 <= min(end, start + MAX_SIZE):  # OpenDML: RIFF AVIX parts follow
            extra = read_at(start + total, 12)
            if extra[:4] != b"RIFF" or extra[8:12] != b"AVIX":
                break
            (more,) = struct.unpack_from("<I", extra, 4)
            if start + total + 8 + more > end:
                return Validation(end - start, PARTIAL, "AVIX part runs past the readable run", kind)
            total += 8 + more + (more & 1)
    return Validation(total, kind=kind)
