"""Zip archives (zip64, any extension, OOXML and ODF documents) through the standard library's zipfile.

Members are listed from the central directory in order; each is reopened by its index. Stored,
unencrypted members get byte runs in the parent. Encrypted members are listed and flagged; a password
opens ZipCrypto members (zipfile) and WinZip AES members (checked by ``zip_aes``, read through libarchive).
A wrong password is told from each member's header before any content is read: the member keeps its flag
with the note "encrypted, not opened: wrong password".
"""

from __future__ import annotations

import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.limits import Budget, LimitExceeded, NestedLimits
from forensics.evidence.nested.records import (
    FLAG_ENCRYPTED,
    FLAG_STOPPED,
    FLAG_UNSAFE_NAME,
    NOTE_ENCRYPTED,
    NOTE_WRONG_PASSWORD,
    ZIP_MEMBER,
    NestedChild,
    unsafe_name,
)
from forensics.evidence.nested.streams import CountingStream, PieceStream, iter_stream, read_at_of
from forensics.evidence.nested.zip_aes import aes_member_chunks, aes_password_fits

AES_METHOD = 99  # WinZip AES: compression method 99 with the real method in the 0x9901 extra field
EXTENDED_TIMESTAMP = 0x5455  # "UT": Unix times in UTC
NTFS_TIMES = 0x000A  # NTFS FILETIMEs in UTC
FILETIME_EPOCH_DELTA = 116444736000000000  # 100 ns intervals from 1601 to 1970
DOS_TIME_NOTE = "zip DOS time: local time of the writing computer, zone not recorded (shown as if UTC)"
# Parts of office documents that are their own text and structure, not embedded objects.
OFFICE_SKIPPED_SUFFIXES = (".xml", ".rels")
OFFICE_SKIPPED_NAMES = ("mimetype", "META-INF/manifest.xml", "[Content_Types].xml")


def _extra_fields(extra: bytes) -> dict[int, bytes]:
    fields: dict[int, bytes] = {}
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        fields.setdefault(tag, extra[pos + 4 : pos + 4 + length])
        pos += 4 + length
    return fields


def utc_times(info: zipfile.ZipInfo) -> tuple[dict[str, int | None], bool]:
    """mtime/atime/crtime in ns from the UTC extra fields; (times, True) when they were found."""
    fields = _extra_fields(info.extra)
    ntfs = fields.get(NTFS_TIMES)
    if ntfs and len(ntfs) >= 32 and ntfs[4:8] == b"\x01\x00\x18\x00":
        mtime, atime, ctime = struct.unpack_from("<QQQ", ntfs, 8)
        return {
            "mtime_ns": (mtime - FILETIME_EPOCH_DELTA) * 100 if mtime else None,
            "atime_ns": (atime - FILETIME_EPOCH_DELTA) * 100 if atime else None,
            "crtime_ns": (ctime - FILETIME_EPOCH_DELTA) * 100 if ctime else None,
        }, True
    unix = fields.get(EXTENDED_TIMESTAMP)
    if unix and len(unix) >= 5:
        flags = unix[0]
        times: dict[str, int | None] = {}
        pos = 1
        for bit, key in ((1, "mtime_ns"), (2, "atime_ns"), (4, "crtime_ns")):
            if flags & bit and pos + 4 <= len(unix):
                times[key] = struct.unpack_from("<i", unix, pos)[0] * 1_000_000_000
                pos += 4
        if "mtime_ns" in times:
            return times, True
    return {}, False


def dos_time_ns(info: zipfile.ZipInfo) -> int | None:
    """The DOS date/time as if UTC (zip stores local time without a zone), in ns."""
    try:
        moment = datetime(*info.date_time, tzinfo=UTC)
    except ValueError:
        return None
    return int(moment.timestamp()) * 1_000_000_000


def office_format(names: list[str]) -> str | None:
    """'ooxml' or 'odf' when the member names are those of an office document, else None."""
    if "[Content_Types].xml" in names:
        return "ooxml"
    if names and names[0] == "mimetype" and any(n == "META-INF/manifest.xml" for n in names):
        return "odf"
    return None


