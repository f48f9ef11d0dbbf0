"""Tar archives, plain or compressed (gzip, bzip2, xz), through the standard library's tarfile.

The archive is read once, as a stream (``r|*``), so a compressed tar is decompressed once for the whole
listing. Members of a plain tar lie stored in the parent: they get byte runs and reopen as a range;
members of a compressed tar reopen by decompressing up to their index.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.limits import Budget, LimitExceeded, NestedLimits
from forensics.evidence.nested.records import (
    FLAG_UNSAFE_NAME,
    TAR_MEMBER,
    NestedChild,
    unsafe_name,
)
from forensics.evidence.nested.streams import CountingStream, ForwardStream, iter_stream, range_stream

TAR_ERRORS = (tarfile.TarError, OSError, EOFError, ValueError)
KINDS = {
    tarfile.REGTYPE: "file",
    tarfile.AREGTYPE: "file",
    tarfile.CONTTYPE: "file",
    tarfile.DIRTYPE: "directory",
    tarfile.SYMTYPE: "link",
    tarfile.LNKTYPE: "link",
}


class TarReader:
    """Lists and streams the members of one tar archive (``compression``: '', 'gz', 'bz2' or 'xz')."""

    def __init__(self, parent: BinaryIO, limits: NestedLimits, where: str, compression: str = "") -> None:
        self._parent = parent
        self._limits = limits
        self._where = where
        self.compression = compression
        self.format = f"tar.{compression}" if compression else "tar"
        self.notes: list[str] = []

    def children(self) -> Iterator[NestedChild]:
        self._parent.seek(0)
        counting = CountingStream(self._parent)
        budget = Budget(self._limits, self._where, lambda: counting.read_total)
        try:
            archive = tarfile.open(fileobj=counting, mode="r|*")  # noqa: SIM115 - closed below
        except TAR_ERRORS as exc:
            raise EvidenceError(f"{self._where}: not a readable tar archive: {exc}") from exc
        index = -1
        try:
            while True:
                try:
                    member = archive.next()
                except TAR_ERRORS as exc:
                    self.notes.append(f"{self._where}: archive ends early after member {index}: {exc}")
                    return
                if member is None:
                    return
                index += 1
                budget.member()
                # tarfile reads member data as it moves on: the ratio and byte limits apply to skipped
                # data too, through the counting stream.
                budget.expand(0, member.name)
                yield self._child(archive, index, member, budget)
        finally:
            archive.close()

    def _child(
        self, archive: tarfile.TarFile, index: int, member: tarfile.TarInfo, budget: Budget
    ) -> NestedChild:
        kind = KINDS.get(member.type, "other")
        child = NestedChild(
            link_kind=TAR_MEMBER,
            path=member.name,
            size=member.size if kind == "file" else 0,
            params={
                "index": index,
                "name": member.name,
                "compression": self.compression,
                "size": member.size,
            },
            kind=kind,
            mtime_ns=int(member.mtime) * 1_000_000_000 if member.mtime else None,
            container_format=self.format,
        )
        if member.issym() or member.islnk():
            child.extra["link_target"] = member.linkname
        if unsafe_name(member.name):
            child.flags.append(FLAG_UNSAFE_NAME)
        if kind != "file":
            return child
        if not self.compression and not member.issparse():
            child.byte_runs = [[0, member.offset_data, member.size]]
            child.params["offset_data"] = member.offset_data
        child._content = lambda chunk_size: self._stream(archive, member, budget, chunk_size)
        return child

    def _stream(
        self, archive: tarfile.TarFile, member: tarfile.TarInfo, budget: Budget, chunk_size: int
    ) -> Iterator[bytes]:
        try:
            reader = archive.extractfile(member)
            if reader is None:
                return
            for data in iter_stream(reader, chunk_size):
                budget.expand(len(data), member.name)
                yield data
        except LimitExceeded:
            raise
        except TAR_ERRORS as exc:
            raise EvidenceError(f"{self._where}: {member.name}: unreadable member: {exc}") from exc


def open_tar_member(parent: BinaryIO, params: dict, where: str = "tar") -> BinaryIO:
    """Reopen member ``params['index']``: a range of a plain tar, or a re-decompressed stream."""
    index = int(params["index"])
    offset = params.get("offset_data")
    if offset is not None and not params.get("compression"):
        return range_stream(parent, int(offset), int(params["size"]))

    def reopen() -> BinaryIO:
        parent.seek(0)
        archive = tarfile.open(fileobj=parent, mode="r|*")  # noqa: SIM115 - lives with the member
        for position, candidate in enumerate(archive):
            if position == index:
                reader = archive.extractfile(candidate)
                if reader is not None:
                    return cast(BinaryIO, reader)
                break
        raise EvidenceError(f"{where}: member {index} ({params.get('name')}) is not in the archive")

    try:
        first = reopen()
    except TAR_ERRORS as exc:
        raise EvidenceError(f"{where}: unreadable tar archive: {exc}") from exc
    return cast(BinaryIO, ForwardStream(reopen, int(params["size"]), first=first))
