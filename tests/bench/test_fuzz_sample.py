"""A fixed-seed sample of the fuzzing campaign (``bench/fuzz.py``), and how its sandbox classifies runs.

The full campaign's counts are on the benchmark page (``bench/bench_fuzz.py``); here a handful of
mutations of real inputs (one per kind of reader: raw ext2, NTFS, E01, VICS, a plain list, JPEG) must end
clean, with per-item notes or with a clear refusal: never a traceback, a native crash, a hang or the memory
limit.
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


def test_the_page_result_counts_each_kind_against_the_unmutated_seeds(tmp_path) -> None:
    from bench import bench_fuzz, results
    from bench.fuzz import RunRecord, seeds

    chosen = [seed for seed in seeds(tmp_path) if seed.name in ("raw-ext2", "list-plain")]
    baseline = [bench_fuzz.unmutated(seed, tmp_path, 60.0, PEAK_LIMIT) for seed in chosen]
    assert [record.outcome for record in baseline] == ["clean", "clean"], baseline
    mutated = campaign(1, 2121, only=("raw-ext2", "list-plain"), time_limit=60.0, mutators=("struct",))
    mutated.runs.append(RunRecord("raw-ext2", "image", 9, "bitflip", "hang", 61.0, 12.0, "stopped"))
    rows = bench_fuzz.table(mutated, baseline)
    by_kind = {row[0]: dict(zip(bench_fuzz.COLUMNS, row, strict=True)) for row in rows}
    assert set(by_kind) == {"image", "list", "all"}
    assert by_kind["image"]["runs"] == 2 and by_kind["image"]["hang"] == 1
    assert by_kind["all"]["runs"] == 3 and by_kind["all"]["seeds"] == 2
    assert by_kind["image"]["slowest s"] == 61.0
    assert by_kind["all"]["unmutated peak MiB"] == max(record.peak_mib for record in baseline)
    run = results.Run("fuzz", "Fuzzing campaign", "smoke")
    results.check(run.result({}, "unmutated", bench_fuzz.COLUMNS, rows))
