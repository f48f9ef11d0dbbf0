"""Zip archives without their central directory (truncated, or carved partial): members read from their
local headers, one after the other, as far as the bytes go.

Stored and deflated members are read (deflate streams end by themselves, so a member whose sizes sit in
a data descriptor is read too); the walk stops at the first header that is not a local header or at
the cut, with a note.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.limits import Budget, NestedLimits
from forensics.evidence.nested.records import (
    FLAG_ENCRYPTED,
    FLAG_UNSAFE_NAME,
    ZIP_LOCAL_MEMBER,
    NestedChild,
    unsafe_name,
)
from forensics.evidence.nested.streams import PieceStream, read_at_of, stream_size
from forensics.evidence.nested.zip_reader import DOS_TIME_NOTE

LOCAL = b"PK\x03\x04"
PIECE = 256 * 1024


def _header(read_at, offset: int) -> dict | None:  # noqa: ANN001
    head = read_at(offset, 30)
    if len(head) < 30 or head[:4] != LOCAL:
        return None
    flags, method, dos_time, dos_date, crc, compressed, size, name_len, extra_len = struct.unpack_from(
        "<HHHHIIIHH", head, 6
    )
    raw_name = read_at(offset + 30, name_len)
    name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
    return {
        "offset": offset,
        "flags": flags,
        "method": method,
        "crc": crc,
        "compressed": compressed,
        "size": size,
        "name": name,
        "data": offset + 30 + name_len + extra_len,
        "dos": (dos_date, dos_time),
    }


def member_pieces(read_at, header: dict, end: int) -> Iterator[bytes]:  # noqa: ANN001
    """The member's bytes; for deflate, ``header['stored_end']`` is set once its stream has ended."""
    pos = header["data"]
    if header["method"] == 0:
        remaining = header["compressed"]
        if header["flags"] & 0x08 and not remaining:
            raise EvidenceError(f"{header['name']}: stored member with its size after the data: not read")
        if pos + remaining > end:
            raise EvidenceError(f"{header['name']}: cut after {end - pos} of {remaining} bytes")
        while remaining:
            data = read_at(pos, min(PIECE, remaining))
            pos += len(data)
            remaining -= len(data)
            yield data
        header["stored_end"] = pos
        return
    if header["method"] != 8:
        raise EvidenceError(
            f"{header['name']}: compression method {header['method']} not read without the directory"
        )
    inflater = zlib.decompressobj(-15)
    while not inflater.eof:
        if pos >= end:
            raise EvidenceError(f"{header['name']}: cut in its compressed data")
        data = read_at(pos, min(PIECE, end - pos))
        pos += len(data)
        try:
            out = inflater.decompress(data)
        except zlib.error as exc:
            raise EvidenceError(f"{header['name']}: compressed data damaged: {exc}") from exc
        if out:
            yield out
    header["stored_end"] = pos - len(inflater.unused_data)


class LocalZipReader:
    """Members of a zip archive found from its local headers."""

    def __init__(self, parent: BinaryIO, limits: NestedLimits, where: str) -> None:
        self._read_at = read_at_of(parent)
        self._end = stream_size(parent)
        self._limits = limits
        self._where = where
        self.format = "zip"
        self.notes = [f"{where}: no central directory (truncated?): members read from their local headers"]

    def children(self) -> Iterator[NestedChild]:
        budget = Budget(self._limits, self._where)
        offset = 0
        index = 0
        while True:
            header = _header(self._read_at, offset)
            if header is None:
                if offset < self._end:
                    self.notes.append(f"{self._where}: local headers end at byte {offset}")
                return
            budget.member()
            child = NestedChild(
                link_kind=ZIP_LOCAL_MEMBER,
                path=header["name"],
                size=header["size"] if not header["flags"] & 0x08 else None,
                params={"offset": offset, "name": header["name"]},
                kind="directory" if header["name"].endswith("/") else "file",
                container_format="zip",
            )
            child.extra["time_zone_note"] = DOS_TIME_NOTE
            if unsafe_name(header["name"]):
                child.flags.append(FLAG_UNSAFE_NAME)
            if header["flags"] & 0x01:
                child.flags.append(FLAG_ENCRYPTED)
                child.note = "encrypted, not opened"
            elif child.kind == "file":
                child._content = self._content(header, child, budget)
            yield child
            if header["flags"] & 0x01 or header["method"] not in (0, 8):
                if header["flags"] & 0x08:
                    self.notes.append(f"{self._where}: cannot find the member after {header['name']}")
                    return
                header["stored_end"] = header["data"] + header["compressed"]
            if "stored_end" not in header:  # the caller did not read it: skip through it now
                try:
                    for _ in member_pieces(self._read_at, header, self._end):
                        pass
                except EvidenceError as exc:
                    self.notes.append(f"{self._where}: {exc}")
                    return
            offset = header["stored_end"]
            if header["flags"] & 0x08:  # data descriptor (with or without its signature)
                offset += 16 if self._read_at(offset, 4) == b"PK\x07\x08" else 12
            index += 1

    def _content(self, header: dict, child: NestedChild, budget: Budget):  # noqa: ANN202
        def stream(chunk_size: int) -> Iterator[bytes]:
            total = crc = 0
            for data in member_pieces(self._read_at, header, self._end):
                budget.expand(len(data), header["name"], stored=None)
                total += len(data)
                crc = zlib.crc32(data, crc)
                yield data
            child.size = total
            expected = header["crc"]
            if header["flags"] & 0x08:  # the CRC follows the data, in the data descriptor
                descriptor = self._read_at(header["stored_end"], 16)
                start = 4 if descriptor[:4] == b"PK\x07\x08" else 0
                expected = (
                    struct.unpack_from("<I", descriptor, start)[0] if len(descriptor) >= start + 4 else None
                )
            if expected is not None and crc != expected:
                raise EvidenceError(f"{self._where}: {header['name']}: CRC-32 mismatch (damaged member)")

        return stream


def open_local_member(parent: BinaryIO, params: dict) -> BinaryIO:
    """Reopen a member from its local header at ``params['offset']``."""
    read_at = read_at_of(parent)
    header = _header(read_at, int(params["offset"]))
    if header is None or header["name"] != params.get("name", header["name"]):
        raise EvidenceError(f"zip: no local header of {params.get('name')} at byte {params['offset']}")
    return cast(BinaryIO, PieceStream(member_pieces(read_at, header, stream_size(parent))))
