"""A folder of already extracted files (e.g. a phone extraction export) as a logical source."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from forensics.evidence.walker import FileEntry

_KINDS = (
    (stat.S_ISREG, "file"),
    (stat.S_ISDIR, "directory"),
    (stat.S_ISLNK, "link"),
    (stat.S_ISFIFO, "fifo"),
    (stat.S_ISCHR, "char-device"),
    (stat.S_ISBLK, "block-device"),
    (stat.S_ISSOCK, "socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "unknown")


def display_name(raw: bytes) -> str:
    """A folder entry's name as text: UTF-8, with undecodable bytes written as ``\\xNN``."""
    return raw.decode("utf-8", "backslashreplace")


def resolve_display_path(root: Path, display_path: str) -> Path:
    """The real path below ``root`` of a listed path (names may hold undecodable bytes)."""
    current = os.fsencode(root)
    for part in [p for p in display_path.split("/") if p]:
        direct = os.path.join(current, os.fsencode(part))
        if display_name(os.fsencode(part)) == part and os.path.lexists(direct):
            current = direct
            continue
        matches = [n for n in os.listdir(current) if display_name(n) == part]
        if not matches:
            raise FileNotFoundError(display_path)
        current = os.path.join(current, sorted(matches)[0])
    return Path(os.fsdecode(current))


def walk_folder(root: Path) -> Iterator[FileEntry]:
    """Every entry below ``root`` in sorted, deterministic order; links are listed, never followed."""
    stack: list[tuple[bytes, str]] = [(os.fsencode(root), "")]
    while stack:
        folder, rel = stack.pop()
        try:
            raw_names = sorted(os.listdir(folder))
        except OSError:
            continue
        subdirs: list[tuple[bytes, str]] = []
        for raw in raw_names:
            full = os.path.join(folder, raw)
            name = display_name(raw)
            path = f"{rel}/{name}"
            try:
                st = os.lstat(full)
            except OSError:
                continue  # vanished while listing
            kind = _kind(st.st_mode)
            birth = getattr(st, "st_birthtime_ns", None)
            link = display_name(os.readlink(full)) if kind == "link" else None
            yield FileEntry(
                path=path,
                name=name,
                inode=st.st_ino,
                attr_type=None,
                attr_id=None,
                stream=None,
                size=st.st_size if kind == "file" else 0,
                kind=kind,
                allocated=True,
                deleted=False,
                orphan=False,
                has_metadata=True,
                mode=stat.S_IMODE(st.st_mode),
                uid=st.st_uid,
                gid=st.st_gid,
                nlink=st.st_nlink,
                link_target=link,
                mtime_ns=st.st_mtime_ns,
                atime_ns=st.st_atime_ns,
                ctime_ns=st.st_ctime_ns,
                crtime_ns=birth,
                readable=kind == "file",
            )
            if kind == "directory":
                subdirs.append((full, path))
        stack.extend(reversed(subdirs))
