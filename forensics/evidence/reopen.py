"""Reopen any link of a locator chain as a seekable, read-only stream of exactly its bytes.

A file-system entry is read through TSK at any offset; a phone-extraction member through the
extraction (``EvidenceSource.open_extraction_member``); a carved file (and a file system's unallocated
space) from its byte runs in the media; an item inside another through the opener of its link kind
(:mod:`forensics.evidence.nested.openers`) over its parent's stream, level by level; a member of an
encrypted archive with the examiner's password of that archive (``EvidenceSource.archive_passwords``).
"""

from __future__ import annotations

import bisect
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.extractions.records import EXTRACTION_LINK_KINDS
from forensics.evidence.locator import CARVED, FILE, FileLocator

UNALLOCATED = "unallocated"
RUN_KINDS = frozenset({CARVED, UNALLOCATED})  # links whose bytes are runs of the media, wherever they sit


def media_runs_stream(source, runs: list[list[int]], shown: str) -> BinaryIO:  # noqa: ANN001
    """The media bytes of ``runs`` ([offset, length], in order) as one stream."""
    from forensics.evidence.nested.streams import ReadAtStream

    media = source.image.media
    if media is None:
        raise EvidenceError(f"{shown}: this evidence has no media to read runs from")
    starts: list[int] = []
    total = 0
    for _offset, length in runs:
        starts.append(total)
        total += int(length)

    def read_at(position: int, size: int) -> bytes:
        parts: list[bytes] = []
        index = bisect.bisect_right(starts, position) - 1
        while size > 0 and 0 <= index < len(runs):
            offset, length = int(runs[index][0]), int(runs[index][1])
            inside = position - starts[index]
            take = min(size, length - inside)
            data = media.read_at(offset + inside, take)
            if len(data) != take:
                raise EvidenceError(f"{shown}: the media ends inside run {index + 1}")
            parts.append(data)
            position += take
            size -= take
            index += 1
        return b"".join(parts)

    return cast(BinaryIO, ReadAtStream(read_at, total))


def open_stream(source, locator: FileLocator) -> BinaryIO:  # noqa: ANN001 - an EvidenceSource
    """The bytes of the item at ``locator`` (any link of a chain) as a seekable stream."""
    if locator.kind in RUN_KINDS:
        return media_runs_stream(source, locator.parameters.get("runs") or [], locator.path)
    if locator.parent is None:
        if locator.kind in EXTRACTION_LINK_KINDS:  # a member of a phone extraction (the evidence item)
            return source.open_extraction_member(locator)
        if locator.kind != FILE:
            raise EvidenceError(f"{locator.path}: no reader for a top-level link of kind {locator.kind!r}")
        from forensics.evidence.nested.item_stream import open_item_stream

        return open_item_stream(source, locator, source.item_size(locator))
    from forensics.evidence.nested.openers import open_seekable

    parent = open_stream(source, locator.parent)
    password = (getattr(source, "archive_passwords", None) or {}).get(locator.parent)
    return open_seekable(locator.kind, parent, locator.parameters, password=password)
