"""One phone extraction opened for listing and reading: the entry point the ingest calls.

    extraction = open_extraction(path, password=None, progress=None)   # detects, unlocks once
    for member in extraction.members(): ...                            # ExtractionMember records
    with extraction.open_member(member.link_kind, member.params) as f: ...  # reopen exact bytes
    for member, reader in extraction.contents(): ...                   # one pass, bytes included

Secrets (the adb master key, iOS class keys) stay in the ``Extraction`` object, in memory; the
password itself is not kept.  ``Extraction.decrypted`` says whether a decryption was done, for the
custody log (which records that it was done and by whom, never the secret).
"""

from __future__ import annotations

import contextlib
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from forensics.evidence.extractions import adb_backup
from forensics.evidence.extractions.android_ffs import (
    iter_ffs_tar_contents,
    list_ffs_folder,
    list_ffs_tar,
    list_ffs_zip,
    open_folder_file,
)
from forensics.evidence.extractions.cellebrite import list_ufdr
from forensics.evidence.extractions.cursor import DecodedCursor, OwnedStream
from forensics.evidence.extractions.detect import Detection, detect_extraction
from forensics.evidence.extractions.device_paths import ExtractionRoot
from forensics.evidence.extractions.errors import ExtractionError, PasswordRequired
from forensics.evidence.extractions.folder_files import open_readonly
from forensics.evidence.extractions.ios_backup import IosBackup, unlock_ios_backup
from forensics.evidence.extractions.ios_keybag import IosBackupKeys, ProgressCallback
from forensics.evidence.extractions.records import (
    ADB_BACKUP_MEMBER,
    EXTRACTION_LINK_KINDS,
    FOLDER_FILE,
    IOS_BACKUP_FILE,
    TAR_MEMBER,
    ZIP_MEMBER,
    ExtractionMember,
)
from forensics.evidence.extractions.tar_members import open_tar_member
from forensics.evidence.extractions.zip_members import open_zip_member

Secrets = adb_backup.AdbKeys | IosBackupKeys | None


def open_link(parent: BinaryIO, kind: str, params: dict, secrets: Secrets = None) -> BinaryIO:
    """Reopen a member whose parent is a stream (zip, tar, adb backup members)."""
    if kind == ZIP_MEMBER:
        return open_zip_member(parent, params)
    if kind == TAR_MEMBER:
        return open_tar_member(parent, params)
    if kind == ADB_BACKUP_MEMBER:
        keys = secrets if isinstance(secrets, adb_backup.AdbKeys) else None
        return adb_backup.open_adb_member(parent, params, keys)
    raise ExtractionError(f"no stream opener for link kind {kind!r}")


def open_folder_link(folder: Path, kind: str, params: dict, secrets: Secrets = None) -> BinaryIO:
    """Reopen a member whose parent is a folder (iOS backup files, extracted-tree files)."""
    if kind == IOS_BACKUP_FILE:
        keys = secrets if isinstance(secrets, IosBackupKeys) else None
        return IosBackup(folder, keys).open_member(params)
    if kind == FOLDER_FILE:
        return open_folder_file(folder, params)
    raise ExtractionError(f"no folder opener for link kind {kind!r}")


def is_sequential(fmt: str, compression: str | None, encrypted: bool) -> bool:
    """Whether members of an extraction of this format can only be reached by decoding what lies before
    them (a gzip tar, a compressed or encrypted adb backup): they are best read in listing order."""
    if fmt == "ffs-tar":
        return compression == "gzip"
    return fmt == "adb-backup" and (encrypted or compression is not None)


