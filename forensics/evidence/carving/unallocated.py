"""Where to carve: a file system's unallocated space, unpartitioned space, and file slack.

pytsk3 offers no block walk in Python, so a file system's unallocated space is computed as the
complement, within the file system's byte range, of the data runs of every allocated item the walk
listed (``FileEntry.byte_runs`` / the case's ``byte_runs_json``: [file_offset, image_offset, length]).
Metadata areas the walk does not list as files (FAT tables, ext inode tables and bitmaps) therefore
count as unallocated: they are carved too, which costs little and finds nothing there unless a file's
bytes were written there. Deleted items keep their runs out of the complement only when they are
allocated again; their own runs are passed as ``known`` extents so that a carved file identical to a
listed deleted file is not a new item.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forensics.evidence.volumes import Partition

SECTOR = 512


def merge(runs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching (offset, length) runs merged into one each."""
    merged: list[list[int]] = []
    for start, length in sorted((int(s), int(n)) for s, n in runs if n > 0):
        if merged and start <= merged[-1][0] + merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], start + length - merged[-1][0])
        else:
            merged.append([start, length])
    return [(start, length) for start, length in merged]


def complement(
    start: int, length: int, used: Iterable[tuple[int, int]], min_length: int = SECTOR
) -> list[tuple[int, int]]:
    """The parts of ``[start, start+length)`` no run of ``used`` covers, each at least ``min_length`` long."""
    end = start + length
    free: list[tuple[int, int]] = []
    pos = start
    for used_start, used_length in merge(used):
        used_end = used_start + used_length
        if used_end <= pos:
            continue
        if used_start >= end:
            break
        if used_start > pos:
            free.append((pos, used_start - pos))
        pos = max(pos, used_end)
    if pos < end:
        free.append((pos, end - pos))
    return [(s, n) for s, n in free if n >= min_length]


def image_runs(byte_runs: Iterable[list[int]]) -> list[tuple[int, int]]:
    """(image_offset, length) of the stored runs of one item (sparse runs, offset -1, left out)."""
    return [(int(image), int(length)) for _file, image, length in byte_runs if int(image) >= 0]


def unallocated_runs(
    fs_offset: int,
    fs_length: int,
    allocated_items_runs: Iterable[Iterable[list[int]]],
    block_size: int = SECTOR,
) -> list[tuple[int, int]]:
    """The unallocated runs of a file system from the byte runs of its allocated items.

    Each item's runs are rounded up to whole blocks (a file's last block is allocated even where the
    file ends before it: its slack is not unallocated space).
    """
    used: list[tuple[int, int]] = []
    for runs in allocated_items_runs:
        for image, length in image_runs(runs):
            used.append((image, length + (-length) % block_size))
    return complement(fs_offset, fs_length, used)


def slack_runs(byte_runs: Iterable[list[int]], block_size: int) -> list[tuple[int, int]]:
    """The file slack of one item: from the end of its data to the end of its last block."""
    stored = image_runs(byte_runs)
    if not stored:
        return []
    image, length = max(stored)
    tail = (-length) % block_size
    return [(image + length, tail)] if tail else []


def unpartitioned_runs(partitions: Iterable[Partition]) -> list[tuple[int, int]]:
    """The volume table's unallocated entries (``volumes.Partition`` with kind 'unallocated')."""
    return merge(
        (int(p.offset), int(p.length)) for p in partitions if getattr(p, "kind", "") == "unallocated"
    )


def known_extents(items_runs: Iterable[Iterable[list[int]]]) -> set[tuple[int, int]]:
    """(offset, length) of every listed item stored contiguously (its runs merged), for de-duplication."""
    extents: set[tuple[int, int]] = set()
    for runs in items_runs:
        stored = sorted(image_runs(runs))
        if not stored:
            continue
        merged = merge(stored)
        if len(merged) == 1 and sum(n for _s, n in stored) == merged[0][1]:
            extents.add(merged[0])
    return extents
