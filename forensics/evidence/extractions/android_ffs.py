"""Full-file-system extractions (Android, and iOS ones made by GrayKey-style tools) as zip, tar, tar.gz
or an extracted folder: the archive's members under their device paths.

The device root inside the archive is found by anchors (see ``device_paths``) over the first
``ROOT_SCAN_MEMBERS`` names, so a tool's wrapper folder (``Dump/``, ``filesystem1/``, a device name) is
taken off; members outside the root keep their archive path and no device path.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from forensics.evidence.extractions.device_paths import (
    ExtractionRoot,
    device_path_in_root,
    find_extraction_root,
)
from forensics.evidence.extractions.folder_files import open_readonly
from forensics.evidence.extractions.records import FOLDER_FILE, ExtractionMember
from forensics.evidence.extractions.tar_members import iter_tar_contents, list_tar
from forensics.evidence.extractions.zip_members import list_zip, read_central_directory
from forensics.evidence.logical import resolve_display_path, walk_folder

ROOT_SCAN_MEMBERS = 20_000


def _with_device_paths(
    members: Iterator[ExtractionMember], root: ExtractionRoot | None
) -> Iterator[ExtractionMember]:
    for member in members:
        member.device_path = device_path_in_root(member.path, root)
        yield member


def root_from_names(names: Iterable[str]) -> ExtractionRoot | None:
    """The device root voted over the first ``ROOT_SCAN_MEMBERS`` member names."""
    return find_extraction_root(itertools.islice(names, ROOT_SCAN_MEMBERS))


def tar_root(stream: BinaryIO, compression: str | None, where: str) -> ExtractionRoot | None:
    """The device root of a tar extraction (from its first members' names)."""
    return root_from_names(member.path for member in list_tar(stream, compression, where))


def list_ffs_zip(
    stream: BinaryIO, where: str, root: ExtractionRoot | None = None
) -> Iterator[ExtractionMember]:
    """Members of a zip extraction with device paths (``root``: the device root detection found; else
    it is found here), from one read of the central directory."""
    infos = read_central_directory(stream, where)
    if root is None:
        root = root_from_names(info.filename for info in infos)
    yield from _with_device_paths(list_zip(stream, where, infos), root)


def list_ffs_tar(
    stream: BinaryIO, compression: str | None, where: str, root: ExtractionRoot | None = None
) -> Iterator[ExtractionMember]:
    """Members of a tar / tar.gz extraction with device paths (``root`` as for ``list_ffs_zip``)."""
    if root is None:
        root = tar_root(stream, compression, where)
    yield from _with_device_paths(list_tar(stream, compression, where), root)


def iter_ffs_tar_contents(
    stream: BinaryIO, compression: str | None, where: str, root: ExtractionRoot | None = None
) -> Iterator[tuple[ExtractionMember, BinaryIO | None]]:
    """Members of a tar extraction with their bytes, in one sequential pass (after the root scan, unless
    ``root`` is known)."""
    if root is None:
        root = tar_root(stream, compression, where)
    for member, reader in iter_tar_contents(stream, compression, where):
        member.device_path = device_path_in_root(member.path, root)
        yield member, reader


def folder_root(folder: Path) -> ExtractionRoot | None:
    """The device root of an extracted tree (anchors looked for at the top and one level down)."""
    names: list[str] = []
    for top in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not top.is_dir() or top.is_symlink():
            continue
        names.append(top.name + "/")
        for sub in sorted(top.iterdir()):
            if sub.is_dir() and not sub.is_symlink():
                names.append(f"{top.name}/{sub.name}/")
                names.extend(f"{top.name}/{sub.name}/{leaf.name}/" for leaf in sorted(sub.iterdir())[:200])
            elif sub.is_file():
                names.append(f"{top.name}/{sub.name}")
    return find_extraction_root(names)


def list_ffs_folder(folder: Path) -> Iterator[ExtractionMember]:
    """Every entry of an extracted tree, with device paths; reopened by ``open_folder_file``."""
    root = folder_root(folder)
    for entry in walk_folder(folder):
        path = entry.path.lstrip("/")
        member = ExtractionMember(
            link_kind=FOLDER_FILE,
            path=path,
            name=entry.name,
            device_path=device_path_in_root(path, root),
            kind=entry.kind if entry.kind in ("file", "directory", "link") else "other",
            size=entry.size,
            mode=entry.mode,
            uid=entry.uid,
            gid=entry.gid,
            mtime_ns=entry.mtime_ns,
            atime_ns=entry.atime_ns,
            ctime_ns=entry.ctime_ns,
            crtime_ns=entry.crtime_ns,
            link_target=entry.link_target,
            params={"path": path},
        )
        member.notes.append("times are those of the extracted copy on the examiner's disk, not the phone's")
        yield member


def open_folder_file(folder: Path, params: dict) -> BinaryIO:
    """Reopen a file of an extracted tree, read-only."""
    return open_readonly(resolve_display_path(folder, "/" + str(params["path"])))
