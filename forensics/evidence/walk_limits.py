"""Limits of a file-system walk, and range checks of every integer an evidence item gives to the database.

A damaged or hostile file system may claim a file of 168 TiB on a 16 MiB image, an inode count of
2^64 - 826, a time in the year 30828 or a directory reached under a thousand names. None of that may
stall the walk, exhaust memory or stop the job: each limit is a field of :class:`WalkLimits`, each value
beyond the database's integers (SQLite INTEGER and PostgreSQL BIGINT are signed 64-bit, PostgreSQL
INTEGER 32-bit) is not stored, and each case becomes a note on the item or the file system.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
INT32_MAX = (1 << 31) - 1
INT32_MIN = -(1 << 31)


@dataclass(frozen=True)
class WalkLimits:
    """How much one walk may spend; the defaults are far above what an intact file system needs."""

    # Seconds one entry's listing may take; past it, the rest of its work (data runs) is skipped, noted.
    entry_seconds: float = 10.0
    # Seconds the pass over the metadata table may take (inodes that no name reached); past it, it stops.
    metadata_seconds: float = 600.0
    # Data runs listed per attribute (a fragmented or hostile attribute beyond it is listed in part).
    max_runs: int = 100_000
    # Bytes of the media (image) holding the file system: a claimed size beyond it is flagged and capped.
    media_size: int | None = None

    def with_entry_seconds(self, seconds: float) -> WalkLimits:
        return replace(self, entry_seconds=seconds)


DEFAULT_WALK_LIMITS = WalkLimits()


def int64(value: int | None) -> int | None:
    """``value`` when a signed 64-bit integer can hold it, else None."""
    if value is None:
        return None
    value = int(value)
    return value if INT64_MIN <= value <= INT64_MAX else None


def int32(value: int | None) -> int | None:
    """``value`` when a signed 32-bit integer can hold it, else None."""
    if value is None:
        return None
    value = int(value)
    return value if INT32_MIN <= value <= INT32_MAX else None


def checked(value: int | None, what: str, notes: list[str], bits: int = 64) -> int | None:
    """``value`` range-checked to ``bits`` (64 or 32); a value out of range is None and a note."""
    kept = int64(value) if bits == 64 else int32(value)
    if value is not None and kept is None:
        notes.append(f"{what} {int(value):,} is beyond a signed {bits}-bit integer: not stored")
    return kept


def size_text(count: int) -> str:
    """``1,207,959,668 bytes`` (with thousands separators)."""
    return f"{count:,} bytes"
