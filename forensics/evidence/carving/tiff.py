"""TIFF (and the raw formats built on it): IFD chains followed, the file ends after the last byte they use."""

from __future__ import annotations

import struct

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 2 << 30
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
OFFSET_LENGTH_PAIRS = {273: 279, 324: 325, 513: 514}  # strips, tiles, JPEG thumbnail
IFD_POINTERS = {330, 34665, 34853, 40965}  # SubIFDs, Exif, GPS, Interoperability
MAX_IFDS = 64
MAX_ENTRIES = 1000


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a TIFF whose header is at ``start`` within ``[start, end)``."""
    head = read_at(start, 8)
    if len(head) < 8:
        return None
    order = "<" if head[:2] == b"II" else ">"
    first = struct.unpack_from(order + "I", head, 4)[0]
    limit = min(end, start + MAX_SIZE) - start
    if not 8 <= first < limit:
        return None
    furthest = 8
    pending = [first]
    visited: set[int] = set()
    images = 0
    while pending and len(visited) < MAX_IFDS:
        ifd = pending.pop()
        if ifd in visited or not 8 <= ifd < limit:
            continue
        visited.add(ifd)
        count_raw = read_at(start + ifd, 2)
        if len(count_raw) < 2:
            return None
        (count,) = struct.unpack(order + "H", count_raw)
        if not 0 < count <= MAX_ENTRIES:
            return None
        table = read_at(start + ifd + 2, count * 12 + 4)
        if len(table) < count * 12 + 4:
            return None
        furthest = max(furthest, ifd + 2 + count * 12 + 4)
        values: dict[int, list[int]] = {}
        for index in range(count):
            tag, ftype, n, raw = struct.unpack_from(order + "HHI4s", table, index * 12)
            size = TYPE_SIZES.get(ftype)
            if size is None:
                return None
            total = size * n
            if total > 4:
                (offset,) = struct.unpack(order + "I", raw)
                if offset + total > limit:
                    return None if len(visited) == 1 and index < 2 else _partial(limit)
                furthest = max(furthest, offset + total)
            if tag in OFFSET_LENGTH_PAIRS or tag in OFFSET_LENGTH_PAIRS.values() or tag in IFD_POINTERS:
                values[tag] = _ints(read_at, start, order, ftype, n, raw, total)
        for offsets_tag, lengths_tag in OFFSET_LENGTH_PAIRS.items():
            offsets, lengths = values.get(offsets_tag, []), values.get(lengths_tag, [])
            for offset, length in zip(offsets, lengths, strict=False):
                if offset + length > limit:
                    return _partial(limit)
                furthest = max(furthest, offset + length)
            images += bool(offsets)
        for tag in IFD_POINTERS:
            pending.extend(values.get(tag, []))
        (next_ifd,) = struct.unpack_from(order + "I", table, count * 12)
        if next_ifd:
            pending.append(next_ifd)
    if not images:
        return None
    return Validation(furthest)


def _ints(read_at: ReadAt, start: int, order: str, ftype: int, n: int, raw: bytes, total: int) -> list[int]:
    code = {3: "H", 4: "I", 13: "I", 8: "h", 9: "i"}.get(ftype)
    if code is None or n > 1 << 20:
        return []
    data = raw if total <= 4 else read_at(start + struct.unpack(order + "I", raw)[0], total)
    if len(data) < total:
        return []
    return list(struct.unpack_from(order + code * n, data))


def _partial(limit: int) -> Validation:
    return Validation(limit, PARTIAL, "image data runs past the readable run")
