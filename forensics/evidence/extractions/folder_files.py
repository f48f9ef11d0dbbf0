"""Read-only access to files inside an extraction folder (iOS backup, extracted Android tree)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from forensics.evidence.extractions.errors import ExtractionError

MAX_SMALL_FILE = 16 * 1024 * 1024  # plists and keybags: anything bigger is refused


def open_readonly(path: Path) -> BinaryIO:
    """Open ``path`` for reading only; links are not followed where the OS can refuse them."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ExtractionError(f"{path}: cannot be opened read-only ({exc.strerror})") from exc
    return os.fdopen(fd, "rb")


def read_small(path: Path, limit: int = MAX_SMALL_FILE) -> bytes:
    """The whole of a small file (a plist, a keybag); refuses files above ``limit`` bytes."""
    with open_readonly(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ExtractionError(f"{path}: larger than {limit} bytes, not read")
    return data
