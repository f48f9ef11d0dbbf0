"""Reopen a nested link: given its parent's bytes as a stream and the link's params, its own bytes.

``open_link(kind, parent, params)`` is registered per link kind (``records.py``). Parent streams are
seekable and read-only; the stream returned may be forward-only (a compressed member):
``open_seekable`` makes any of them seekable with bounded memory.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.nested import records
from forensics.evidence.nested.limits import DEFAULT_LIMITS, NestedLimits
from forensics.evidence.nested.streams import ForwardStream, range_stream

Opener = Callable[[BinaryIO, dict[str, Any], bytes | None], BinaryIO]


def _zip(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    from forensics.evidence.nested.zip_reader import open_zip_member

    return open_zip_member(parent, params, password)


def _zip_local(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    from forensics.evidence.nested.zip_local import open_local_member

    return open_local_member(parent, params)


def _tar(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    from forensics.evidence.nested.tar_reader import open_tar_member

    return open_tar_member(parent, params)


def _archive(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    from forensics.evidence.nested.libarchive_reader import open_archive_member

    return open_archive_member(parent, params, password)


def _decompressed(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    from forensics.evidence.nested.compressed import open_decompressed

    return open_decompressed(parent, params)


def _byte_range(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    return range_stream(parent, int(params["offset"]), int(params["length"]))


def _ole(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    from forensics.evidence.nested.ole_reader import open_ole_link

    return open_ole_link(parent, params)


def _image_file(parent: BinaryIO, params: dict[str, Any], password: bytes | None) -> BinaryIO:
    from forensics.evidence.nested.disk_image import open_image_file

    return open_image_file(parent, params)


OPENERS: dict[str, Opener] = {
    records.ZIP_MEMBER: _zip,
    records.ZIP_LOCAL_MEMBER: _zip_local,
    records.TAR_MEMBER: _tar,
    records.ARCHIVE_MEMBER: _archive,
    records.DECOMPRESSED: _decompressed,
    records.EMBEDDED: _byte_range,
    records.CARVED: _byte_range,
    records.OLE_EMBEDDED: _ole,
    records.OLE_STREAM: _ole,
    records.IMAGE_FILE: _image_file,
}


def open_link(
    kind: str, parent: BinaryIO, params: dict[str, Any], *, password: bytes | None = None
) -> BinaryIO:
    """The bytes of a nested link as a readable stream (EvidenceError when they cannot be reached)."""
    opener = OPENERS.get(kind)
    if opener is None:
        raise EvidenceError(f"no opener for link kind {kind!r}")
    try:
        return opener(parent, params, password)
    except EvidenceError:
        raise
    except (OSError, RuntimeError, ValueError, KeyError, EOFError) as exc:
        raise EvidenceError(f"{kind} {params}: cannot reopen: {' '.join(str(exc).split())}") from exc


def open_seekable(
    kind: str,
    parent: BinaryIO,
    params: dict[str, Any],
    *,
    size: int | None = None,
    password: bytes | None = None,
    limits: NestedLimits = DEFAULT_LIMITS,
) -> BinaryIO:
    """Like :func:`open_link`, but always seekable: forward-only members are re-read on a backward seek.

    Without a known ``size`` a forward-only member is read through once to learn it.
    """
    stream = open_link(kind, parent, params, password=password)
    if stream.seekable():
        return stream
    if size is None:
        size = params.get("size")
    if size is None:
        size = 0
        while data := stream.read(limits.chunk_size):
            size += len(data)
        stream.close()
        stream = open_link(kind, parent, params, password=password)
    if size <= limits.max_memory_member // 8:
        data = stream.read()
        stream.close()
        return io.BytesIO(data)
    return cast(
        BinaryIO,
        ForwardStream(lambda: open_link(kind, parent, params, password=password), size, first=stream),
    )
