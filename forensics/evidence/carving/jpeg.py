"""JPEG: markers from SOI followed segment by segment, entropy-coded data scanned to the next marker, to EOI.

Valid when a frame header (SOF) and a scan (SOS) came before EOI, every segment length fits, and the
markers between scans are those a progressive or baseline file has. A multi-picture file (MPF, APP2)
ends after its last picture.
"""

from __future__ import annotations

import re
import struct

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 128 << 20
WINDOW = 1 << 20
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_FIRST_MARKERS = set(range(0xE0, 0xF0)) | {0xDB, 0xC4, 0xDD, 0xFE} | set(range(0xC0, 0xD0))
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_ALLOWED = _FIRST_MARKERS | {0xDA, 0xD9, 0xDC, 0xDE, 0xDF}


def _entropy_end(read_at: ReadAt, pos: int, end: int) -> int | None:
    """Offset of the first marker (other than stuffing and restarts) at or after ``pos``."""
    while pos < end:
        window = read_at(pos, min(WINDOW, end - pos))
        if len(window) < 2:
            return None
        match = _NEXT_MARKER.search(window)
        if match:
            return pos + match.start()
        # keep a trailing FF (and fill bytes) for the next window
        step = len(window) - 1 if window.endswith(b"\xff") else len(window)
        pos += max(step, 1)
    return None


def _mpf_end(read_at: ReadAt, app2_pos: int, length: int, start: int) -> int:
    """The end of the last picture listed by an MPF (APP2) segment, from the file start; 0 if none."""
    data = read_at(app2_pos + 4, length - 2)
    if not data.startswith(b"MPF\0") or len(data) < 16:
        return 0
    tiff = data[4:]
    order = "<" if tiff[:2] == b"II" else ">"
    try:
        ifd = struct.unpack_from(order + "I", tiff, 4)[0]
        count = struct.unpack_from(order + "H", tiff, ifd)[0]
        best = 0
        for index in range(min(count, 64)):
            tag, _type, n, value = struct.unpack_from(order + "HHII", tiff, ifd + 2 + 12 * index)
            if tag == 0xB002:  # MP entries: 16 bytes each (attributes, size, offset, two dependents)
                for entry in range(min(n // 16, 64)):
                    _attr, size, offset, _d1, _d2 = struct.unpack_from(
                        order + "IIIHH", tiff, value + 16 * entry
                    )
                    if offset:
                        best = max(best, (app2_pos + 8 - start) + offset + size)
        return best
    except struct.error:
        return 0


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a JPEG starting at ``start`` (SOI) within ``[start, end)``."""
    limit = min(end, start + MAX_SIZE)
    pos = start + 2
    seen_sof = seen_sos = False
    first = True
    mpf_end = 0
    while pos + 2 <= limit:
        head = read_at(pos, min(4, limit - pos))
        if len(head) < 2 or head[0] != 0xFF:
            return _partial(pos - start, seen_sos, f"no marker at byte {pos - start}")
        marker = head[1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if first and marker not in _FIRST_MARKERS:
            return None
        first = False
        if marker == 0xD9:
            if not (seen_sof and seen_sos):
                return None
            length = pos + 2 - start
            if mpf_end > length and start + mpf_end <= limit:
                tail = read_at(start + mpf_end - 2, 2)
                if tail == b"\xff\xd9":
                    return Validation(mpf_end)
            return Validation(length)
        if marker not in _ALLOWED and not 0xD0 <= marker <= 0xD7:
            return _partial(pos - start, seen_sos, f"unexpected marker FF{marker:02X} at byte {pos - start}")
        if 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if len(head) < 4:
            break
        (length,) = struct.unpack(">H", head[2:4])
        if length < 2:
            return _partial(pos - start, seen_sos, f"bad segment length at byte {pos - start}")
        if marker in _SOF:
            seen_sof = True
        if marker == 0xE2 and not mpf_end:
            mpf_end = _mpf_end(read_at, pos, length, start)
        if marker == 0xDA:
            if not seen_sof:
                return None
            seen_sos = True
            after = _entropy_end(read_at, pos + 2 + length, limit)
            if after is None:
                return _partial(limit - start, True, "no end of scan within the readable run")
            pos = after
            continue
        pos += 2 + length
    return _partial(min(pos, limit) - start, seen_sos, "no EOI within the readable run")


def _partial(length: int, seen_sos: bool, note: str) -> Validation | None:
    if not seen_sos or length <= 0:
        return None
    return Validation(length, PARTIAL, note)
