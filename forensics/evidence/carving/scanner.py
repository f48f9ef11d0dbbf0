"""Find and validate files by content in byte runs of a source (the media, or an item's bytes).

Signatures are searched with ``bytes.find`` over large windows (at sector starts only, by default, as
files on a file system start there); only candidates are validated. A validated file's bytes are not
searched again: the scan goes on after its end, so a container carved whole (a zip, an MP4) is not
carved inside a second time, and its members are reached through the nested readers instead. Files are
contiguous by rule: a validator reads only inside the run it was found in, and a file that does not
end inside it is reported as partial, never completed with guessed fragments.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from forensics.evidence.carving.model import PARTIAL, CarvedFile, ReadAt
from forensics.evidence.carving.signatures import MAX_MAGIC_END, SIGNATURES, Signature

SECTOR = 512
WINDOW = 8 << 20  # bytes searched at a time (a multiple of SECTOR)
MAX_CANDIDATES_PER_WINDOW = 100_000
MIN_LENGTH = 32  # shorter "files" are noise
HEAD = 16  # bytes of each sector start kept for the aligned search (>= MAX_MAGIC_END)


@dataclass(frozen=True)
class CarveOptions:
    """How to carve: alignment of file starts (1 = any byte), which signatures, partial items or not."""

    align: int = SECTOR
    signatures: tuple[Signature, ...] = SIGNATURES
    keep_partial: bool = True
    window: int = WINDOW


def _aligned_candidates(
    chunk: bytes, base: int, align: int, signatures: tuple[Signature, ...]
) -> list[tuple[int, Signature]]:
    """Candidates at offsets that are multiples of ``align`` (absolute), from each sector's first bytes."""
    first = (-base) % align
    usable = (len(chunk) - first) // align
    if usable <= 0:
        return []
    view = np.frombuffer(chunk, dtype=np.uint8, count=usable * align, offset=first).reshape(usable, align)
    heads = view[:, :HEAD].tobytes()
    found: list[tuple[int, Signature]] = []
    for signature in signatures:
        if signature.at + len(signature.magic) > HEAD:
            continue
        pos = heads.find(signature.magic)
        while pos != -1 and len(found) < MAX_CANDIDATES_PER_WINDOW:
            row, column = divmod(pos, HEAD)
            if column == signature.at:
                found.append((base + first + row * align, signature))
            pos = heads.find(signature.magic, pos + 1)
    return found


def _any_candidates(
    chunk: bytes, base: int, searchable: int, signatures: tuple[Signature, ...]
) -> list[tuple[int, Signature]]:
    found: list[tuple[int, Signature]] = []
    for signature in signatures:
        pos = chunk.find(signature.magic, signature.at)
        while pos != -1 and pos - signature.at < searchable and len(found) < MAX_CANDIDATES_PER_WINDOW:
            found.append((base + pos - signature.at, signature))
            pos = chunk.find(signature.magic, pos + 1)
    return found


def carve_run(
    read_at: ReadAt, start: int, length: int, options: CarveOptions = CarveOptions()
) -> Iterator[CarvedFile]:
    """Carve one contiguous run ``[start, start+length)`` of the source read by ``read_at``."""
    end = start + length
    pos = start
    resume = start  # no file may start before this (the end of the last one found)
    align = max(1, options.align)
    while pos < end:
        searchable = min(options.window, end - pos)
        chunk = read_at(pos, min(searchable + MAX_MAGIC_END, end - pos))
        if not chunk:
            return
        if align > 1:
            candidates = [c for c in _aligned_candidates(chunk[:searchable], pos, align, options.signatures)]
        else:
            candidates = _any_candidates(chunk, pos, searchable, options.signatures)
        candidates.sort(key=lambda item: item[0])
        for offset, signature in candidates:
            if offset < resume or offset >= end:
                continue
            try:
                verdict = signature.validate(read_at, offset, end)
            except (struct.error, ValueError, IndexError, OverflowError):
                verdict = None
            if verdict is None or verdict.length < MIN_LENGTH:
                continue
            if verdict.status == PARTIAL and not options.keep_partial:
                continue
            kind = verdict.kind or signature.kind
            yield CarvedFile(
                kind, offset, verdict.length, verdict.status, verdict.note, [[0, offset, verdict.length]]
            )
            resume = offset + verdict.length
        next_pos = pos + searchable
        if resume > next_pos:
            next_pos = resume + (-resume) % align if align > 1 else resume
        pos = next_pos


def carve(
    read_at: ReadAt,
    runs: Iterable[tuple[int, int]],
    options: CarveOptions = CarveOptions(),
    known: set[tuple[int, int]] | None = None,
) -> Iterator[CarvedFile]:
    """Carve every run; a file whose single run equals a known item's (offset, length) is left out."""
    for start, length in runs:
        for carved in carve_run(read_at, start, length, options):
            if known and (carved.offset, carved.length) in known:
                continue
            yield carved
