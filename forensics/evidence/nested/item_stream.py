"""A seekable, read-only stream of an item of the evidence (the parent stream of its nested content).

File-system items are read through TSK's ``read_random`` at any offset (``EvidenceSource.read_chunks``
reads in order only); items of a folder source are opened read-only without following links.
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.extractions.records import EXTRACTION_LINK_KINDS
from forensics.evidence.locator import FileLocator
from forensics.evidence.nested.disk_image import item_stream
from forensics.evidence.nested.streams import ReadAtStream
from forensics.evidence.source import EvidenceSource

SEQUENTIAL_IN_MEMORY = 32 * 1024 * 1024  # a member of a tar.gz or adb backup looked inside from memory


def open_item_stream(source: EvidenceSource, locator: FileLocator, size: int) -> BinaryIO:
    """The bytes of the item at ``locator`` (``size`` bytes) as a seekable stream."""
    if locator.parent is None and locator.kind in EXTRACTION_LINK_KINDS:
        return _extraction_stream(source, locator, size)
    if source.is_folder:
        return _folder_stream(source, locator)
    if locator.partition_offset is None or locator.inode is None:
        raise EvidenceError(f"{locator.path}: no metadata, no content to read")
    fs = source.filesystem(locator.partition_offset, locator.fs_type)
    attr_type = locator.attr_type if locator.attr_type is not None else 1  # TSK_FS_ATTR_TYPE_DEFAULT
    attr_id = locator.attr_id if locator.attr_id is not None else -1
    return cast(BinaryIO, item_stream(fs, locator.inode, attr_type, attr_id, size, locator.path))


def _extraction_stream(source: EvidenceSource, locator: FileLocator, size: int) -> BinaryIO:
    """A phone-extraction member; one of a sequential extraction (tar.gz, adb) is held in memory up to
    ``SEQUENTIAL_IN_MEMORY`` bytes, since each backward seek there decodes the extraction from its start."""
    stream = source.open_extraction_member(locator)
    if not source.extraction().sequential or size > SEQUENTIAL_IN_MEMORY:
        return stream
    try:
        data = stream.read(size + 1)
    finally:
        stream.close()
    return io.BytesIO(data[:size])


class _FileStream(ReadAtStream):
    """A read-only file of a folder source, closed with the stream."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        super().__init__(self._read_fd, os.fstat(fd).st_size)

    def _read_fd(self, offset: int, length: int) -> bytes:
        if hasattr(os, "pread"):
            return os.pread(self._fd, length, offset)
        os.lseek(self._fd, offset, os.SEEK_SET)  # Windows has no pread
        return os.read(self._fd, length)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        super().close()


def _folder_stream(source: EvidenceSource, locator: FileLocator) -> BinaryIO:
    from forensics.evidence.logical import resolve_display_path

    root = source.image.path.resolve()
    target = resolve_display_path(root, locator.path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        raise EvidenceError(f"{locator.path}: {exc.strerror}") from exc
    return cast(BinaryIO, _FileStream(fd))
