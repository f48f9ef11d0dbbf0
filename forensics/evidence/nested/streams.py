"""Read-only, seekable byte streams over parents: ranges, read-at functions, counted and reopened streams.

A parent is always a file-like object (``read``, ``seek``, ``tell``, ``readinto``), never a path; nothing
here writes to disk.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO, BinaryIO, cast

ReadAt = Callable[[int, int], bytes]
# The streams below are handed out as ``BinaryIO`` through ``typing.cast``: they block, so they read, seek
# and tell as a binary file does, but ``typing.BinaryIO`` is a class of its own that io classes do not name.


class ReadAtStream(io.RawIOBase):
    """A seekable read-only stream over ``read_at(offset, size)`` and a known ``size``."""

    _keep: object  # what an opener keeps alive as long as the stream (the handles of a nested image)

    def __init__(self, read_at: ReadAt, size: int) -> None:
        super().__init__()
        self._read_at = read_at
        self._size = int(size)
        self._pos = 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"bad whence {whence}")
        if pos < 0:
            raise OSError("seek before the start of the stream")
        self._pos = pos
        return pos

    def readinto(self, buffer) -> int:  # noqa: ANN001 - any writable buffer
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._size - self._pos)
        if want <= 0:
            return 0
        data = self._read_at(self._pos, want)
        count = len(data)
        view[:count] = data
        self._pos += count
        return count

    def read_at(self, offset: int, size: int) -> bytes:
        """Bytes at ``offset`` (no change of position); short at the end."""
        size = min(size, self._size - offset)
        return self._read_at(offset, size) if size > 0 else b""


def stream_size(stream: BinaryIO) -> int:
    """The size of a seekable stream (its position is kept)."""
    size = getattr(stream, "size", None)
    if isinstance(size, int):
        return size
    here = stream.tell()
    end = stream.seek(0, io.SEEK_END)
    stream.seek(here)
    return end


def read_at_of(stream: BinaryIO) -> ReadAt:
    """A ``read_at`` over a seekable stream (each call seeks: callers may share the stream)."""
    direct = getattr(stream, "read_at", None)
    if callable(direct):
        return direct

    def read_at(offset: int, size: int) -> bytes:
        stream.seek(offset)
        parts: list[bytes] = []
        while size > 0:
            data = stream.read(size)
            if not data:
                break
            parts.append(data)
            size -= len(data)
        return b"".join(parts)

    return read_at


def range_stream(parent: BinaryIO, start: int, length: int) -> BinaryIO:
    """The bytes ``start .. start+length`` of a seekable parent, as a seekable stream of their own."""
    parent_read = read_at_of(parent)
    return cast(BinaryIO, ReadAtStream(lambda offset, size: parent_read(start + offset, size), length))


class CountingStream(io.RawIOBase):
    """Passes reads to a seekable parent and keeps the furthest position read (stored bytes consumed)."""

    def __init__(self, parent: BinaryIO) -> None:
        super().__init__()
        self._parent = parent
        self.furthest = 0
        self.read_total = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._parent.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._parent.seek(offset, whence)

    def readinto(self, buffer) -> int:  # noqa: ANN001
        count = self._parent.readinto(buffer)  # type: ignore[attr-defined]  # typing.IO omits io's readinto
        if count:
            self.read_total += count
            self.furthest = max(self.furthest, self._parent.tell())
        return count or 0


class ForwardStream(io.RawIOBase):
    """A seekable view of a forward-only member stream: seeking back reopens it and skips forward.

    ``opener()`` returns a fresh readable stream of the member from its first byte. Memory stays bounded
    (nothing is buffered beyond one piece); a backward seek costs a re-read from the start.
    """

    def __init__(
        self,
        opener: Callable[[], BinaryIO],
        size: int,
        chunk_size: int = 1 << 20,
        first: BinaryIO | None = None,
    ) -> None:
        super().__init__()
        self._opener = opener
        self._size = int(size)
        self._chunk = chunk_size
        self._inner: BinaryIO | None = first  # an already opened stream at the member's first byte
        self._inner_pos = 0
        self._pos = 0

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        pos = base + offset
        if pos < 0:
            raise OSError("seek before the start of the stream")
        self._pos = pos
        return pos

    def _position_inner(self) -> BinaryIO:
        if self._inner is None or self._inner_pos > self._pos:
            if self._inner is not None:
                self._inner.close()
            self._inner = self._opener()
            self._inner_pos = 0
        while self._inner_pos < self._pos:
            skipped = self._inner.read(min(self._chunk, self._pos - self._inner_pos))
            if not skipped:
                break
            self._inner_pos += len(skipped)
        return self._inner

    def readinto(self, buffer) -> int:  # noqa: ANN001
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or not len(view):
            return 0
        inner = self._position_inner()
        data = inner.read(min(len(view), self._size - self._pos))
        count = len(data)
        view[:count] = data
        self._pos += count
        self._inner_pos += count
        return count

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()
            self._inner = None
        super().close()


class PieceStream(io.RawIOBase):
    """A forward-only readable stream over an iterator of byte pieces (``keep``: an object whose life the
    pieces need, such as the listing generator that holds an archive open)."""

    def __init__(self, pieces: Iterator[bytes], size: int | None = None, keep: object = None) -> None:
        super().__init__()
        self._keep = keep
        self._pieces = pieces
        self._buffer = b""
        self.size = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - any writable buffer
        view = memoryview(buffer).cast("B")
        while not self._buffer:
            try:
                self._buffer = next(self._pieces)
            except StopIteration:
                return 0
        count = min(len(view), len(self._buffer))
        view[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count


def iter_stream(stream: IO[bytes], chunk_size: int) -> Iterator[bytes]:
    """The remaining bytes of a stream in pieces of up to ``chunk_size``."""
    while True:
        data = stream.read(chunk_size)
        if not data:
            return
        yield data


class StreamMedia:
    """A media handle (``size``, ``read_at``) over a seekable stream, for The Sleuth Kit (MediaImgInfo)."""

    def __init__(self, stream: BinaryIO, size: int | None = None) -> None:
        self._read_at = read_at_of(stream)
        self.size = stream_size(stream) if size is None else size

    def read_at(self, offset: int, size: int) -> bytes:
        if offset >= self.size or size <= 0:
            return b""
        return self._read_at(offset, min(size, self.size - offset))

    def close(self) -> None:
        """The stream belongs to the caller."""


class LibyalStreamMedia(StreamMedia):
    """A media handle over an opened libyal object (pyewf/pyqcow/pyvhdi/pyvmdk) reading a parent stream."""

    def __init__(self, handle, size: int) -> None:  # noqa: ANN001 - libyal handle
        self._handle = handle
        self.size = size

    def read_at(self, offset: int, size: int) -> bytes:
        if offset >= self.size or size <= 0:
            return b""
        return self._handle.read_buffer_at_offset(min(size, self.size - offset), offset)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
