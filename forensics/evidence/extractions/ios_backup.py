"""iTunes/Finder iOS backups, unencrypted and encrypted: list every file of ``Manifest.db`` and open it.

A backup folder holds ``Info.plist``, ``Manifest.plist``, ``Status.plist``, ``Manifest.db`` (table
``Files``: ``fileID``, ``domain``, ``relativePath``, ``flags`` 1 file / 2 folder / 4 link, ``file`` an
NSKeyedArchiver ``MBFile`` plist with ``Size``, ``Mode``, ``UserID``, ``GroupID``, ``LastModified``,
``Birth``, ``LastStatusChange`` (seconds, UTC), ``EncryptionKey``) and each file's bytes under
``<first two hex digits>/<fileID>`` (before iOS 10: ``<fileID>``), fileID = SHA-1 of domain-relativePath.

Encrypted backups: ``Manifest.plist`` holds the keybag and ``ManifestKey`` (protection class + wrapped
key); ``Manifest.db`` and every file are AES-256-CBC with a zero IV under their own key (wrapped by a
class key), PKCS#7 padded, cut to ``Size``.  Decryption happens in memory: ``Manifest.db`` is decrypted
into memory and opened with ``deserialize``; files are decrypted block by block as they are read
(CBC allows reading from any block with the previous ciphertext block as IV).  The ``iphone-backup-decrypt``
package (MIT) was not used: it writes the decrypted ``Manifest.db`` to a temporary file and needs
pycryptodome; the ``cryptography`` package already in the project does all of it in memory.
"""

from __future__ import annotations

import io
import plistlib
import sqlite3
import stat
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from forensics.core.sqlite_memory import NotSqlite, open_sqlite_bytes
from forensics.evidence.extractions.device_paths import ios_device_path
from forensics.evidence.extractions.errors import ExtractionError, PasswordRequired
from forensics.evidence.extractions.folder_files import open_readonly, read_small
from forensics.evidence.extractions.ios_keybag import (
    IosBackupKeys,
    ProgressCallback,
    parse_keybag,
    unlock_keybag,
)
from forensics.evidence.extractions.records import IOS_BACKUP_FILE, ExtractionMember, seconds_to_ns
from forensics.evidence.extractions.streams import CHUNK_SIZE

AES_BLOCK = 16
ZERO_IV = bytes(AES_BLOCK)
MANIFEST_DB = "Manifest.db"
FLAG_KINDS = {1: "file", 2: "directory", 4: "link"}
UNLISTED_NOTE = "stored in the backup folder; Manifest.db does not list it (no device path)"
INFO_KEYS = (
    "Build Version",
    "Device Name",
    "Display Name",
    "Product Type",
    "Product Version",
    "Serial Number",
    "Unique Identifier",
    "IMEI",
    "Last Backup Date",
)


def _plist(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        value = plistlib.loads(read_small(path))
    except (plistlib.InvalidFileException, ValueError, struct.error, OverflowError) as exc:
        raise ExtractionError(f"{path}: not a readable property list ({exc})") from exc
    return value if isinstance(value, dict) else {}


def is_ios_backup(folder: Path) -> bool:
    """True when ``folder`` looks like an iTunes/Finder backup (a ``Manifest.db`` and a backup plist)."""
    return (folder / MANIFEST_DB).is_file() and any(
        (folder / name).is_file() for name in ("Info.plist", "Manifest.plist", "Status.plist")
    )


def _decode_mbfile(blob: bytes | None) -> dict[str, Any]:
    if not blob:
        return {}
    try:
        archive = plistlib.loads(blob)
        objects = archive["$objects"]
        root = objects[archive["$top"]["root"].data]
    except (plistlib.InvalidFileException, KeyError, IndexError, TypeError, ValueError, AttributeError):
        return {}

    def resolve(value: Any) -> Any:
        if isinstance(value, plistlib.UID) and value.data < len(objects):
            value = objects[value.data]
        if isinstance(value, dict) and "NS.data" in value:
            return value["NS.data"]
        return value

    return {key: resolve(value) for key, value in root.items()} if isinstance(root, dict) else {}


class CbcFileStream(io.RawIOBase):
    """Plaintext of an AES-256-CBC (zero IV) file, readable and seekable without decrypting it all."""

    def __init__(self, handle: BinaryIO, key: bytes, size: int, where: str) -> None:
        super().__init__()
        self._handle, self._key, self._size, self._where = handle, key, size, where
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def close(self) -> None:
        self._handle.close()
        super().close()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._size - self._pos, CHUNK_SIZE)
        if want <= 0:
            return 0
        first = self._pos // AES_BLOCK
        last = -(-(self._pos + want) // AES_BLOCK)
        start = max(0, first - 1) * AES_BLOCK
        self._handle.seek(start)
        data = self._handle.read((last - max(0, first - 1)) * AES_BLOCK)
        iv, ciphertext = (ZERO_IV, data) if first == 0 else (data[:AES_BLOCK], data[AES_BLOCK:])
        if len(ciphertext) != (last - first) * AES_BLOCK:
            raise ExtractionError(f"{self._where}: encrypted file truncated (shorter than its recorded size)")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(iv)).decryptor()
        plain = decryptor.update(ciphertext) + decryptor.finalize()
        skip = self._pos - first * AES_BLOCK
        chunk = plain[skip : skip + want]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


