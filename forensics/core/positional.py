"""Positional reads (``pread``) that work on every operating system.

``os.pread`` reads at an offset without moving the file position, so threads can share a handle; it
does not exist on Windows. There the same is done with a seek and a read under a lock per handle.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

# Read-only, and binary where the platform distinguishes (Windows would translate line ends otherwise).
READ_ONLY = os.O_RDONLY | getattr(os, "O_BINARY", 0)

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_of(fd: int) -> threading.Lock:
    with _locks_guard:
        lock = _locks.get(fd)
        if lock is None:
            lock = _locks[fd] = threading.Lock()
        return lock


def seek_read(fd: int, size: int, offset: int) -> bytes:
    """``pread`` by seeking and reading, one caller at a time per descriptor."""
    with _lock_of(fd):
        os.lseek(fd, offset, os.SEEK_SET)
        parts: list[bytes] = []
        while size > 0:
            data = os.read(fd, size)
            if not data:
                break
            parts.append(data)
            size -= len(data)
        return b"".join(parts)


def forget(fd: int) -> None:
    """Drop the lock kept for a descriptor that is being closed."""
    with _locks_guard:
        _locks.pop(fd, None)


pread: Callable[[int, int, int], bytes] = getattr(os, "pread", seek_read)
