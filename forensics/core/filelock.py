"""An exclusive lock on a file that works the same on Linux, Windows and macOS.

The lock is SQLite's own database lock on a small lock file: SQLite takes it with the operating
system's native locking (POSIX record locks, or ``LockFileEx`` on Windows), so it is released when the
holding process ends, however it ends (a crash, ``kill -9``), and it works for processes of one machine
on a local disk. Nothing is written to the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from forensics.core.errors import CustosError

# How long taking the lock waits for a process that only looks at it (see :func:`lock_held`).
WAIT_SECONDS = 2.0


class LockBusy(CustosError):
    """Another process holds the lock."""


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)


@contextmanager
def exclusive_lock(path: Path | str, busy_message: str) -> Iterator[None]:
    """Hold the lock on ``path`` (created if missing) for the block; :class:`LockBusy` if another holds it."""
    connection = _connect(Path(path), WAIT_SECONDS)
    try:
        try:
            connection.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            raise LockBusy(busy_message) from exc
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
    finally:
        connection.close()


def lock_held(path: Path | str) -> bool:
    """Whether a process holds the lock on ``path`` right now (the file is neither created nor locked)."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0)
    except sqlite3.Error:
        return False
    try:
        connection.execute("BEGIN")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a shared lock, at once
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    except sqlite3.DatabaseError:
        return False  # not a lock file of ours: nothing holds it
    finally:
        connection.close()
