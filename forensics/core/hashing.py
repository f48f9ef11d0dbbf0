"""MD5, SHA-1 and SHA-256 of a byte stream in one pass over chunked reads."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

# Chunks from this size on have their MD5 computed on a helper thread beside SHA-1 and SHA-256
# (hashlib releases the GIL); on smaller ones the hand-over would cost more than it saves.
PARALLEL_MIN = 1024 * 1024
# Each hash is fed a chunk in pieces of this size: all three then read a piece while it is still in the
# core's own cache (4 MiB fed whole to each hash in turn cost 5-7 % more CPU with both cores hashing).
HASH_SLICE = 256 * 1024

_helper: ThreadPoolExecutor | None = None
_helper_lock = threading.Lock()


def _md5_helper() -> ThreadPoolExecutor:
    """The process's one helper thread for MD5 (started on first use)."""
    global _helper
    with _helper_lock:
        if _helper is None:
            _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="custos-md5")
        return _helper


@dataclass(frozen=True)
class Digests:
    """The three digests (lowercase hex) and the number of bytes hashed."""

    md5: str
    sha1: str
    sha256: str
    size: int


class MultiHasher:
    """Feeds every chunk to MD5, SHA-1 and SHA-256 at once; memory is one chunk.

    With ``parallel``, MD5 (the slowest of the three) runs on a helper thread beside SHA-1 and
    SHA-256 for chunks of ``PARALLEL_MIN`` bytes and more: one large stream (a video, a disk image
    inside the image, the media being verified) then hashes on two cores when a second one is free.
    ``parallel`` may be a callable asked before each such chunk (e.g. whether a core is idle right
    now): on a machine whose cores are all busy the hand-over only adds work.
    """

    def __init__(self, parallel: bool | Callable[[], bool] = False) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._parallel = parallel
        self.size = 0

    def update(self, chunk: bytes) -> None:
        if len(chunk) >= PARALLEL_MIN and self._parallel_now():
            md5 = _md5_helper().submit(self._md5.update, chunk)
            for piece in slices(chunk):
                self._sha1.update(piece)
                self._sha256.update(piece)
            md5.result()
        else:
            for piece in slices(chunk):
                self._md5.update(piece)
                self._sha1.update(piece)
                self._sha256.update(piece)
        self.size += len(chunk)

    def _parallel_now(self) -> bool:
        parallel = self._parallel
        return bool(parallel() if callable(parallel) else parallel)

    def digests(self) -> Digests:
        return Digests(self._md5.hexdigest(), self._sha1.hexdigest(), self._sha256.hexdigest(), self.size)


def slices(chunk: bytes, size: int = HASH_SLICE) -> Iterable[bytes | memoryview]:
    """``chunk`` in pieces of at most ``size`` bytes (views, no copies)."""
    if len(chunk) <= size:
        return (chunk,)
    view = memoryview(chunk)
    return [view[start : start + size] for start in range(0, len(chunk), size)]


def hash_chunks(chunks: Iterable[bytes]) -> Digests:
    """Digests of the concatenation of ``chunks``."""
    hasher = MultiHasher()
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.digests()
