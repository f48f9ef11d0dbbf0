"""Open a container found in the evidence and list its children: the one entry point of the readers.

``open_container(stream, ...)`` names the format by content and returns a :class:`ContainerWalk`, or
None when the bytes are no container. A container that cannot be read, or that a defence stops, gives
notes (one line each, saying what and where) and no crash; the rest of the job goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.detect import ARCHIVE_FORMATS, IMAGE_FORMATS, detect_format
from forensics.evidence.nested.limits import DEFAULT_LIMITS, LimitExceeded, NestedLimits
from forensics.evidence.nested.records import FLAG_STOPPED, NestedChild


@dataclass
class ContainerWalk:
    """One container being listed: its format, notes, and its children in one pass."""

    format: str
    where: str
    reader: Any = None
    notes: list[str] = field(default_factory=list)
    stopped: bool = False

    def children(self) -> Iterator[NestedChild]:
        """The children in order; each child's content is readable until the next one is asked for."""
        if self.reader is None:
            return
        listing = self.reader.children()
        while not self.stopped:
            try:
                child = next(listing)
            except StopIteration:
                break
            except LimitExceeded as exc:
                self._stop(str(exc))
                break
            except EvidenceError as exc:
                self.notes.append(str(exc))
                break
            if child.readable:
                child._content = self._guarded(child, child._content)
            yield child
        self.notes.extend(note for note in getattr(self.reader, "notes", []) if note not in self.notes)

    def _guarded(self, child: NestedChild, content):  # noqa: ANN001 - the reader's content function
        def stream(chunk_size: int) -> Iterator[bytes]:
            try:
                yield from content(chunk_size)
            except LimitExceeded as exc:
                child.flags.append(FLAG_STOPPED)
                child.note = str(exc)
                if "members" in str(exc) or "expanded bytes" in str(exc) or " s: stopped" in str(exc):
                    self._stop(str(exc))  # a container-wide limit: no further member is read
                raise

        return stream

    def _stop(self, note: str) -> None:
        self.stopped = True
        if note not in self.notes:
            self.notes.append(note)

    def close(self) -> None:
        close = getattr(self.reader, "close", None)
        if close is not None:
            close()


def make_reader(
    fmt: str,
    stream: BinaryIO,
    *,
    where: str,
    name: str,
    limits: NestedLimits,
    password: bytes | None,
    depth: int,
) -> Any:
    """The reader object for ``fmt`` (raises EvidenceError when the container is unreadable)."""
    if fmt == "zip":
        from forensics.evidence.nested.zip_reader import ZipReader

        try:
            return ZipReader(stream, limits, where, password)
        except EvidenceError:
            from forensics.evidence.nested.zip_local import LocalZipReader

            return LocalZipReader(stream, limits, where)  # no central directory: from the local headers
    if fmt == "tar":
        from forensics.evidence.nested.tar_reader import TarReader

        return TarReader(stream, limits, where)
    if fmt in ("gzip", "bzip2", "xz"):
        from forensics.evidence.nested.compressed import TAR_COMPRESSION, CompressedReader, holds_tar

        if holds_tar(fmt, stream):
            from forensics.evidence.nested.tar_reader import TarReader

            return TarReader(stream, limits, where, TAR_COMPRESSION[fmt])
        return CompressedReader(stream, fmt, limits, where, name)
    if fmt in ("7z", "rar", "rar5", "cab", "cpio"):
        from forensics.evidence.nested.libarchive_reader import LibarchiveReader

        return LibarchiveReader(stream, fmt, limits, where, password)
    if fmt == "ole":
        from forensics.evidence.nested.ole_reader import OleReader

        return OleReader(stream, limits, where)
    if fmt in IMAGE_FORMATS:
        from forensics.evidence.nested.disk_image import DiskImageReader

        return DiskImageReader(stream, fmt, limits, where)
    raise EvidenceError(f"{where}: no reader for {fmt}")


def open_container(
    stream: BinaryIO,
    *,
    name: str = "",
    where: str | None = None,
    limits: NestedLimits = DEFAULT_LIMITS,
    password: bytes | None = None,
    depth: int = 0,
    fmt: str | None = None,
) -> ContainerWalk | None:
    """List a seekable stream as a container, or None when its bytes name no container format.

    ``name`` is the item's name (for messages and a decompressed child's name), ``depth`` how many
    containers already enclose it (0 for a file of the evidence's own file system), ``password`` the
    examiner's password for this archive.
    """
    where = where or name or "container"
    fmt = fmt or detect_format(stream)
    if fmt is None:
        return None
    if depth >= limits.max_depth:
        return ContainerWalk(
            fmt, where, notes=[f"{where}: nesting depth above {limits.max_depth}: not opened"]
        )
    try:
        reader = make_reader(
            fmt, stream, where=where, name=name, limits=limits, password=password, depth=depth
        )
    except EvidenceError as exc:
        if fmt == "disk":
            return None  # a boot-sector or superblock look-alike with no file system: not a container
        return ContainerWalk(fmt, where, notes=[str(exc)])
    except (OSError, RuntimeError, ValueError, MemoryError) as exc:  # a library's own failure
        return ContainerWalk(fmt, where, notes=[f"{where}: {fmt} unreadable: {' '.join(str(exc).split())}"])
    return ContainerWalk(getattr(reader, "format", fmt), where, reader)


def is_archive(fmt: str | None) -> bool:
    """True for archive and compression formats (opened by every profile that opens archives)."""
    return fmt in ARCHIVE_FORMATS
