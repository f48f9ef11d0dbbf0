"""Progress of ``custos hashset import --progress-jsonl``: records read of an estimated total, then finishing.

The importer reports ``(records read, malformed)`` every :data:`~forensics.hashsets.importer.BATCH_SIZE`
records and once more after the last one; it does not know how many records the file holds. So the total
is counted first, in one quick pass with its own byte progress: rows of an RDS v3 ``FILE`` object, Media
objects of a VICS file (its ``"MediaID"`` keys), else lines (an upper bound: headers and comments count).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from app.progress_display import JsonProgress
from forensics.core.progress import Progress
from forensics.hashsets.formats.nsrl import open_readonly
from forensics.hashsets.importer import BATCH_SIZE, VICS_FORMATS

CHUNK = 8 << 20
VICS_RECORD_KEY = b'"MediaID"'

ByteCallback = Callable[[int], None]


def count_occurrences(path: Path, needle: bytes, on_bytes: ByteCallback | None = None) -> int:
    """How often ``needle`` occurs in the file, read in chunks (a match across two chunks is found too)."""
    count, done, keep = 0, 0, len(needle) - 1
    tail = b""  # the last len(needle) - 1 bytes: too short to hold a match, kept for one across chunks
    with open(path, "rb") as stream:
        while block := stream.read(CHUNK):
            data = tail + block
            count += data.count(needle)
            tail = data[len(data) - keep :] if keep else b""
            done += len(block)
            if on_bytes is not None:
                on_bytes(done)
    return count


def count_lines(path: Path, on_bytes: ByteCallback | None = None) -> int:
    """Lines of a text file (a last line without a line end counts too)."""
    lines = count_occurrences(path, b"\n", on_bytes)
    size = path.stat().st_size
    if size:
        with open(path, "rb") as stream:
            stream.seek(size - 1)
            lines += stream.read(1) != b"\n"
    return lines


def count_rds3_rows(path: Path) -> int | None:
    """Rows of the ``FILE`` object of an RDS v3 database (read-only, immutable), or None if unreadable."""
    try:
        connection = open_readonly(path)
    except sqlite3.Error:
        return None
    try:
        return int(connection.execute("SELECT count(*) FROM FILE").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def estimate_records(path: Path, format_name: str, on_bytes: ByteCallback | None = None) -> int | None:
    """How many records the parser of ``format_name`` will read from ``path`` (None: cannot tell)."""
    if format_name == "rds3":
        return count_rds3_rows(path)
    if format_name in VICS_FORMATS:
        return count_occurrences(path, VICS_RECORD_KEY, on_bytes) or None
    return count_lines(path, on_bytes)


class ImportProgress:
    """Feeds JSON progress lines through the phases ``counting``, ``importing`` and ``finishing``."""

    def __init__(self, display: JsonProgress) -> None:
        self.display = display
        self.total: int | None = None
        self.size = 0
        self.started = time.monotonic()
        self._last_read = -1

    def _emit(self, progress: Progress, *, now: bool = False) -> None:
        """Phase changes go out at once; the rest a few times a second at most."""
        if now:
            self.display.emit(progress)
        else:
            self.display(progress)

    def count(self, path: Path, format_name: str) -> int | None:
        """Count the records first (phase ``counting``, bytes of the file), then announce the import."""
        self.size = path.stat().st_size
        started = time.monotonic()

        def on_bytes(done: int) -> None:
            self._emit(Progress("counting", bytes_done=done, bytes_total=self.size, started=started))

        self._emit(Progress("counting", bytes_total=self.size, started=started), now=True)
        self.total = estimate_records(path, format_name, on_bytes)
        self.started = time.monotonic()
        self._emit(Progress("importing", items_total=self.total or 0, started=self.started), now=True)
        return self.total

    def importing(self, read: int, malformed: int) -> None:
        """The importer's callback; its last call (after the final record) starts phase ``finishing``."""
        final = read == 0 or read % BATCH_SIZE != 0 or read == self._last_read
        self._last_read = read
        total = max(self.total or 0, read) if self.total else 0
        progress = Progress(
            "importing", items_done=read, items_total=total, errors=malformed, started=self.started
        )
        self._emit(progress, now=final)
        if final:
            finishing = Progress(
                "finishing", items_done=read, items_total=read, errors=malformed, started=self.started
            )
            self._emit(finishing, now=True)
