"""Plain records that extraction readers yield: one per member, with the link params that reopen it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Link kinds registered by this package (see ``forensics.evidence.extractions.openers``).
ZIP_MEMBER = "zip-member"
TAR_MEMBER = "tar-member"
ADB_BACKUP_MEMBER = "adb-backup-member"
IOS_BACKUP_FILE = "ios-backup-file"
FOLDER_FILE = "folder-file"
# Extraction formats, as a case's "file system" row of an extraction names them (``filesystems.fs_type``).
EXTRACTION_FORMATS = frozenset({"ffs-zip", "ffs-tar", "ffs-folder", "adb-backup", "ios-backup", "ufdr"})
# Kinds of a member's root link in a case: its parent is the extraction itself (the evidence item).
EXTRACTION_LINK_KINDS = frozenset({ZIP_MEMBER, TAR_MEMBER, ADB_BACKUP_MEMBER, IOS_BACKUP_FILE, FOLDER_FILE})


@dataclass
class ExtractionMember:
    """One file, folder or link inside a phone extraction, as the extraction records it.

    ``path`` is the member's name inside its container (zip/tar name, backup file id path, folder path);
    ``device_path`` is where the file lived on the phone (None when the layout does not say).  Times are
    integer nanoseconds since the epoch, UTC; ``local_mtime`` keeps a zone-less time (zip DOS times) as
    text instead of guessing its zone.  ``hashes`` are the digests the extraction itself states (UFDR),
    lower-case hex by algorithm name, for the caller to check against computed ones.  ``params`` reopen
    the member's bytes with the opener of ``link_kind`` and are JSON-able; they never hold a secret.
    """

    link_kind: str
    path: str
    name: str
    device_path: str | None
    kind: str = "file"  # file, directory, link, other
    size: int | None = None
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None
    mtime_ns: int | None = None
    atime_ns: int | None = None
    ctime_ns: int | None = None
    crtime_ns: int | None = None
    local_mtime: str | None = None
    deleted: bool | None = None
    encrypted: bool = False
    present: bool = True  # False: listed by the extraction's index but its bytes are not in it
    link_target: str | None = None
    hashes: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        """True when the member has bytes that its opener can give."""
        return self.kind == "file" and self.present


def seconds_to_ns(value: float | int | None) -> int | None:
    """Seconds since the epoch (UTC) as integer nanoseconds; None stays None."""
    if value is None:
        return None
    if isinstance(value, int):
        return value * 1_000_000_000
    return round(value * 1_000_000_000)
