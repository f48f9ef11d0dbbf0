"""One memory-heavy step at a time across worker processes: PDQ of a large picture.

pdqhash converts the whole picture to luminance in float64 before hashing, which costs about 24 bytes per
pixel for a moment (some 300 MB for a 12-MP photo). Two workers doing that at once would push an ingest
past its memory bound, so the step runs inside :func:`heavy_section`, which takes the one slot that the
ingest's executor shares between its workers (:class:`HeavySlot`). Outside an ingest (tests, previews)
no slot is installed and the section costs nothing.

A worker killed while it holds the slot is handled by the executor: it gives the slot back when it
replaces the worker (:meth:`HeavySlot.release_for`). A slot that cannot be had within ``wait_s``
(which should never happen) is skipped rather than waited for forever: memory may then peak higher,
but the job goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

# Pictures up to this many pixels are hashed without the slot (their PDQ needs under ~50 MB).
HEAVY_PIXELS = 2_000_000
# What pdqhash needs per pixel of a picture (float64 luma of RGB), on which HEAVY_PIXELS is measured.
PICTURE_BYTES_PER_PIXEL = 25


class HeavySlot:
    """A cross-process slot (a semaphore of 1) and, per worker, whether that worker holds it."""

    def __init__(self, semaphore: Any, holders: Any, index: int = -1, wait_s: float = 120.0) -> None:
        self.semaphore = semaphore
        self.holders = holders  # shared array: 1 where worker i holds the slot
        self.index = index
        self.wait_s = wait_s

    def for_worker(self, index: int) -> HeavySlot:
        """The same slot as seen by worker ``index`` (picklable parts only)."""
        return HeavySlot(self.semaphore, self.holders, index, self.wait_s)

    @contextmanager
    def held(self) -> Iterator[bool]:
        """Hold the slot for the block; yields whether it was obtained."""
        got = self.semaphore.acquire(timeout=self.wait_s)
        if not got:
            log.warning("memory slot not free after %.0f s: going on without it", self.wait_s)
            yield False
            return
        self.holders[self.index] = 1
        try:
            yield True
        finally:
            self.holders[self.index] = 0
            self.semaphore.release()

    def release_for(self, index: int) -> bool:
        """Give back the slot held by a worker that died or was killed; returns whether it held it."""
        if not self.holders[index]:
            return False
        self.holders[index] = 0
        self.semaphore.release()
        return True


_installed: HeavySlot | None = None


def install(slot: HeavySlot | None) -> None:
    """Use ``slot`` for heavy sections in this process (a worker calls this once at start)."""
    global _installed
    _installed = slot


@contextmanager
def heavy_section(pixels: int, bytes_per_pixel: int = PICTURE_BYTES_PER_PIXEL) -> Iterator[None]:
    """Run the block holding the shared slot when the picture is large and a slot is installed.

    ``bytes_per_pixel``: what the step needs per pixel (a video frame's PDQ on its grey plane needs ~9),
    so that the slot is taken from the same amount of memory (``HEAVY_PIXELS`` pictures' worth) on.
    """
    if _installed is None or pixels * bytes_per_pixel <= HEAVY_PIXELS * PICTURE_BYTES_PER_PIXEL:
        yield
        return
    with _installed.held():
        yield