class IosBackup:
    """One backup folder, opened read-only; ``keys`` (from :func:`unlock_ios_backup`) when encrypted."""

    def __init__(self, root: Path, keys: IosBackupKeys | None = None) -> None:
        self.root = Path(root)
        self.keys = keys
        self.manifest_plist = _plist(self.root / "Manifest.plist")
        self.encrypted = bool(self.manifest_plist.get("IsEncrypted"))
        self._manifest: sqlite3.Connection | None = None

    def device_info(self) -> dict[str, str]:
        """Device facts from ``Info.plist`` (build, model, serial, IMEI, backup date), as text."""
        info = _plist(self.root / "Info.plist")
        return {key: str(info[key]) for key in INFO_KEYS if key in info}

    def manifest(self) -> sqlite3.Connection:
        """``Manifest.db`` as a read-only in-memory database (decrypted in memory when encrypted)."""
        if self._manifest is None:
            where = str(self.root / MANIFEST_DB)
            with open_readonly(self.root / MANIFEST_DB) as handle:
                data = handle.read()
            wal_path = self.root / (MANIFEST_DB + "-wal")
            wal = read_small(wal_path, 1 << 30) if wal_path.is_file() and not self.encrypted else None
            if self.encrypted:
                data = self._decrypt_manifest(data, where)
            try:
                self._manifest = open_sqlite_bytes(data, wal, where)
                self._manifest.execute("SELECT fileID, domain, relativePath, flags, file FROM Files LIMIT 1")
            except NotSqlite as exc:
                raise ExtractionError(str(exc)) from exc
            except sqlite3.DatabaseError as exc:
                raise ExtractionError(f"{where}: no readable Files table ({exc})") from exc
        return self._manifest

    def _decrypt_manifest(self, data: bytes, where: str) -> bytes:
        if self.keys is None:
            raise PasswordRequired(f"{self.root}: the iOS backup is encrypted: a password is needed")
        wrapped = self.manifest_plist.get("ManifestKey")
        if not isinstance(wrapped, bytes):
            raise ExtractionError(f"{self.root / 'Manifest.plist'}: no ManifestKey")
        key = self.keys.unwrap(wrapped, where)
        if len(data) % AES_BLOCK:
            raise ExtractionError(f"{where}: encrypted Manifest.db truncated")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(ZERO_IV)).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1] if plain else 0
        if 0 < pad <= AES_BLOCK and plain.endswith(bytes([pad]) * pad):
            plain = plain[:-pad]
        return plain

    def _stored_path(self, file_id: str) -> Path | None:
        for candidate in (self.root / file_id[:2] / file_id, self.root / file_id):
            if candidate.is_file():
                return candidate
        return None

    def members(self) -> Iterator[ExtractionMember]:
        """Every file, folder and link that ``Manifest.db`` lists, with its device path and metadata."""
        rows = self.manifest().execute(
            "SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY domain, relativePath"
        )
        for file_id, domain, relative_path, flags, blob in rows:
            yield self._member(str(file_id), str(domain or ""), str(relative_path or ""), flags, blob)

    def _member(
        self, file_id: str, domain: str, relative_path: str, flags: Any, blob: Any
    ) -> ExtractionMember:
        meta = _decode_mbfile(blob)
        device_path, note = ios_device_path(domain, relative_path)
        mode = meta.get("Mode")
        kind = FLAG_KINDS.get(flags if isinstance(flags, int) else 0, "other")
        if isinstance(mode, int) and stat.S_ISLNK(mode):
            kind = "link"
        name = relative_path.rsplit("/", 1)[-1] if relative_path else domain
        member = ExtractionMember(
            link_kind=IOS_BACKUP_FILE,
            path=f"{domain}/{relative_path}" if relative_path else domain,
            name=name,
            device_path=device_path,
            kind=kind,
            size=meta.get("Size") if kind == "file" else 0,
            mode=(mode & 0o7777) if isinstance(mode, int) else None,
            uid=meta.get("UserID"),
            gid=meta.get("GroupID"),
            mtime_ns=seconds_to_ns(meta.get("LastModified")),
            ctime_ns=seconds_to_ns(meta.get("LastStatusChange")),
            crtime_ns=seconds_to_ns(meta.get("Birth")),
            encrypted=self.encrypted,
            link_target=meta.get("Target") if isinstance(meta.get("Target"), str) else None,
            params={"file_id": file_id, "domain": domain, "relative_path": relative_path},
        )
        if note:
            member.notes.append(note)
        stored = self._stored_path(file_id) if kind == "file" else None
        if kind == "file" and stored is None:
            member.present = False
            member.notes.append("listed in Manifest.db; its bytes are not in the backup folder")
        elif stored is not None and not self.encrypted:
            on_disk = stored.stat().st_size
            if on_disk != member.size:
                member.notes.append(f"Manifest.db gives {member.size} bytes, the stored file has {on_disk}")
                member.size = on_disk
        return member

    def unlisted(self) -> Iterator[ExtractionMember]:
        """Files stored in the backup folder (``<xx>/<fileID>``) that no ``Manifest.db`` row names.

        They are listed without a device path; an encrypted one cannot be opened (its key is in the
        missing row), so it is listed without content.
        """
        known = {str(row[0]) for row in self.manifest().execute("SELECT fileID FROM Files")}
        for folder in sorted(self.root.iterdir()):
            if not (folder.is_dir() and len(folder.name) == 2 and _is_hex(folder.name)):
                continue
            for stored in sorted(folder.iterdir()):
                name = stored.name
                if name in known or not (len(name) == 40 and _is_hex(name)) or not stored.is_file():
                    continue
                member = ExtractionMember(
                    link_kind=IOS_BACKUP_FILE,
                    path=f"{folder.name}/{name}",
                    name=name,
                    device_path=None,
                    size=stored.stat().st_size,
                    encrypted=self.encrypted,
                    present=not self.encrypted,
                    params={"file_id": name, "domain": None, "relative_path": None},
                )
                member.notes.append(
                    "stored in the backup folder; Manifest.db does not list it (no device path)"
                )
                if self.encrypted:
                    member.notes.append(
                        "encrypted with a key only its missing Manifest.db row holds: not opened"
                    )
                yield member

    def open_member(self, params: dict) -> BinaryIO:
        """The plaintext bytes of the file ``params`` name (decrypted as read when encrypted)."""
        file_id = str(params["file_id"])
        where = f"{self.root}: {params.get('domain')}/{params.get('relative_path')}"
        path = self._stored_path(file_id)
        if path is None:
            raise ExtractionError(f"{where}: not in the backup folder")
        handle = open_readonly(path)
        if not self.encrypted:
            return handle
        row = self.manifest().execute("SELECT file FROM Files WHERE fileID = ?", (file_id,)).fetchone()
        meta = _decode_mbfile(row[0] if row else None)
        wrapped, size = meta.get("EncryptionKey"), meta.get("Size")
        if not isinstance(wrapped, bytes) or not isinstance(size, int) or self.keys is None:
            handle.close()
            raise ExtractionError(f"{where}: no encryption key or size in Manifest.db")
        return CbcFileStream(handle, self.keys.unwrap(wrapped, where), size, where)  # type: ignore[return-value]


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text.lower())


def unlock_ios_backup(root: Path, password: str, progress: ProgressCallback | None = None) -> IosBackupKeys:
    """Unlock an encrypted backup's keybag with the examiner's password (slow: once per case session)."""
    manifest = _plist(Path(root) / "Manifest.plist")
    blob = manifest.get("BackupKeyBag")
    if not isinstance(blob, bytes):
        raise ExtractionError(f"{root}: Manifest.plist has no BackupKeyBag (not an encrypted backup?)")
    return unlock_keybag(parse_keybag(blob, str(root)), password, str(root), progress)


def list_ios_backup(root: Path, keys: IosBackupKeys | None = None) -> Iterator[ExtractionMember]:
    """Every member of the backup at ``root`` (see :meth:`IosBackup.members`)."""
    yield from IosBackup(root, keys).members()


def open_ios_backup_file(root: Path, params: dict, keys: IosBackupKeys | None = None) -> BinaryIO:
    """Reopen one backup file; for many files keep one :class:`IosBackup` and call ``open_member``."""
    return IosBackup(root, keys).open_member(params)
