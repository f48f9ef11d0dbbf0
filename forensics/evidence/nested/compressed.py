"""Single compressed streams (gzip, bzip2, xz): a tar inside is read as a tar, anything else is one child.

The child's size is known only once it has been read through (gzip's trailer keeps it modulo 4 GiB):
``NestedChild.size`` is None in the listing and set when its content has been streamed to the end.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
from collections.abc import Iterator
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.detect import tar_checksum_ok
from forensics.evidence.nested.limits import Budget, LimitExceeded, NestedLimits
from forensics.evidence.nested.records import DECOMPRESSED, NestedChild
from forensics.evidence.nested.streams import CountingStream, iter_stream, read_at_of

CODECS = {"gzip": gzip.GzipFile, "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}
TAR_COMPRESSION = {"gzip": "gz", "bzip2": "bz2", "xz": "xz"}
SUFFIXES = {"gzip": (".gz", ".tgz", ".z"), "bzip2": (".bz2", ".tbz2", ".tbz"), "xz": (".xz", ".txz")}
ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError)


def decompressor(codec: str, parent: BinaryIO) -> BinaryIO:
    """A decompressing reader of the whole parent (from its first byte)."""
    parent.seek(0)
    if codec == "gzip":
        return cast(BinaryIO, gzip.GzipFile(fileobj=parent, mode="rb"))
    return CODECS[codec](parent, mode="rb")


def gzip_original_name(parent: BinaryIO) -> str | None:
    """The FNAME field of a gzip header (the name of the compressed file), if stored."""
    head = read_at_of(parent)(0, 1024)
    if len(head) < 10 or not head[3] & 0x08:
        return None
    pos = 10
    if head[3] & 0x04 and len(head) >= 12:
        pos += 2 + struct.unpack_from("<H", head, 10)[0]
    end = head.find(b"\0", pos)
    if end < 0:
        return None
    return head[pos:end].decode("latin-1")


def holds_tar(codec: str, parent: BinaryIO) -> bool:
    """True when the first decompressed block is a tar header."""
    try:
        with decompressor(codec, parent) as reader:
            return tar_checksum_ok(reader.read(512))
    except ERRORS:
        return False


def child_name(codec: str, parent: BinaryIO, parent_name: str) -> str:
    """The stored original name, else the parent's name without its compression suffix."""
    stored = gzip_original_name(parent) if codec == "gzip" else None
    if stored:
        return stored
    lowered = parent_name.lower()
    for suffix in SUFFIXES[codec]:
        if lowered.endswith(suffix):
            base = parent_name[: -len(suffix)]
            return base + ".tar" if suffix.startswith(".t") and len(suffix) > 3 else base
    return parent_name + ".decompressed" if parent_name else "decompressed"


class CompressedReader:
    """One gzip/bzip2/xz stream: its single decompressed child."""

    def __init__(
        self, parent: BinaryIO, codec: str, limits: NestedLimits, where: str, parent_name: str = ""
    ) -> None:
        self._parent = parent
        self.codec = codec
        self.format = codec
        self._limits = limits
        self._where = where
        self._name = child_name(codec, parent, parent_name.replace("\\", "/").rsplit("/", 1)[-1])
        self.notes: list[str] = []

    def children(self) -> Iterator[NestedChild]:
        child = NestedChild(
            link_kind=DECOMPRESSED,
            path=self._name,
            size=None,
            params={"codec": self.codec},
            container_format=self.codec,
        )
        child._content = lambda chunk_size: self._stream(child, chunk_size)
        yield child

    def _stream(self, child: NestedChild, chunk_size: int) -> Iterator[bytes]:
        counting = CountingStream(self._parent)
        budget = Budget(self._limits, self._where, lambda: counting.read_total)
        total = 0
        try:
            with decompressor(self.codec, cast(BinaryIO, counting)) as reader:
                for data in iter_stream(reader, chunk_size):
                    budget.expand(len(data), child.path)
                    total += len(data)
                    yield data
        except LimitExceeded:
            raise
        except ERRORS as exc:
            raise EvidenceError(
                f"{self._where}: {self.codec} stream unreadable at byte {total}: {exc}"
            ) from exc
        child.size = total


def open_decompressed(parent: BinaryIO, params: dict) -> BinaryIO:
    """Reopen the decompressed stream (forward reading; wrap in ForwardStream to seek)."""
    codec = params.get("codec")
    if codec not in CODECS:
        raise EvidenceError(f"unknown compression {codec!r}")
    return decompressor(codec, parent)
