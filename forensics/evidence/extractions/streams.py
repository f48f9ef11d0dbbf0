"""Read-only stream helpers: a window on a parent stream, and forward-only decoded streams.

Parent streams are file-like objects (``read``, ``seek``, ``tell``); the helpers never write and never
hold more than one chunk.  A window shares its parent's position, so one parent is read by one thread.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

CHUNK_SIZE = 1024 * 1024


class SliceStream(io.RawIOBase):
    """The bytes ``[start, start + length)`` of a seekable parent, as a seekable read-only stream."""

    def __init__(self, parent: BinaryIO, start: int, length: int) -> None:
        super().__init__()
        self._parent = parent
        self._start = start
        self._length = length
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._length - self._pos)
        if want <= 0:
            return 0
        self._parent.seek(self._start + self._pos)
        data = self._parent.read(want)
        count = len(data)
        buffer[:count] = data
        self._pos += count
        return count


class ForwardStream(io.RawIOBase):
    """A decoded stream that reads forward; seeking back restarts it, seeking ahead skips.

    ``restart`` returns a fresh chunk iterator from the first decoded byte.  Chunks are consumed as
    they are read, so memory stays at one chunk.
    """

    def __init__(self, restart: Callable[[], Iterator[bytes]], length: int | None = None) -> None:
        super().__init__()
        self._restart = restart
        self._length = length
        self._chunks: Iterator[bytes] = restart()
        self._pending = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._pos
        elif whence == io.SEEK_END:
            if self._length is None:
                raise io.UnsupportedOperation("length unknown: cannot seek from the end")
            offset += self._length
        offset = max(0, offset)
        if offset < self._pos:
            self._chunks, self._pending, self._pos = self._restart(), b"", 0
        while self._pos < offset:
            if not self.read(min(CHUNK_SIZE, offset - self._pos)):
                break
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self._pos += count
        return count


def iter_stream(stream: BinaryIO, length: int | None = None, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The stream's bytes from its current position, in chunks, at most ``length`` bytes."""
    left = length
    while left is None or left > 0:
        data = stream.read(chunk_size if left is None else min(chunk_size, left))
        if not data:
            return
        if left is not None:
            left -= len(data)
        yield data


def read_exactly(stream: BinaryIO, count: int, what: str) -> bytes:
    """``count`` bytes or an error naming what was cut short."""
    from forensics.evidence.extractions.errors import ExtractionError

    data = stream.read(count)
    if len(data) != count:
        raise ExtractionError(f"{what}: truncated (wanted {count} bytes, got {len(data)})")
    return data
