"""ISO base media files (MP4, MOV, 3GP, HEIC/HEIF, AVIF): the box tree must be consistent.

Top-level boxes are followed from ``ftyp`` while their types are known; a movie's ``moov`` tree must
parse to its own size and every chunk offset (``stco``/``co64``) must lie inside the file; a HEIF file
needs ``meta``. The file ends after the last known top-level box.
"""

from __future__ import annotations

import struct

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 16 << 30
TOP_LEVEL = {
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"meta", b"moof", b"mfra",
    b"sidx", b"pdin", b"styp", b"prft", b"emsg", b"pnot", b"junk", b"ssix", b"idat", b"udta",
}  # fmt: skip
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"udta"}
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
MAX_BOXES = 100_000


def _box(read_at: ReadAt, pos: int, end: int) -> tuple[bytes, int, int] | None:
    """(type, header length, total size) of the box at ``pos``; None when it does not fit in ``end``."""
    head = read_at(pos, 16)
    if len(head) < 8:
        return None
    size, btype = struct.unpack_from(">I4s", head)
    header = 8
    if size == 1:
        if len(head) < 16:
            return None
        (size,) = struct.unpack_from(">Q", head, 8)
        header = 16
    elif size == 0:
        size = end - pos  # to the end of the enclosing box (or file)
    if size < header:
        return None
    return btype, header, size


def _chunk_offsets_inside(read_at: ReadAt, pos: int, end: int, file_start: int, file_end: int) -> bool:
    """Parse a moov tree; False when a box overflows its parent or a chunk offset points outside the file."""
    boxes = 0
    while pos < end:
        box = _box(read_at, pos, end)
        if box is None or pos + box[2] > end:
            return False
        btype, header, size = box
        boxes += 1
        if boxes > MAX_BOXES:
            return False
        body = pos + header
        if btype in CONTAINERS:
            if not _chunk_offsets_inside(read_at, body, pos + size, file_start, file_end):
                return False
        elif btype in (b"stco", b"co64"):
            data = read_at(body, size - header)
            if len(data) < 8:
                return False
            (count,) = struct.unpack_from(">I", data, 4)
            width = 4 if btype == b"stco" else 8
            if 8 + count * width > len(data):
                return False
            if count:
                fmt = f">{count}{'I' if width == 4 else 'Q'}"
                offsets = struct.unpack_from(fmt, data, 8)
                if max(offsets) >= file_end - file_start:
                    return False
        pos += size
    return pos == end


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate an ISO-BMFF file whose ``ftyp`` box starts at ``start`` within ``[start, end)``."""
    head = read_at(start, 12)
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    limit = min(end, start + MAX_SIZE)
    pos = start
    seen: dict[bytes, tuple[int, int]] = {}
    partial = None
    while pos + 8 <= limit:
        box = _box(read_at, pos, limit)
        if box is None or box[0] not in TOP_LEVEL:
            break
        btype, header, size = box
        if pos + size > limit:
            partial = f"box {btype.decode('latin-1')} runs past the readable run"
            seen.setdefault(btype, (pos, size))
            pos = limit
            break
        seen.setdefault(btype, (pos, size))
        pos += size
    if b"ftyp" not in seen or seen[b"ftyp"][1] > 4096:
        return None
    heif = brand in HEIF_BRANDS
    kind = _kind(brand, heif)
    if heif:
        if b"meta" not in seen:
            return None if partial is None else Validation(pos - start, PARTIAL, partial, kind)
    elif b"moov" not in seen:
        return None if partial is None and b"mdat" not in seen else _partial(pos - start, partial, kind)
    if partial is not None:
        return Validation(pos - start, PARTIAL, partial, kind)
    if b"moov" in seen:
        moov_pos, moov_size = seen[b"moov"]
        moov = _box(read_at, moov_pos, pos)
        assert moov is not None  # the scan above read this box whole
        header = moov[1]
        if not _chunk_offsets_inside(read_at, moov_pos + header, moov_pos + moov_size, start, pos):
            return Validation(
                pos - start, PARTIAL, "movie box tree inconsistent or chunk offsets outside", kind
            )
    return Validation(pos - start, kind=kind)


def _partial(length: int, note: str | None, kind: str) -> Validation:
    return Validation(length, PARTIAL, note or "no movie box (moov)", kind)


def _kind(brand: bytes, heif: bool) -> str:
    if heif:
        return "avif" if brand.startswith(b"avi") else "heic"
    if brand == b"qt  ":
        return "mov"
    if brand.startswith((b"3gp", b"3g2")):
        return "3gp"
    return "mp4"
