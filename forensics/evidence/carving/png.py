"""PNG: signature, IHDR first, every chunk's CRC checked, to IEND."""

from __future__ import annotations

import struct
import zlib

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 512 << 20
PIECE = 1 << 20


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a PNG starting at ``start`` within ``[start, end)``."""
    limit = min(end, start + MAX_SIZE)
    pos = start + 8
    first = True
    while pos + 12 <= limit:
        head = read_at(pos, 8)
        if len(head) < 8:
            break
        length, ctype = struct.unpack(">I4s", head)
        if not ctype.isalpha() or length > 0x7FFFFFFF:
            return None if first else Validation(pos - start, PARTIAL, f"bad chunk at byte {pos - start}")
        if first and (ctype != b"IHDR" or length != 13):
            return None
        first = False
        if pos + 12 + length > limit:
            return Validation(limit - start, PARTIAL, f"chunk {ctype.decode()} runs past the readable run")
        crc = zlib.crc32(ctype)
        done = 0
        while done < length:
            piece = read_at(pos + 8 + done, min(PIECE, length - done))
            if not piece:
                return Validation(pos - start, PARTIAL, "short read")
            crc = zlib.crc32(piece, crc)
            done += len(piece)
        (stored,) = struct.unpack(">I", read_at(pos + 8 + length, 4))
        if stored != crc:
            return Validation(
                pos - start, PARTIAL, f"CRC mismatch in chunk {ctype.decode()} at {pos - start}"
            )
        pos += 12 + length
        if ctype == b"IEND":
            return Validation(pos - start)
    return None if first else Validation(min(pos, limit) - start, PARTIAL, "no IEND within the readable run")
