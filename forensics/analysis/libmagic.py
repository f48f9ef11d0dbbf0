"""libmagic handles per thread and per flag set (handles are not thread-safe; loading one costs a few ms)."""

from __future__ import annotations

import threading

import magic

# Named flag sets: the full checks (description or MIME), and the two cheap passes of the text fast path.
FULL = 0
NO_SOFT = magic.MAGIC_NO_CHECK_SOFT  # built-in tests only: encoding, JSON, CSV, tar, CDF; no magic database
# magic database without its text patterns ("data" if none match); python-magic's stub omits the constant
BINARY_PATTERNS = magic.MAGIC_NO_CHECK_TEXT  # type: ignore[attr-defined]
_local = threading.local()


def _handle(flags: int, mime: bool) -> magic.Magic:
    handles = getattr(_local, "handles", None)
    if handles is None:
        handles = _local.handles = {}
    key = (flags, mime)
    handle = handles.get(key)
    if handle is None:
        handle = magic.Magic(mime=mime)
        if flags:
            handle.flags |= flags
            magic.magic_setflags(handle.cookie, handle.flags)
        handles[key] = handle
    return handle


def describe(head: bytes, flags: int = FULL) -> str:
    """libmagic's description of the bytes with the given extra flags."""
    return _handle(flags, mime=False).from_buffer(head)


def mime_type(head: bytes, flags: int = FULL) -> str:
    """libmagic's MIME type of the bytes with the given extra flags."""
    return _handle(flags, mime=True).from_buffer(head)


def libmagic_version() -> int:
    """The libmagic version as an integer (e.g. 544 for 5.44)."""
    return int(magic.version())
