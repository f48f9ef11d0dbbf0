"""What a path is, by its content: which kind of phone extraction, and what was found in it.

Formats (``Detection.format``): ``ffs-zip``, ``ffs-tar`` (plain or gzip), ``ffs-folder`` (full file
system as an archive or an extracted tree, with the device root found in it), ``adb-backup``,
``ios-backup``, ``ufdr``, and ``ufd`` (a Cellebrite text file: its dump is detected in turn).
Names are never trusted: a ``.zip`` that holds no phone tree is not an extraction.
"""

from __future__ import annotations

import gzip
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from forensics.evidence.extractions import adb_backup
from forensics.evidence.extractions.android_ffs import folder_root, root_from_names, tar_root
from forensics.evidence.extractions.cellebrite import REPORT_XML, read_ufd
from forensics.evidence.extractions.errors import ExtractionError
from forensics.evidence.extractions.folder_files import open_readonly
from forensics.evidence.extractions.ios_backup import IosBackup, is_ios_backup
from forensics.evidence.extractions.zip_members import zip_names

HEAD_BYTES = 1024
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass
class Detection:
    """A detected extraction: its format, where it is, and a one-line description for the examiner."""

    format: str
    path: Path
    description: str
    platform: str | None = None  # android / ios
    root_prefix: str | None = None  # the device root inside an archive or folder
    compression: str | None = None  # tar: None or "gzip"
    encrypted: bool = False
    dump: Detection | None = None  # for a .ufd: the dump it points to
    expected_hashes: dict[str, str] = field(default_factory=dict)  # from a .ufd, for the dump
    device_info: dict[str, str] = field(default_factory=dict)


def _is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def _detect_folder(path: Path) -> Detection | None:
    if is_ios_backup(path):
        backup = IosBackup(path)
        state = "encrypted" if backup.encrypted else "unencrypted"
        return Detection(
            "ios-backup",
            path,
            f"iOS iTunes/Finder backup ({state})",
            "ios",
            encrypted=backup.encrypted,
            device_info=backup.device_info(),
        )
    root = folder_root(path)
    if root is None:
        return None
    where = f"root '{root.prefix}'" if root.prefix else "at its top"
    return Detection(
        "ffs-folder",
        path,
        f"extracted {root.platform} file-system tree ({where})",
        root.platform,
        root.prefix,
    )


def _detect_zip(path: Path) -> Detection | None:
    with open_readonly(path) as handle:
        names = zip_names(handle, str(path))  # one read of the central directory for both questions
    if REPORT_XML in names:
        return Detection("ufdr", path, "Cellebrite UFDR report (zip with report.xml)")
    root = root_from_names(names)
    if root is None:
        return None
    where = f"root '{root.prefix}'" if root.prefix else "at its top"
    return Detection(
        "ffs-zip", path, f"{root.platform} full-file-system zip ({where})", root.platform, root.prefix
    )


def _detect_tar(path: Path, compression: str | None) -> Detection | None:
    with open_readonly(path) as handle:
        root = tar_root(handle, compression, str(path))
    if root is None:
        return None
    label = "tar.gz" if compression else "tar"
    where = f"root '{root.prefix}'" if root.prefix else "at its top"
    return Detection(
        "ffs-tar",
        path,
        f"{root.platform} full-file-system {label} ({where})",
        root.platform,
        root.prefix,
        compression,
    )


def _detect_adb(path: Path) -> Detection:
    with open_readonly(path) as handle:
        header = adb_backup.read_header(handle, str(path))
    parts = [f"version {header.version}", "compressed" if header.compressed else "not compressed"]
    parts.append("AES-256 encrypted" if header.encrypted else "not encrypted")
    return Detection(
        "adb-backup",
        path,
        f"Android adb backup ({', '.join(parts)})",
        "android",
        compression="zlib" if header.compressed else None,
        encrypted=header.encrypted,
    )


def _gzip_holds_tar(path: Path) -> bool:
    with open_readonly(path) as handle, gzip.GzipFile(fileobj=handle) as inflated:
        try:
            return _is_tar(inflated.read(HEAD_BYTES))
        except (OSError, EOFError):
            return False


def _detect_ufd(path: Path, head: bytes) -> Detection | None:
    if not head.lstrip(b"\xef\xbb\xbf").startswith(b"[") or b"\0" in head:
        return None
    try:
        description = read_ufd(path)
    except ExtractionError:
        return None
    for dump_path in description.dumps:
        dump = detect_extraction(dump_path)
        if dump is not None:
            return Detection(
                "ufd",
                path,
                f"Cellebrite .ufd pointing at {dump_path.name}: {dump.description}",
                dump.platform,
                dump=dump,
                expected_hashes=description.hashes.get(dump_path.name, {}),
                device_info=description.fields,
            )
    return None


def detect_extraction(path: Path) -> Detection | None:
    """The extraction at ``path``, or None when it is not one this package reads."""
    path = Path(path)
    if path.is_dir():
        return _detect_folder(path)
    if not path.is_file():
        return None
    with open_readonly(path) as handle:
        head = handle.read(HEAD_BYTES)
    try:
        if head.startswith(adb_backup.MAGIC):
            return _detect_adb(path)
        if head.startswith(ZIP_MAGICS):
            return _detect_zip(path)
        if head[:2] == b"\x1f\x8b" and _gzip_holds_tar(path):
            return _detect_tar(path, "gzip")
        if _is_tar(head):
            return _detect_tar(path, None)
    except (zipfile.BadZipFile, tarfile.TarError) as exc:
        raise ExtractionError(f"{path}: damaged archive ({exc})") from exc
    return _detect_ufd(path, head)
