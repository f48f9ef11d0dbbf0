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


def walk_folder(root: Path) -> Iterator[FileEntry]:
    """Every entry below ``root`` in sorted, deterministic order; links are listed, never followed."""
    root = Path(root)
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        subdirs: list[tuple[Path, str]] = []
        for name in names:
            full = folder / name
            path = f"{rel}/{name}"
            st = os.lstat(full)
            kind = _kind(st.st_mode)
            birth = getattr(st, "st_birthtime_ns", None)
            link = os.readlink(full) if kind == "link" else None
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
