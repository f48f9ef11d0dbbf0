"""GIF: header, logical screen and colour table, then extension and image blocks to the trailer."""

from __future__ import annotations

from forensics.evidence.carving.model import PARTIAL, ReadAt, Validation

MAX_SIZE = 128 << 20
WINDOW = 1 << 20


class _Cursor:
    """Byte-at-a-time reading through a window that is refilled from ``read_at``."""

    def __init__(self, read_at: ReadAt, pos: int, limit: int) -> None:
        self.read_at = read_at
        self.pos = pos
        self.limit = limit
        self._base = pos
        self._buf = b""

    def byte(self) -> int | None:
        if self.pos >= self.limit:
            return None
        index = self.pos - self._base
        if index >= len(self._buf) or index < 0:
            self._base = self.pos
            self._buf = self.read_at(self.pos, min(WINDOW, self.limit - self.pos))
            index = 0
            if not self._buf:
                return None
        self.pos += 1
        return self._buf[index]

    def skip_sub_blocks(self) -> bool:
        while True:
            size = self.byte()
            if size is None:
                return False
            if size == 0:
                return True
            self.pos += size


def validate(read_at: ReadAt, start: int, end: int) -> Validation | None:
    """Validate a GIF87a/89a starting at ``start`` within ``[start, end)``."""
    limit = min(end, start + MAX_SIZE)
    head = read_at(start, 13)
    if len(head) < 13:
        return None
    width, height = int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    if not width or not height:
        return None
    cursor = _Cursor(read_at, start + 13, limit)
    if head[10] & 0x80:
        cursor.pos += 3 << ((head[10] & 0x07) + 1)
    images = 0
    while True:
        block = cursor.byte()
        if block is None:
            return _partial(cursor.pos - start, images)
        if block == 0x3B:
            return Validation(cursor.pos - start) if images else None
        if block == 0x21:
            if cursor.byte() is None or not cursor.skip_sub_blocks():
                return _partial(cursor.pos - start, images)
        elif block == 0x2C:
            descriptor = bytes(cursor.byte() or 0 for _ in range(9))
            flags = descriptor[8]
            if flags & 0x80:
                cursor.pos += 3 << ((flags & 0x07) + 1)
            code_size = cursor.byte()
            if code_size is None or not 1 <= code_size <= 12 or not cursor.skip_sub_blocks():
                return _partial(cursor.pos - start, images)
            images += 1
        else:
            return _partial(cursor.pos - 1 - start, images, f"unexpected block 0x{block:02x}")


def _partial(length: int, images: int, note: str = "no trailer within the readable run") -> Validation | None:
    return Validation(length, PARTIAL, note) if images else None
