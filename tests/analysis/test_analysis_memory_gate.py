"""The shared memory slot: one heavy PDQ at a time across processes, freed when a holder is killed."""

from __future__ import annotations

import multiprocessing as mp
import time

import numpy as np
from PIL import Image

from forensics.analysis import memory_gate
from forensics.analysis.memory_gate import HEAVY_PIXELS, HeavySlot, heavy_section
from forensics.analysis.options import AnalysisOptions
from forensics.analysis.perceptual import perceptual_hashes


def _hold(slot: HeavySlot, inside, peak, seconds: float) -> None:
    memory_gate.install(slot)
    with heavy_section(HEAVY_PIXELS + 1):
        with inside.get_lock():
            inside.value += 1
            peak.value = max(peak.value, inside.value)
        time.sleep(seconds)
        with inside.get_lock():
            inside.value -= 1


def _slot(ctx, workers: int, wait_s: float = 30.0) -> HeavySlot:
    return HeavySlot(ctx.Semaphore(1), ctx.Array("b", workers, lock=False), wait_s=wait_s)


def test_heavy_sections_of_several_processes_never_overlap():
    ctx = mp.get_context("spawn")
    slot = _slot(ctx, 3)
    inside, peak = ctx.Value("i", 0), ctx.Value("i", 0)
    procs = [ctx.Process(target=_hold, args=(slot.for_worker(i), inside, peak, 0.3)) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert peak.value == 1


def test_the_slot_of_a_killed_holder_is_given_back():
    ctx = mp.get_context("spawn")
    slot = _slot(ctx, 2)
    inside, peak = ctx.Value("i", 0), ctx.Value("i", 0)
    holder = ctx.Process(target=_hold, args=(slot.for_worker(0), inside, peak, 60.0))
    holder.start()
    deadline = time.monotonic() + 30
    while not slot.holders[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slot.holders[0] == 1
    holder.kill()
    holder.join(10)
    assert not slot.semaphore.acquire(timeout=0.2)  # still taken by the dead process...
    assert slot.release_for(0) is True  # ...until the executor gives it back
    assert slot.release_for(0) is False
    assert slot.semaphore.acquire(timeout=1)
    slot.semaphore.release()


def test_a_slot_never_freed_is_skipped_after_the_wait():
    ctx = mp.get_context("spawn")
    slot = _slot(ctx, 1, wait_s=0.2)
    assert slot.semaphore.acquire(timeout=1)  # someone holds it and never gives it back
    with slot.for_worker(0).held() as got:
        assert got is False


def test_small_pictures_and_no_installed_slot_take_nothing():
    ctx = mp.get_context("spawn")
    slot = _slot(ctx, 1)
    memory_gate.install(slot.for_worker(0))
    try:
        assert slot.semaphore.acquire(timeout=1)  # taken elsewhere: a small picture must not wait for it
        started = time.monotonic()
        picture = Image.fromarray(np.random.default_rng(1).integers(0, 255, (600, 800, 3), dtype=np.uint8))
        hashes = perceptual_hashes(picture, AnalysisOptions())
        assert len(hashes.pdq) == 64 and time.monotonic() - started < 10
        slot.semaphore.release()
    finally:
        memory_gate.install(None)
    ran = []
    with heavy_section(10**9):  # nothing installed (tests, previews): no slot at all, the block just runs
        ran.append(True)
    assert ran == [True] and slot.semaphore.acquire(timeout=1)  # and the slot was never touched


def test_a_large_picture_hashes_the_same_inside_the_slot():
    picture = Image.fromarray(np.random.default_rng(2).integers(0, 255, (1500, 1500, 3), dtype=np.uint8))
    plain = perceptual_hashes(picture, AnalysisOptions())
    ctx = mp.get_context("spawn")
    slot = _slot(ctx, 1)
    memory_gate.install(slot.for_worker(0))
    try:
        gated = perceptual_hashes(picture, AnalysisOptions())
    finally:
        memory_gate.install(None)
    assert gated == plain
    assert slot.holders[0] == 0 and slot.semaphore.acquire(timeout=1)
