"""7z, RAR (v4 and v5), CAB and cpio archives through libarchive (``libarchive-c``, Debian libarchive13).

libarchive reads the parent through callbacks (no path, no temporary file) and streams each member's
data block by block. Members are reopened by index. Encrypted members (and archives whose headers are
encrypted) are listed as far as libarchive can and flagged "encrypted, not opened": libarchive decrypts
only zip members, so a password helps zip archives only; given one, the members of a 7z or RAR archive
keep their flag with the note "encrypted, not opened: encryption method not supported".
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.limits import Budget, LimitExceeded, NestedLimits
from forensics.evidence.nested.rar5_headers import encrypted_members
from forensics.evidence.nested.records import (
    ARCHIVE_MEMBER,
    FLAG_ENCRYPTED,
    FLAG_UNSAFE_NAME,
    NOTE_ENCRYPTED,
    NOTE_UNSUPPORTED,
    NestedChild,
    unsafe_name,
)
from forensics.evidence.nested.streams import CountingStream, PieceStream, read_at_of

BLOCK_SIZE = 256 * 1024
FORMAT_NAMES = {"7z": "7zip", "rar": "rar", "rar5": "rar5", "cab": "cab", "cpio": "cpio", "zip": "zip"}


def _libarchive():
    """The libarchive-c modules, with the entry calls this reader needs declared."""
    try:
        import libarchive
        from libarchive import ffi
    except (ImportError, OSError) as exc:  # the Python package or the shared library is missing
        raise EvidenceError(f"libarchive is not available: {exc}") from exc
    entry_p = ffi.c_archive_entry_p
    for name in ("entry_is_encrypted", "entry_is_data_encrypted", "entry_is_metadata_encrypted"):
        if not hasattr(ffi, name):
            ffi.ffi(name, [entry_p], ctypes.c_int)
    for name in ("entry_mtime", "entry_atime", "entry_ctime", "entry_birthtime"):
        if not hasattr(ffi, name):
            ffi.ffi(name, [entry_p], ctypes.c_int64)
    return libarchive, ffi


def _time_ns(ffi, entry_p, which: str) -> int | None:  # noqa: ANN001 - ctypes handles
    if not getattr(ffi, f"entry_{which}_is_set")(entry_p):
        return None
    return int(getattr(ffi, f"entry_{which}")(entry_p)) * 1_000_000_000 + int(
        getattr(ffi, f"entry_{which}_nsec")(entry_p)
    )


@contextmanager
def _reader(parent: BinaryIO, fmt: str, password: bytes | None):
    libarchive, _ = _libarchive()
    parent.seek(0)
    try:
        with libarchive.stream_reader(
            parent, format_name=FORMAT_NAMES[fmt], block_size=BLOCK_SIZE, passphrase=password
        ) as archive:
            yield archive
    except libarchive.ArchiveError as exc:
        raise EvidenceError(f"{fmt} archive unreadable: {' '.join(str(exc).split())}") from exc


class LibarchiveReader:
    """Lists and streams the members of one archive that libarchive reads."""

    def __init__(
        self, parent: BinaryIO, fmt: str, limits: NestedLimits, where: str, password: bytes | None = None
    ) -> None:
        self._parent = parent
        self.format = fmt
        self._limits = limits
        self._where = where
        self._password = password
        self._rar5_encrypted: set[str] = set()
        self.notes: list[str] = []

    def children(self) -> Iterator[NestedChild]:
        libarchive, ffi = _libarchive()
        if self.format == "rar5":
            try:
                self._rar5_encrypted, headers_encrypted = encrypted_members(read_at_of(self._parent))
            except ValueError:
                self._rar5_encrypted, headers_encrypted = set(), False
            if headers_encrypted:
                self.notes.append(self._headers_note())
                return
        counting = CountingStream(self._parent)
        budget = Budget(self._limits, self._where, lambda: counting.read_total)
        index = -1
        try:
            with _reader(cast(BinaryIO, counting), self.format, self._password) as archive:
                iterator = iter(archive)
                while True:
                    try:
                        entry = next(iterator)
                    except StopIteration:
                        return
                    except libarchive.ArchiveError as exc:
                        reason = " ".join(str(exc).split())
                        if "encrypt" in reason.lower() or "passphrase" in reason.lower():
                            self.notes.append(self._headers_note())
                        else:
                            self.notes.append(
                                f"{self._where}: listing stopped after member {index}: {reason}"
                            )
                        return
                    index += 1
                    budget.member()
                    budget.expand(0, "(listing)")
                    child = self._child(ffi, entry, index)
                    if child.readable:
                        child._content = self._streamer(libarchive, entry, child, budget)
                    yield child
        except EvidenceError as exc:
            if index < 0:
                raise
            self.notes.append(f"{self._where}: {exc}")

    def _headers_note(self) -> str:
        if self._password is None:
            return f"{self._where}: archive headers are encrypted, not opened"
        return f"{self._where}: archive headers are encrypted, not opened: encryption method not supported"

    def _child(self, ffi, entry, index: int) -> NestedChild:  # noqa: ANN001 - libarchive objects
        entry_p = entry._entry_p
        path = entry.pathname or f"member-{index}"
        kind = "directory" if entry.isdir else "link" if entry.issym or entry.islnk else "file"
        size = int(entry.size) if ffi.entry_size_is_set(entry_p) else None
        child = NestedChild(
            link_kind=ARCHIVE_MEMBER,
            path=path,
            size=size if kind == "file" else 0,
            params={"index": index, "name": path, "format": self.format},
            kind=kind,
            mtime_ns=_time_ns(ffi, entry_p, "mtime"),
            atime_ns=_time_ns(ffi, entry_p, "atime"),
            ctime_ns=_time_ns(ffi, entry_p, "ctime"),
            crtime_ns=_time_ns(ffi, entry_p, "birthtime"),
            container_format=self.format,
        )
        if unsafe_name(path):
            child.flags.append(FLAG_UNSAFE_NAME)
        if kind == "link":
            child.extra["link_target"] = entry.linkpath
        encrypted = ffi.entry_is_encrypted(entry_p) or ffi.entry_is_data_encrypted(entry_p)
        if encrypted or path in self._rar5_encrypted:
            child.flags.append(FLAG_ENCRYPTED)
            if self._password is None or self.format != "zip":
                child.note = NOTE_ENCRYPTED if self._password is None else NOTE_UNSUPPORTED
                return child
        if kind == "file":
            child._content = _not_streamed  # replaced by the streamer (marks the child readable)
        return child

    def _streamer(self, libarchive, entry, child: NestedChild, budget: Budget):  # noqa: ANN001
        def stream(chunk_size: int) -> Iterator[bytes]:
            total = 0
            try:
                for block in entry.get_blocks(max(chunk_size, BLOCK_SIZE)):
                    budget.expand(len(block), child.path)
                    total += len(block)
                    yield block
            except LimitExceeded:
                raise
            except (libarchive.ArchiveError, TypeError, OSError) as exc:
                reason = " ".join(str(exc).split())
                raise EvidenceError(
                    f"{self._where}: {child.path}: unreadable at byte {total}: {reason}"
                ) from exc
            if child.size is None:
                child.size = total

        return stream


def open_archive_member(
    parent: BinaryIO, params: dict, password: bytes | None = None, where: str = "archive"
) -> BinaryIO:
    """Reopen member ``params['index']`` of a libarchive-read archive, streamed in memory-bounded pieces."""
    index = int(params["index"])
    fmt = params.get("format", "7z")
    size = params.get("size")
    reader = LibarchiveReader(parent, fmt, NestedLimits(max_seconds=float("inf")), where, password)
    listing = reader.children()
    for child in listing:
        if child.params["index"] == index:
            if child.path != params.get("name", child.path):
                raise EvidenceError(f"{where}: member {index} is {child.path!r}, not {params.get('name')!r}")
            if not child.readable:
                raise EvidenceError(f"{where}: {child.path}: {child.note or 'no content'}")
            return cast(BinaryIO, PieceStream(child.chunks(BLOCK_SIZE), size, keep=listing))
    raise EvidenceError(f"{where}: member {index} ({params.get('name')}) is not in the archive")


def _not_streamed(chunk_size: int) -> Iterator[bytes]:
    """The content of a member listed but not yet given its streamer (never read: children() sets it)."""
    raise EvidenceError("archive member listed without its content streamer")
