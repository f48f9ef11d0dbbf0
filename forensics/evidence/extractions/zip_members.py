"""Zip archives (Android file-system extractions, UFDR reports): list members and reopen one.

Listing reads the central directory with the standard library's ``zipfile``.  Reopening goes straight
to the member's local header at its recorded offset (no second pass over the central directory, which
for a phone extraction can hold hundreds of thousands of entries), inflates in chunks, and checks the
CRC-32 and size at the end.  Zip DOS times carry no time zone: they are kept as ``local_mtime`` text;
the Info-ZIP extended timestamp (0x5455, UTC) and Unix (0x7875, 0x000d) fields are used when present.
"""

from __future__ import annotations

import bz2
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from forensics.evidence.extractions.errors import ExtractionError
from forensics.evidence.extractions.records import ZIP_MEMBER, ExtractionMember, seconds_to_ns
from forensics.evidence.extractions.streams import CHUNK_SIZE, ForwardStream, SliceStream, read_exactly

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_SIGNATURE = b"PK\x03\x04"
UNIX_SYSTEM = 3
S_IFMT = 0o170000
S_IFDIR = 0o040000
S_IFLNK = 0o120000


def _extra_fields(extra: bytes) -> dict[int, bytes]:
    fields: dict[int, bytes] = {}
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        fields.setdefault(tag, extra[pos + 4 : pos + 4 + size])
        pos += 4 + size
    return fields


def _unix_extras(member: ExtractionMember, extra: bytes) -> None:
    fields = _extra_fields(extra)
    stamp = fields.get(0x5455)
    if stamp:
        flags, values = stamp[0], stamp[1:]
        for bit, attr in ((1, "mtime_ns"), (2, "atime_ns"), (4, "ctime_ns")):
            if flags & bit and len(values) >= 4:
                setattr(member, attr, seconds_to_ns(struct.unpack_from("<i", values)[0]))
                values = values[4:]
    unix = fields.get(0x7875)
    if unix and len(unix) >= 3:
        uid_size = unix[1]
        uid = int.from_bytes(unix[2 : 2 + uid_size], "little")
        gid_size_at = 2 + uid_size
        if len(unix) > gid_size_at:
            gid_size = unix[gid_size_at]
            member.gid = int.from_bytes(unix[gid_size_at + 1 : gid_size_at + 1 + gid_size], "little")
        member.uid = uid
    pkware = fields.get(0x000D)
    if pkware and len(pkware) >= 12:
        atime, mtime, uid, gid = struct.unpack_from("<IIHH", pkware)
        member.atime_ns = member.atime_ns or seconds_to_ns(atime)
        member.mtime_ns = member.mtime_ns or seconds_to_ns(mtime)
        member.uid = member.uid if member.uid is not None else uid
        member.gid = member.gid if member.gid is not None else gid


def member_from_info(index: int, info: zipfile.ZipInfo) -> ExtractionMember:
    """The record of one central-directory entry (device path left to the layout that knows it)."""
    name = info.filename
    mode = (info.external_attr >> 16) if info.create_system == UNIX_SYSTEM else None
    kind = "directory" if info.is_dir() else "file"
    if mode and (mode & S_IFMT) == S_IFLNK:
        kind = "link"
    elif mode and (mode & S_IFMT) == S_IFDIR:
        kind = "directory"
    year, month, day, hour, minute, second = info.date_time
    member = ExtractionMember(
        link_kind=ZIP_MEMBER,
        path=name,
        name=name.rstrip("/").rsplit("/", 1)[-1],
        device_path=None,
        kind=kind,
        size=info.file_size if kind == "file" else 0,
        mode=(mode & 0o7777) if mode else None,
        local_mtime=f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}",
        encrypted=bool(info.flag_bits & 0x1),
        params={
            "index": index,
            "header_offset": info.header_offset,
            "compress_type": info.compress_type,
            "compress_size": info.compress_size,
            "size": info.file_size,
            "crc": info.CRC,
        },
    )
    _unix_extras(member, info.extra)
    if member.encrypted:
        member.notes.append("encrypted zip member: listed, not opened")
    return member


def read_central_directory(stream: BinaryIO, where: str) -> list[zipfile.ZipInfo]:
    """Every central-directory entry of the zip in ``stream``, in directory order (one read of it)."""
    try:
        with zipfile.ZipFile(stream) as archive:  # a stream passed in stays open
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(f"{where}: not a readable zip archive ({exc})") from exc


def list_zip(
    stream: BinaryIO, where: str, infos: list[zipfile.ZipInfo] | None = None
) -> Iterator[ExtractionMember]:
    """Every central-directory entry of the zip in ``stream``, in directory order (``infos``: the entries
    when the caller has read them already)."""
    for index, info in enumerate(infos if infos is not None else read_central_directory(stream, where)):
        yield member_from_info(index, info)


def zip_names(stream: BinaryIO, where: str) -> list[str]:
    """The member names of a zip (central directory only)."""
    return [info.filename for info in read_central_directory(stream, where)]


def _decompressor(compress_type: int) -> Any:
    if compress_type == zipfile.ZIP_DEFLATED:
        return zlib.decompressobj(-15)
    if compress_type == zipfile.ZIP_BZIP2:
        return bz2.BZ2Decompressor()
    if compress_type == zipfile.ZIP_LZMA:
        return zipfile.LZMADecompressor()  # type: ignore[attr-defined]
    raise ExtractionError(f"zip compression method {compress_type} is not supported")


def _inflate(data_stream: BinaryIO, params: dict, where: str) -> Iterator[bytes]:
    size = int(params["size"])
    decoder = _decompressor(int(params["compress_type"]))
    produced, crc = 0, 0
    while True:
        block = data_stream.read(CHUNK_SIZE)
        if not block:
            break
        out = decoder.decompress(block)
        produced += len(out)
        if produced > size:
            raise ExtractionError(f"{where}: member inflates beyond its declared size of {size} bytes")
        crc = zlib.crc32(out, crc)
        if out:
            yield out
    flush = getattr(decoder, "flush", None)
    tail = flush() if flush else b""
    produced += len(tail)
    crc = zlib.crc32(tail, crc)
    if tail:
        yield tail
    if produced != size or crc != int(params["crc"]):
        raise ExtractionError(f"{where}: member damaged (size or CRC-32 differs from the central directory)")


def open_zip_member(parent: BinaryIO, params: dict, where: str = "zip member") -> BinaryIO:
    """Reopen the member described by ``params`` (from :func:`list_zip`) as a read-only stream."""
    parent.seek(int(params["header_offset"]))
    header = LOCAL_HEADER.unpack(read_exactly(parent, LOCAL_HEADER.size, where))
    if header[0] != LOCAL_SIGNATURE:
        raise ExtractionError(f"{where}: no local file header at offset {params['header_offset']}")
    if header[2] & 0x1:
        raise ExtractionError(f"{where}: encrypted zip member, not opened")
    data_start = int(params["header_offset"]) + LOCAL_HEADER.size + header[9] + header[10]
    compressed = SliceStream(parent, data_start, int(params["compress_size"]))
    if int(params["compress_type"]) == zipfile.ZIP_STORED:
        return compressed  # type: ignore[return-value]

    def restart() -> Iterator[bytes]:
        compressed.seek(0)
        return _inflate(compressed, params, where)  # type: ignore[arg-type]

    return ForwardStream(restart, int(params["size"]))  # type: ignore[return-value]