def is_office_part(name: str) -> bool:
    """True for an office document's own XML parts (listed only as text, not as embedded objects)."""
    return name in OFFICE_SKIPPED_NAMES or name.endswith(OFFICE_SKIPPED_SUFFIXES)


def data_offset(parent: BinaryIO, info: zipfile.ZipInfo) -> int | None:
    """Offset in the parent of a member's stored data (after its local header), None if unreadable."""
    header = read_at_of(parent)(info.header_offset, 30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    return info.header_offset + 30 + name_len + extra_len


def open_zip(parent: BinaryIO, where: str) -> zipfile.ZipFile:
    """The parent as a ZipFile (read-only); EvidenceError when its central directory is unreadable."""
    try:
        return zipfile.ZipFile(parent, "r")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise EvidenceError(f"{where}: not a readable zip archive: {exc}") from exc


class ZipReader:
    """Lists and streams the members of one zip archive."""

    def __init__(
        self, parent: BinaryIO, limits: NestedLimits, where: str, password: bytes | None = None
    ) -> None:
        self._parent = parent
        self._counting = CountingStream(parent)
        self._zip = open_zip(cast(BinaryIO, self._counting), where)
        self._limits = limits
        self._where = where
        self._password = password
        names = [info.filename for info in self._zip.infolist()]
        self._occurrence = _occurrences(names)
        self.format = office_format(names) or "zip"
        self.notes: list[str] = []

    def children(self) -> Iterator[NestedChild]:
        budget = Budget(self._limits, self._where, lambda: self._counting.read_total)
        for index, info in enumerate(self._zip.infolist()):
            budget.member()
            if self.format != "zip" and is_office_part(info.filename):
                continue
            yield self._child(index, info, budget)

    def _child(self, index: int, info: zipfile.ZipInfo, budget: Budget) -> NestedChild:
        times, utc = utc_times(info)
        if not utc:
            times = {"mtime_ns": dos_time_ns(info)}
        child = NestedChild(
            link_kind=ZIP_MEMBER,
            path=info.filename,
            size=info.file_size,
            params={"index": index, "name": info.filename},
            kind="directory" if info.is_dir() else "file",
            container_format=self.format,
            mtime_ns=times.get("mtime_ns"),
            atime_ns=times.get("atime_ns"),
            crtime_ns=times.get("crtime_ns"),
        )
        child.extra["compressed_size"] = info.compress_size
        child.extra["method"] = info.compress_type
        child.extra["crc32"] = f"{info.CRC:08x}"
        if not utc:
            child.extra["time_zone_note"] = DOS_TIME_NOTE
        if unsafe_name(info.filename):
            child.flags.append(FLAG_UNSAFE_NAME)
        if info.is_dir():
            return child
        encrypted = bool(info.flag_bits & 0x1)
        aes = encrypted and info.compress_type == AES_METHOD
        if encrypted:
            child.flags.append(FLAG_ENCRYPTED)
            if aes:
                child.extra["encryption"] = "WinZip AES"
            if self._password is None:
                child.note = NOTE_ENCRYPTED
                return child
            if not self._password_fits(info, aes):
                child.note = NOTE_WRONG_PASSWORD
                return child
        limits = self._limits
        declared = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_grace_bytes and declared > limits.max_ratio:
            child.flags.append(FLAG_STOPPED)
            child.note = f"expansion ratio above {limits.max_ratio:g}: stopped (declared {declared:.0f})"
            return child
        if info.compress_type == zipfile.ZIP_STORED and not encrypted:
            start = data_offset(self._parent, info)
            if start is not None:
                child.byte_runs = [[0, start, info.file_size]]
        if aes:
            child._content = lambda chunk_size: self._aes_stream(index, info, budget)
        else:
            child._content = lambda chunk_size: self._stream(info, budget, chunk_size)
        return child

    def _password_fits(self, info: zipfile.ZipInfo, aes: bool) -> bool:
        """Whether the examiner's password opens this encrypted member (checked from its header)."""
        assert self._password is not None
        if aes:
            start = data_offset(self._parent, info)
            return start is not None and aes_password_fits(self._parent, info, start, self._password)
        try:
            with self._zip.open(info, pwd=self._password):
                return True
        except RuntimeError:  # zipfile's "Bad password"
            return False
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            return True  # the password is not the problem: reading the member will say what is

    def _aes_stream(self, index: int, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
        member_budget = Budget(self._limits, self._where)
        assert self._password is not None
        for data in aes_member_chunks(
            self._parent, info.filename, self._occurrence[index], self._password, self._where
        ):
            member_budget.expand(len(data), info.filename, stored=info.compress_size)
            budget.expand(len(data), info.filename)
            yield data

    def _stream(self, info: zipfile.ZipInfo, budget: Budget, chunk_size: int) -> Iterator[bytes]:
        member_budget = Budget(self._limits, self._where)
        try:
            with self._zip.open(info, pwd=self._password) as member:
                for data in iter_stream(member, chunk_size):
                    member_budget.expand(len(data), info.filename, stored=info.compress_size)
                    budget.expand(len(data), info.filename)
                    yield data
        except LimitExceeded:
            raise
        except RuntimeError as exc:  # a wrong password
            raise EvidenceError(f"{self._where}: {info.filename}: {NOTE_WRONG_PASSWORD} ({exc})") from exc
        except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError) as exc:
            if self._password is not None and info.flag_bits & 0x1:
                # ZipCrypto's one-byte check let a wrong password through (1 in 256): the data then
                # fails to inflate or to give its CRC-32
                raise EvidenceError(f"{self._where}: {info.filename}: {NOTE_WRONG_PASSWORD} ({exc})") from exc
            raise EvidenceError(f"{self._where}: {info.filename}: unreadable member: {exc}") from exc
        except NotImplementedError as exc:
            raise EvidenceError(f"{self._where}: {info.filename}: unreadable member: {exc}") from exc

    def close(self) -> None:
        self._zip.close()


def open_zip_member(
    parent: BinaryIO, params: dict, password: bytes | None = None, where: str = "zip"
) -> BinaryIO:
    """Reopen member ``params['index']`` (checked against ``params['name']``) as a readable stream."""
    archive = open_zip(parent, where)
    infos = archive.infolist()
    index = int(params["index"])
    if index >= len(infos) or infos[index].filename != params.get("name", infos[index].filename):
        raise EvidenceError(f"{where}: member {index} ({params.get('name')}) is not in the archive")
    info = infos[index]
    if info.flag_bits & 0x1 and info.compress_type == AES_METHOD:
        start = data_offset(parent, info)
        if password is None or start is None or not aes_password_fits(parent, info, start, password):
            raise EvidenceError(
                f"{where}: {info.filename}: {NOTE_WRONG_PASSWORD if password else NOTE_ENCRYPTED}"
            )
        names = [i.filename for i in infos]
        occurrence = _occurrences(names)[index]
        return cast(
            BinaryIO, PieceStream(aes_member_chunks(parent, info.filename, occurrence, password, where))
        )
    try:
        return cast(BinaryIO, archive.open(info, pwd=password))
    except RuntimeError as exc:
        reason = NOTE_WRONG_PASSWORD if password else NOTE_ENCRYPTED
        raise EvidenceError(f"{where}: {params.get('name')}: {reason}") from exc
    except (zipfile.BadZipFile, NotImplementedError) as exc:
        raise EvidenceError(f"{where}: {params.get('name')}: {exc}") from exc


def _occurrences(names: list[str]) -> list[int]:
    """For each member, how many earlier members have the same name (libarchive finds members by name)."""
    seen: dict[str, int] = {}
    found = []
    for name in names:
        found.append(seen.get(name, 0))
        seen[name] = found[-1] + 1
    return found
