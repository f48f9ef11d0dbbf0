"""PDF: from ``%PDF-`` to the ``%%EOF`` whose ``startxref`` points at a cross-reference inside the file.

Incremental updates and linearized files have several ``%%EOF`` markers: the file goes on when the bytes
after one start another body section (an object or ``xref``).
"""

from __future__ import annotations

import re

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 1 << 30
WINDOW = 4 << 20
_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s*$")
_CONTINUES = re.compile(rb"^\s*(\d+\s+\d+\s+obj\b|xref\b|%PDF-)")


def _xref_ok(read_at: ReadAt, start: int, eof_pos: int) -> bool:
    tail = read_at(max(start, eof_pos - 1024), min(1024, eof_pos - start))
    match = _STARTXREF.search(tail)
    if not match:
        return False
    offset = int(match.group(1))
    if not 0 < offset < eof_pos - start:
        return False
    target = read_at(start + offset, 32)
    return target.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", target) is not None


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a PDF whose header is at ``start`` within ``[start, end)``."""
    head = read_at(start, 16)
    if not re.match(rb"%PDF-[12]\.\d", head):
        return None
    limit = min(end, start + MAX_SIZE)
    pos = start
    last_good = None
    while pos < limit:
        window = read_at(pos, min(WINDOW, limit - pos))
        if not window:
            break
        found = None
        for match in _EOF.finditer(window):
            eof_at = pos + match.start()
            if _xref_ok(read_at, start, eof_at):
                found = pos + match.end()
                break
        if found is None:
            pos += max(len(window) - 8, 1)  # keep a marker cut by the window's end
            continue
        last_good = found
        following = read_at(found, 64)
        if not _CONTINUES.match(following) or following.lstrip().startswith(b"%PDF-"):
            return Validation(found - start)
        pos = found
    if last_good is not None:
        return Validation(last_good - start)
    return Validation(limit - start, PARTIAL, "no %%EOF with a valid startxref within the readable run")