class Extraction:
    """A detected extraction with its in-memory secrets; lists members and reopens them."""

    def __init__(self, detection: Detection, secrets: Secrets = None) -> None:
        self.detection = detection.dump if detection.format == "ufd" and detection.dump else detection
        self.outer = detection
        self.secrets = secrets
        self._stream: BinaryIO | None = None
        self._ios: IosBackup | None = None
        self._cursor: DecodedCursor | None = None

    def __repr__(self) -> str:
        return f"Extraction({self.detection.format}, {self.detection.path})"

    @property
    def path(self) -> Path:
        return self.detection.path

    @property
    def decrypted(self) -> bool:
        return self.secrets is not None

    def _parent(self) -> BinaryIO:
        if self._stream is None:
            self._stream = open_readonly(self.path)
        return self._stream

    def _backup(self) -> IosBackup:
        if self._ios is None:
            keys = self.secrets if isinstance(self.secrets, IosBackupKeys) else None
            self._ios = IosBackup(self.path, keys)
        return self._ios

    def _root(self) -> ExtractionRoot | None:
        """The device root detection found in an archive (None: found again while listing)."""
        found = self.detection
        if found.root_prefix is None or found.platform is None:
            return None
        return ExtractionRoot(prefix=found.root_prefix, platform=found.platform, votes=0)

    def members(self) -> Iterator[ExtractionMember]:
        """Every member, as the extraction records it (see ``ExtractionMember``)."""
        fmt, where = self.detection.format, str(self.path)
        if fmt == "ffs-zip":
            yield from list_ffs_zip(self._parent(), where, self._root())
        elif fmt == "ffs-tar":
            yield from list_ffs_tar(self._parent(), self.detection.compression, where, self._root())
        elif fmt == "ffs-folder":
            yield from list_ffs_folder(self.path)
        elif fmt == "adb-backup":
            keys = self.secrets if isinstance(self.secrets, adb_backup.AdbKeys) else None
            yield from adb_backup.list_adb_backup(self._parent(), keys, where)
        elif fmt == "ios-backup":
            yield from self._backup().members()
            yield from self._backup().unlisted()
        elif fmt == "ufdr":
            yield from list_ufdr(self._parent(), where)
        else:
            raise ExtractionError(f"{where}: extraction format {fmt!r} has no lister")

    @property
    def sequential(self) -> bool:
        """True when a member can only be reached by decoding everything before it."""
        d = self.detection
        return is_sequential(d.format, d.compression, d.encrypted)

    def _decoded(self) -> BinaryIO:
        """A fresh decoded stream of a sequential extraction, on its own read-only handle."""
        handle = open_readonly(self.path)
        try:
            if self.detection.format == "ffs-tar":
                gunzipped = cast(BinaryIO, gzip.GzipFile(fileobj=handle, mode="rb"))
                return cast(BinaryIO, OwnedStream(gunzipped, handle))
            where = str(self.path)
            header = adb_backup.read_header(handle, where)
            keys = self.secrets if isinstance(self.secrets, adb_backup.AdbKeys) else None
            return cast(BinaryIO, OwnedStream(adb_backup.decoded_stream(handle, header, keys, where), handle))
        except BaseException:
            handle.close()
            raise

    def cursor(self) -> DecodedCursor:
        """The forward-only cursor of a sequential extraction (one per opened extraction)."""
        if self._cursor is None:
            self._cursor = DecodedCursor(self._decoded, str(self.path))
        return self._cursor

    def open_member(self, kind: str, params: dict) -> BinaryIO:
        """The bytes of one member, from its link kind and params (as listed).

        Members of a sequential extraction are read through :meth:`cursor`: in walk order, the
        decode goes on from the previous member instead of starting again.
        """
        if kind not in EXTRACTION_LINK_KINDS:
            raise ExtractionError(f"{self.path}: link kind {kind!r} is not a phone-extraction member")
        if kind == IOS_BACKUP_FILE:
            return self._backup().open_member(params)
        if kind == FOLDER_FILE:
            return open_folder_file(self.path, params)
        if self.sequential and kind in (TAR_MEMBER, ADB_BACKUP_MEMBER):
            return self.cursor().open(int(params["offset_data"]), int(params["size"]))
        return open_link(self._parent(), kind, params, self.secrets)

    def contents(self) -> Iterator[tuple[ExtractionMember, BinaryIO | None]]:
        """Each member with a reader of its bytes (valid until the next one), reading the file once
        for tar-based formats; others open each member in turn."""
        fmt, where = self.detection.format, str(self.path)
        if fmt == "ffs-tar":
            yield from iter_ffs_tar_contents(self._parent(), self.detection.compression, where, self._root())
            return
        if fmt == "adb-backup":
            keys = self.secrets if isinstance(self.secrets, adb_backup.AdbKeys) else None
            yield from adb_backup.iter_adb_contents(self._parent(), keys, where)
            return
        for member in self.members():
            if not member.readable or member.encrypted and member.link_kind == ZIP_MEMBER:
                yield member, None
                continue
            with self.open_member(member.link_kind, member.params) as reader:
                yield member, reader

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._ios is not None and self._ios._manifest is not None:
            with contextlib.suppress(Exception):
                self._ios._manifest.close()
        self._ios = None

    def __enter__(self) -> Extraction:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unlock(detection: Detection, password: str, progress: ProgressCallback | None = None) -> Secrets:
    """The in-memory keys of an encrypted extraction, from the examiner's password (raises WrongPassword)."""
    target = detection.dump if detection.format == "ufd" and detection.dump else detection
    if target.format == "adb-backup":
        with open_readonly(target.path) as handle:
            header = adb_backup.read_header(handle, str(target.path))
        if progress:
            progress(0.0)
        keys = adb_backup.unlock(header, password, str(target.path))
        if progress:
            progress(1.0)
        return keys
    if target.format == "ios-backup":
        return unlock_ios_backup(target.path, password, progress)
    raise ExtractionError(f"{target.path}: {target.description} is not encrypted")


def open_extraction(
    path: Path,
    password: str | None = None,
    secrets: Secrets = None,
    progress: ProgressCallback | None = None,
    detection: Detection | None = None,
) -> Extraction:
    """Detect the extraction at ``path`` and unlock it (``password``) or reuse the session's ``secrets``.

    ``detection``: what an earlier detection of the same path found (used only for that path).
    """
    if detection is None or Path(detection.path) != Path(path):
        detection = detect_extraction(Path(path))
    if detection is None:
        raise ExtractionError(f"{path}: not a phone extraction this version reads")
    target = detection.dump if detection.format == "ufd" and detection.dump else detection
    if target.encrypted and secrets is None:
        if password is None:
            raise PasswordRequired(f"{path}: {target.description}: a password is needed")
        secrets = unlock(detection, password, progress)
    return Extraction(detection, secrets)
