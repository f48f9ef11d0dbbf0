"""SQLite databases: the 100-byte header's page size and in-header page count give the length."""

from __future__ import annotations

import struct

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 16 << 30


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a database whose header (``SQLite format 3\\0``) is at ``start`` within ``[start, end)``."""
    head = read_at(start, 100)
    if len(head) < 100:
        return None
    (page_size,) = struct.unpack_from(">H", head, 16)
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return None
    if head[18] not in (1, 2) or head[19] not in (1, 2) or head[21:24] != b"\x40\x20\x20":
        return None
    change, pages = struct.unpack_from(">II", head, 24)
    (valid_for,) = struct.unpack_from(">I", head, 92)
    if pages == 0 or valid_for != change:
        length = min(end - start, page_size)
        return Validation(length, PARTIAL, "page count not recorded in the header (legacy writer)")
    length = pages * page_size
    if length > MAX_SIZE:
        return None
    if start + length > end:
        return Validation(end - start, PARTIAL, "database runs past the readable run")
    return Validation(length)
