"""A fixed-seed sample of the fuzzing campaign (``bench/fuzz.py``), and how its sandbox classifies runs.

The full campaign's counts are in docs/benchmark-history.md; here a handful of mutations of real inputs
(one per kind of reader: raw ext2, NTFS, E01, VICS, a plain list, JPEG) must end clean, with per-item notes
or with a clear refusal: never a traceback, a native crash, a hang or the memory limit.
"""

from __future__ import annotations

import random

import pytest

from bench.fuzz import MUTATORS, PROBLEMS, campaign, mutate
from bench.sandbox import run_limited

# The attacks (aimed mutations: an ext inode's size, a truncated FAT, VICS nested 200,000 deep or
# holding a 64 MiB string, a 2 GiB line), then random mutations of an E01 and a JPEG.
AIMED = ("raw-ext2", "raw-fat16", "list-vics", "list-plain")
RANDOM = ("e01", "jpeg")
PEAK_LIMIT = 1 << 30


@pytest.mark.fuzz
@pytest.mark.parametrize(("names", "mutators"), [(AIMED, ("struct",)), (RANDOM, None)])
def test_fixed_seed_sample_has_no_traceback_crash_or_hang(names: tuple[str, ...], mutators) -> None:
    result = campaign(1, 2121, only=names, time_limit=60.0, mutators=mutators)
    assert sorted(record.seed for record in result.runs) == sorted(names)
    summary = result.summary()
    assert not summary["problems"], summary["problems"]
    assert summary["memory_peak_mib"] < PEAK_LIMIT >> 20
    assert sum(summary[outcome] for outcome in ("clean", "item-errors", "refused")) == len(names)


@pytest.mark.parametrize(
    ("target", "outcome"),
    [
        ("clean", "clean"),
        ("noted", "item-errors"),
        ("refused", "refused"),
        ("broken", "traceback"),
        ("native_crash", "crash"),
        ("hang", "hang"),
        ("greedy", "memory"),
    ],
)
def test_the_sandbox_tells_each_ending_apart(target: str, outcome: str) -> None:
    ended = run_limited(f"tests.bench.sandbox_targets:{target}", [], time_limit=3.0, memory_limit=256 << 20)
    assert ended.outcome == outcome, ended
    if outcome == "refused":
        assert ended.message == "image.raw: not an image"
    if outcome == "traceback":
        assert "ValueError: an unexpected error" in ended.message


def test_mutations_are_reproducible_and_stay_in_bounds() -> None:
    data = bytes(range(256)) * 64
    for how in MUTATORS:
        first = mutate(data, random.Random("x"), how, [(0, 512)])
        assert first == mutate(data, random.Random("x"), how, [(0, 512)])
        assert len(first) <= len(data) and (how == "truncate" or len(first) == len(data))
    assert set(PROBLEMS) == {"traceback", "crash", "hang", "memory"}
