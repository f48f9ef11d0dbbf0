"""A forward-only cursor over a sequentially decoded extraction (tar.gz, compressed or encrypted adb backup).

Such formats have no index: reaching a member means decoding everything before it.  Reopening each
member from the start would cost time proportional to the square of the extraction's size when an
ingest reads every member.  The ingest reads members in walk order (the order of their data
offsets), so one cursor per worker keeps the decoder where the last member ended and goes on from
there; only a member before the cursor (a member reopened to look inside it, or a batch taken out
of order after a worker crash) restarts the decode from the beginning.  Memory stays at one chunk.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from forensics.evidence.extractions.errors import ExtractionError
from forensics.evidence.extractions.streams import CHUNK_SIZE, ForwardStream


class OwnedStream:
    """A decoded stream and the file handle under it, closed together."""

    def __init__(self, stream: BinaryIO, handle: BinaryIO) -> None:
        self._stream = stream
        self._handle = handle

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self._handle.close()


class DecodedCursor:
    """One decoded stream read forward by successive members; ``open`` gives a member's bytes.

    ``open_decoded`` returns a fresh decoded stream from its first byte (it owns its own file handle).
    A member's reader is valid until the next member is opened: reading an older one raises.
    """

    def __init__(self, open_decoded: Callable[[], OwnedStream | BinaryIO], where: str) -> None:
        self._open_decoded = open_decoded
        self._where = where
        self._stream: OwnedStream | BinaryIO | None = None
        self._pos = 0
        self._generation = 0
        self.restarts = 0  # how often the decode began again from the start (for measurements)

    def _restart(self) -> OwnedStream | BinaryIO:
        self.close()
        self._stream = self._open_decoded()
        self._pos = 0
        self.restarts += 1
        return self._stream

    def chunks(self, offset: int, size: int) -> Iterator[bytes]:
        """The decoded bytes ``[offset, offset + size)`` in chunks, moving the cursor forward."""
        self._generation += 1
        mine = self._generation
        stream = self._stream if self._stream is not None and offset >= self._pos else self._restart()
        try:
            while self._pos < offset:
                skipped = stream.read(min(CHUNK_SIZE, offset - self._pos))
                if not skipped:
                    raise ExtractionError(f"{self._where}: decoded stream ends before byte {offset}")
                self._pos += len(skipped)
            left = size
            while left > 0:
                if self._generation != mine:
                    raise ExtractionError(f"{self._where}: member reader used after the next member opened")
                data = stream.read(min(CHUNK_SIZE, left))
                if not data:
                    raise ExtractionError(
                        f"{self._where}: truncated (member at decoded byte {offset} has {size} bytes, "
                        f"{size - left} readable)"
                    )
                self._pos += len(data)
                left -= len(data)
                yield data
        except (OSError, EOFError, zlib.error) as exc:
            self.close()
            raise ExtractionError(f"{self._where}: decoded stream damaged ({exc})") from exc

    def open(self, offset: int, size: int) -> BinaryIO:
        """A seekable read-only stream of one member (seeking back re-reads it through the cursor)."""
        return ForwardStream(lambda: self.chunks(offset, size), size)  # type: ignore[return-value]

    def close(self) -> None:
        if self._stream is not None:
            try:
                self._stream.close()
            finally:
                self._stream = None
                self._pos = 0
