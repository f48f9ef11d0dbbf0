"""Read-only byte access to the media inside an evidence container.

Each container format gets a small handle with ``read_at(offset, size)`` and ``size``; the libyal
bindings (pyewf, pyqcow, pyvhdi, pyvmdk) are opened read-only, plain files with mode ``rb``.
"""

from __future__ import annotations

import bisect
import os
from pathlib import Path
from typing import Protocol

from forensics.core.errors import EvidenceError
from forensics.core.positional import READ_ONLY, forget, pread


class DamagedMediaError(EvidenceError):
    """The requested bytes lie in a container chunk that failed its integrity check."""


def damage_message(start: int, end: int, bytes_per_sector: int) -> str:
    """One line naming a damaged EWF chunk by media bytes and sectors (half-open byte range)."""
    first, last = start // bytes_per_sector, (end - 1) // bytes_per_sector
    return (
        f"EWF chunk at media bytes {start}-{end - 1} (sectors {first}-{last}) failed its checksum "
        "or could not be inflated; libewf reads it as zeros"
    )


def ranges_not_in(ranges: list[tuple[int, int]], known: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of the half-open ``ranges`` that no range of ``known`` covers, in order.

    libewf merges neighbouring damaged chunks into one range: a range read later can swallow one
    already known, and only its new part is new.
    """
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        for known_start, known_end in sorted(known):
            if known_end <= start or end <= known_start:
                continue
            if start < known_start:
                out.append((start, known_start))
            start = max(start, known_end)
            if start >= end:
                break
        if start < end:
            out.append((start, end))
    return out


class MediaHandle(Protocol):
    """Random read access to the acquired media stream."""

    size: int

    def read_at(self, offset: int, size: int) -> bytes: ...

    def close(self) -> None: ...


class FileMedia:
    """A single raw file (dd image), opened read-only."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, READ_ONLY)
        self.size = os.fstat(self._fd).st_size

    def read_at(self, offset: int, size: int) -> bytes:
        if offset >= self.size or size <= 0:
            return b""
        return pread(self._fd, min(size, self.size - offset), offset)

    def close(self) -> None:
        if self._fd >= 0:
            forget(self._fd)
            os.close(self._fd)
            self._fd = -1


class SplitRawMedia:
    """Several raw segment files concatenated in order (``.001/.002``, ``.aa/.ab``...)."""

    def __init__(self, paths: list[Path]) -> None:
        self._fds: list[int] = []
        self._starts: list[int] = []
        total = 0
        for path in paths:
            fd = os.open(path, READ_ONLY)
            self._fds.append(fd)
            self._starts.append(total)
            total += os.fstat(fd).st_size
        self.size = total

    def read_at(self, offset: int, size: int) -> bytes:
        if offset >= self.size or size <= 0:
            return b""
        size = min(size, self.size - offset)
        parts: list[bytes] = []
        index = bisect.bisect_right(self._starts, offset) - 1
        while size > 0 and index < len(self._fds):
            local = offset - self._starts[index]
            seg_end = self._starts[index + 1] if index + 1 < len(self._starts) else self.size
            take = min(size, seg_end - offset)
            chunk = pread(self._fds[index], take, local)
            if len(chunk) != take:
                raise EvidenceError(f"short read in segment {index + 1} at offset {local}")
            parts.append(chunk)
            offset += take
            size -= take
            index += 1
        return b"".join(parts)

    def close(self) -> None:
        for fd in self._fds:
            forget(fd)
            os.close(fd)
        self._fds = []


class LibyalMedia:
    """A libyal handle (pyewf, pyqcow, pyvhdi, pyvmdk) exposing ``read_buffer_at_offset``."""

    def __init__(self, handle, size: int) -> None:
        self._handle = handle
        self.size = size

    def read_at(self, offset: int, size: int) -> bytes:
        if offset >= self.size or size <= 0:
            return b""
        try:
            return self._handle.read_buffer_at_offset(min(size, self.size - offset), offset)
        except (OSError, RuntimeError) as exc:  # damaged or missing container data (e.g. a truncated E01)
            reason = " ".join(str(exc).split())
            raise EvidenceError(f"read error at media offset {offset}: {reason}") from exc

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class EwfMedia(LibyalMedia):
    """An EWF (E01/Ex01) handle that refuses bytes libewf could not verify.

    libewf reads a chunk whose Adler-32 check fails, or that cannot be inflated, as zeros and records its
    sector range. ``read_at`` raises :class:`DamagedMediaError` for a read touching such a range instead of
    returning invented zeros. ``read_at_unchecked`` returns them as libewf does: for The Sleuth Kit's own
    reads (file-system probes, metadata) and whole-media verification, which reports the ranges.
    """

    def __init__(self, handle, size: int, bytes_per_sector: int) -> None:
        super().__init__(handle, size)
        self._bytes_per_sector = bytes_per_sector
        self._reports_damage = hasattr(handle, "get_checksum_errors")

    def read_at(self, offset: int, size: int) -> bytes:
        data = super().read_at(offset, size)
        if data and self._reports_damage:
            for start, end in self.damaged_byte_ranges():
                if start < offset + len(data) and offset < end:
                    raise DamagedMediaError(damage_message(start, end, self._bytes_per_sector))
        return data

    def read_at_unchecked(self, offset: int, size: int) -> bytes:
        """The bytes as libewf returns them, damaged chunks as zeros (for whole-media hashing)."""
        return super().read_at(offset, size)

    def damaged_sectors(self) -> list[tuple[int, int]]:
        """(start_sector, number_of_sectors) of every damaged chunk read so far, in order."""
        if not self._reports_damage or self._handle is None:
            return []
        return sorted((int(start), int(count)) for start, count in self._handle.get_checksum_errors())

    def damaged_byte_ranges(self) -> list[tuple[int, int]]:
        """Half-open media byte ranges of the damaged chunks read so far (libewf merges adjacent ones)."""
        bps = self._bytes_per_sector
        return [(start * bps, (start + count) * bps) for start, count in self.damaged_sectors()]
