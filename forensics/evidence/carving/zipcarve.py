"""ZIP (and so DOCX, XLSX, PPTX, ODT...): from a local header to the end record whose central directory
lies right before it and starts where the archive's own offsets say (zip64 records followed)."""

from __future__ import annotations

import re
import struct

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 8 << 30
WINDOW = 4 << 20
_EOCD = re.compile(rb"PK\x05\x06")
OFFICE_KINDS = {
    b"word/": "docx",
    b"xl/": "xlsx",
    b"ppt/": "pptx",
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def _end_of_archive(read_at: ReadAt, start: int, eocd: int) -> int | None:
    """The archive's end when the end record at ``eocd`` belongs to an archive starting at ``start``."""
    record = read_at(eocd, 22)
    if len(record) < 22:
        return None
    disk, cd_disk, _n_here, _n_total, cd_size, cd_offset, comment = struct.unpack_from("<HHHHIIH", record, 4)
    if disk != 0 or cd_disk != 0:
        return None
    if cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        locator = read_at(eocd - 20, 20)
        if locator[:4] != b"PK\x06\x07":
            return None
        (record64_at,) = struct.unpack_from("<Q", locator, 8)
        record64 = read_at(start + record64_at, 56)
        if record64[:4] != b"PK\x06\x06":
            return None
        cd_size, cd_offset = struct.unpack_from("<QQ", record64, 40)
        cd_end = start + record64_at
    else:
        cd_end = eocd
    if start + cd_offset + cd_size != cd_end:
        return None
    if cd_size and read_at(start + cd_offset, 4) != b"PK\x01\x02":
        return None
    return eocd + 22 + comment


def _kind(read_at: ReadAt, start: int) -> str:
    head = read_at(start, 30 + 256 + 64)
    name_len = struct.unpack_from("<H", head, 26)[0] if len(head) >= 30 else 0
    first = head[30 : 30 + name_len]
    if first == b"mimetype":
        for marker, kind in OFFICE_KINDS.items():
            if marker in head and kind.startswith("od"):
                return kind
    if first == b"[Content_Types].xml" or first.startswith((b"word/", b"xl/", b"ppt/", b"_rels/")):
        return "zip-office"
    return "zip"


def _office_kind(read_at: ReadAt, start: int, length: int) -> str:
    """docx/xlsx/pptx from the central directory's names (read only the last 64 KiB)."""
    tail = read_at(start + max(0, length - (64 << 10)), min(length, 64 << 10))
    for marker, kind in OFFICE_KINDS.items():
        if marker.endswith(b"/") and b"PK\x01\x02" in tail and marker in tail:
            return kind
    return "zip"


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a zip archive whose first local header is at ``start`` within ``[start, end)``."""
    head = read_at(start, 30)
    if len(head) < 30 or head[4] > 63 or head[8] not in (0, 8, 9, 12, 14, 93, 95, 98, 99):
        return None
    limit = min(end, start + MAX_SIZE)
    pos = start
    while pos < limit:
        window = read_at(pos, min(WINDOW, limit - pos))
        if len(window) < 22:
            break
        for match in _EOCD.finditer(window):
            archive_end = _end_of_archive(read_at, start, pos + match.start())
            if archive_end is not None and archive_end <= limit:
                length = archive_end - start
                kind = _kind(read_at, start)
                if kind == "zip-office":
                    kind = _office_kind(read_at, start, length)
                return Validation(length, kind=kind)
        pos += max(len(window) - 21, 1)
    walked = _walk_local_headers(read_at, start, limit)
    if walked <= 30:
        return None
    return Validation(walked, PARTIAL, "no matching end of central directory within the readable run")


def _walk_local_headers(read_at: ReadAt, start: int, limit: int) -> int:
    """How far consecutive local entries with known sizes reach (for a partial archive)."""
    pos = start
    while pos + 30 <= limit:
        head = read_at(pos, 30)
        if head[:4] != b"PK\x03\x04":
            break
        flags, _method = struct.unpack_from("<HH", head, 6)
        compressed, _size, name_len, extra_len = struct.unpack_from("<IIHH", head, 18)
        if flags & 0x08 and compressed == 0:
            break  # sizes in a data descriptor: the entry's end is not known without inflating
        nxt = pos + 30 + name_len + extra_len + compressed
        if nxt > limit:
            break
        pos = nxt
    return pos - start
