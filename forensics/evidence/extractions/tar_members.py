"""Tar archives, plain or gzip-compressed (Android file-system extractions; the tar inside an adb backup).

Listing walks the headers with the standard library's ``tarfile`` and forgets each header once yielded
(``TarFile.members`` is cleared as it goes), so memory does not grow with the member count.  A member
is reopened by its data offset: a window on a plain tar, or the gzip stream inflated from its start
and skipped to the offset (bounded memory, time proportional to the offset; for a full pass use
:func:`iter_tar_contents`, which gives every member's bytes in one sequential read).
"""

from __future__ import annotations

import gzip
import tarfile
from collections.abc import Iterator
from typing import BinaryIO, cast

from forensics.evidence.extractions.errors import ExtractionError
from forensics.evidence.extractions.records import TAR_MEMBER, ExtractionMember, seconds_to_ns
from forensics.evidence.extractions.streams import ForwardStream, SliceStream, iter_stream

GZIP_MAGIC = b"\x1f\x8b"


def tar_compression(head: bytes) -> str | None:
    """``"gzip"`` for a gzip stream, None for anything else (plain tar is checked by the caller)."""
    return "gzip" if head[:2] == GZIP_MAGIC else None


def _pax_ns(info: tarfile.TarInfo, key: str) -> int | None:
    value = info.pax_headers.get(key)
    if value is None:
        return None
    try:
        seconds, _, fraction = value.partition(".")
        return int(seconds) * 1_000_000_000 + int((fraction + "000000000")[:9])
    except ValueError:
        return None


def member_from_tarinfo(info: tarfile.TarInfo, link_kind: str = TAR_MEMBER) -> ExtractionMember:
    """The record of one tar header; ``params`` hold the data offset and size."""
    if info.isdir():
        kind = "directory"
    elif info.issym() or info.islnk():
        kind = "link"
    elif info.isreg():
        kind = "file"
    else:
        kind = "other"
    name = info.name
    member = ExtractionMember(
        link_kind=link_kind,
        path=name,
        name=name.rstrip("/").rsplit("/", 1)[-1],
        device_path=None,
        kind=kind,
        size=info.size if kind == "file" else 0,
        mode=info.mode,
        uid=info.uid,
        gid=info.gid,
        mtime_ns=_pax_ns(info, "mtime") or seconds_to_ns(int(info.mtime)),
        atime_ns=_pax_ns(info, "atime"),
        ctime_ns=_pax_ns(info, "ctime"),
        link_target=info.linkname or None,
        params={"offset_data": info.offset_data, "size": info.size},
    )
    if info.islnk():
        member.notes.append(f"hard link to {info.linkname}")
    if getattr(info, "sparse", None):
        member.present = False
        member.notes.append("GNU sparse member: listed, bytes not reopened")
    return member


def _open_tar(stream: BinaryIO, compression: str | None, where: str) -> tarfile.TarFile:
    stream.seek(0)
    mode = "r|gz" if compression == "gzip" else "r:"
    try:
        return tarfile.open(fileobj=stream, mode=mode)  # type: ignore[call-overload]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ExtractionError(f"{where}: not a readable tar archive ({exc})") from exc


def _walk(archive: tarfile.TarFile, where: str) -> Iterator[tarfile.TarInfo]:
    while True:
        try:
            info = archive.next()
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise ExtractionError(f"{where}: damaged or truncated tar archive ({exc})") from exc
        if info is None:
            return
        # Keeps memory flat on archives with many members (TarFile.members is not in typeshed).
        archive.members.clear()  # type: ignore[attr-defined]
        yield info


def list_tar(stream: BinaryIO, compression: str | None, where: str) -> Iterator[ExtractionMember]:
    """Every header of the tar in ``stream`` (``compression`` None or ``"gzip"``), in archive order."""
    archive = _open_tar(stream, compression, where)
    with archive:
        for info in _walk(archive, where):
            member = member_from_tarinfo(info)
            member.params["compression"] = compression
            yield member


def iter_tar_contents(
    stream: BinaryIO, compression: str | None, where: str
) -> Iterator[tuple[ExtractionMember, BinaryIO | None]]:
    """Each member with a reader of its bytes (None for non-files), in one sequential pass.

    A reader is valid only until the next member is taken from the iterator.
    """
    archive = _open_tar(stream, compression, where)
    with archive:
        for info in _walk(archive, where):
            member = member_from_tarinfo(info)
            member.params["compression"] = compression
            reader = archive.extractfile(info) if member.readable else None
            yield member, cast("BinaryIO | None", reader)


def open_tar_member(parent: BinaryIO, params: dict, where: str = "tar member") -> BinaryIO:
    """Reopen the member whose data offset and size are in ``params`` as a read-only stream."""
    offset, size = int(params["offset_data"]), int(params["size"])
    if params.get("compression") != "gzip":
        return SliceStream(parent, offset, size)  # type: ignore[return-value]

    def restart() -> Iterator[bytes]:
        parent.seek(0)
        inflated = gzip.GzipFile(fileobj=parent, mode="rb")
        try:
            inflated.seek(offset)
        except (OSError, EOFError) as exc:
            raise ExtractionError(f"{where}: gzip stream damaged before offset {offset} ({exc})") from exc
        return _bounded(cast(BinaryIO, inflated), size, where)

    return ForwardStream(restart, size)  # type: ignore[return-value]


def _bounded(stream: BinaryIO, size: int, where: str) -> Iterator[bytes]:
    got = 0
    try:
        for chunk in iter_stream(stream, size):
            got += len(chunk)
            yield chunk
    except (OSError, EOFError) as exc:
        raise ExtractionError(f"{where}: compressed stream damaged ({exc})") from exc
    if got != size:
        raise ExtractionError(f"{where}: truncated (member has {size} bytes, {got} readable)")
