"""BMP: file header and DIB header consistent (sizes, planes, depth, compression); length from the header."""

from __future__ import annotations

import struct

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

DIB_SIZES = {12, 40, 52, 56, 64, 108, 124}
DEPTHS = {1, 2, 4, 8, 16, 24, 32}
MAX_SIDE = 32768
MAX_SIZE = 512 << 20


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a BMP starting at ``start`` within ``[start, end)``."""
    head = read_at(start, 54)
    if len(head) < 26:
        return None
    size, reserved, data_offset, dib = struct.unpack_from("<IIII", head, 2)
    if reserved != 0 or dib not in DIB_SIZES or not 26 <= data_offset <= size or size > MAX_SIZE:
        return None
    if dib == 12:
        width, height, planes, depth = struct.unpack_from("<HhHH", head, 18)
        compression = 0
    else:
        if len(head) < 54:
            return None
        width, height, planes, depth, compression = struct.unpack_from("<iiHHI", head, 18)
    if planes != 1 or depth not in DEPTHS or not 0 < width <= MAX_SIDE or not 0 < abs(height) <= MAX_SIDE:
        return None
    if compression not in (0, 1, 2, 3, 4, 5, 6):
        return None
    if compression in (0, 3):
        row = ((width * depth + 31) // 32) * 4
        needed = data_offset + row * abs(height)
        if size < needed or size > needed + 4096:
            return None
    if start + size > end:
        return Validation(end - start, PARTIAL, "runs past the readable run")
    return Validation(size)
