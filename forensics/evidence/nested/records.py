"""What a container reader says about each child: name, size, times, flags, and how to reopen it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Link kinds of the locator chain that this package reads and reopens (see openers.py).
ZIP_MEMBER = "zip-member"
ZIP_LOCAL_MEMBER = "zip-local-member"  # a member of a zip without central directory, by its local header
TAR_MEMBER = "tar-member"
ARCHIVE_MEMBER = "archive-member"  # libarchive: 7z, rar v4/v5, cab...
DECOMPRESSED = "decompressed"  # the single stream of a gzip/bzip2/xz file
OLE_EMBEDDED = "ole-embedded"  # a picture or object inside a stream of an OLE compound file
OLE_STREAM = "ole-stream"  # an OLE stream that is itself a container (e.g. an embedded package)
EMBEDDED = "embedded"  # bytes at an offset inside the parent, found by content (carving within a file)
IMAGE_FILE = "image-file"  # a file of a file system inside a disk image found in the evidence
CARVED = "carved"  # bytes carved from unallocated space of the media (forensics.evidence.carving)

FLAG_ENCRYPTED = "encrypted"
FLAG_DELETED = "deleted"
FLAG_UNSAFE_NAME = "unsafe-name"  # absolute, drive-letter or '..' name: shown, never used as a path
FLAG_STOPPED = "stopped"  # a defence stopped its reading: see the note
FLAG_PARTIAL = "partial"
FLAG_ERROR = "error"

# Notes of encrypted members (the examiner can supply the archive's password and re-run the item).
NOTE_ENCRYPTED = "encrypted, not opened"
NOTE_WRONG_PASSWORD = "encrypted, not opened: wrong password"
NOTE_UNSUPPORTED = "encrypted, not opened: encryption method not supported"


@dataclass
class NestedChild:
    """One item inside a container, as listed in one pass over the parent's bytes.

    ``params`` (JSON-able) and ``link_kind`` reopen it later through
    :func:`forensics.evidence.nested.openers.open_link`. ``byte_runs`` ([child_offset, parent_offset,
    length]) are given when the bytes lie stored, uncompressed, in the parent. During the listing pass,
    :meth:`chunks` streams the content (valid until the next child is asked for); afterwards use the
    opener.
    """

    link_kind: str
    path: str
    size: int | None
    params: dict[str, Any]
    kind: str = "file"  # file | directory | link | other
    mtime_ns: int | None = None
    atime_ns: int | None = None
    ctime_ns: int | None = None
    crtime_ns: int | None = None
    flags: list[str] = field(default_factory=list)
    note: str | None = None
    byte_runs: list[list[int]] = field(default_factory=list)
    container_format: str = ""  # format of the parent that holds it (zip, 7z, ntfs-in-vmdk...)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the nested file system's walk record
    _content: Callable[[int], Iterator[bytes]] | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The last component of the path (shown; never used to build a file-system path)."""
        stripped = self.path.rstrip("/\\")
        return stripped.replace("\\", "/").rsplit("/", 1)[-1] or stripped

    @property
    def encrypted(self) -> bool:
        return FLAG_ENCRYPTED in self.flags

    @property
    def readable(self) -> bool:
        """True when the listing pass can stream its bytes (a regular, unencrypted, unstopped member)."""
        return self._content is not None

    def chunks(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The content during the listing pass (raises EvidenceError; LimitExceeded when a defence stops)."""
        if self._content is None:
            raise ValueError(f"{self.path}: no content to read ({self.note or self.kind})")
        return self._content(chunk_size)

    def to_dict(self) -> dict[str, Any]:
        """The record without its content reader, JSON-able (for storage and tests)."""
        return {
            "link_kind": self.link_kind,
            "path": self.path,
            "name": self.name,
            "size": self.size,
            "params": self.params,
            "kind": self.kind,
            "mtime_ns": self.mtime_ns,
            "atime_ns": self.atime_ns,
            "ctime_ns": self.ctime_ns,
            "crtime_ns": self.crtime_ns,
            "flags": list(self.flags),
            "note": self.note,
            "byte_runs": self.byte_runs,
            "container_format": self.container_format,
            "extra": self.extra,
        }


def unsafe_name(path: str) -> bool:
    """True for names that would leave a folder if used as a path: absolute, drive letter, '..', NUL."""
    if not path:
        return True
    normal = path.replace("\\", "/")
    if normal.startswith("/") or "\0" in normal:
        return True
    if len(normal) >= 2 and normal[1] == ":" and normal[0].isalpha():
        return True
    return ".." in normal.split("/")
