"""Fuzzing campaign as a benchmark: counts of outcomes per kind of input, for the page (BENCHMARKS.md).

``python bench/bench_fuzz.py [--size smoke|standard|full] [--json PATH] [--seed S]``

Runs the campaign of ``bench/fuzz.py`` (mutated real images, hash lists and pictures, each in a child
process with a time and a memory limit) and, as the baseline measured in the same run, every seed input
unmutated through the same targets under the same limits. Sizes: smoke = 1 mutation per seed (CI),
standard = 10 per seed, full = 40 per seed. The exit status is 1 when any run ended in a traceback, a
native crash, a hang or the memory limit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import results  # noqa: E402
from bench.fuzz import (  # noqa: E402
    DEFAULT_MEMORY_LIMIT,
    DEFAULT_TIME_LIMIT,
    PROBLEMS,
    Campaign,
    RunRecord,
    Seed,
    campaign,
    seeds,
)
from bench.sandbox import OUTCOMES, run_limited  # noqa: E402

RUNS_PER_SEED = {"smoke": 1, "standard": 10, "full": 40}
COLUMNS = [
    "inputs",
    "seeds",
    "runs",
    *OUTCOMES,
    "slowest s",
    "peak MiB",
    "unmutated slowest s",
    "unmutated peak MiB",
    "x unmutated peak",
]


def unmutated(seed: Seed, work: Path, time_limit: float, memory_limit: int) -> RunRecord:
    """The seed as it is, through its target under the campaign's limits (the baseline)."""
    args: list = [str(seed.files[0])]
    if seed.kind == "list":
        args += [str(work / f"{seed.name}-library.db"), *seed.extra, None]
    else:
        args += list(seed.extra)
    outcome = run_limited(seed.target, args, time_limit=time_limit, memory_limit=memory_limit)
    return RunRecord(
        seed.name,
        seed.kind,
        -1,
        "none",
        outcome.outcome,
        round(outcome.seconds, 2),
        round(outcome.peak_bytes / (1 << 20), 1),
        outcome.message[-300:],
    )


def table(mutated: Campaign, baseline: list[RunRecord]) -> list[list]:
    """One row per kind of input and a total row."""
    rows = []
    kinds = sorted({record.kind for record in mutated.runs})
    for kind in [*kinds, "all"]:
        runs = [r for r in mutated.runs if kind in ("all", r.kind)]
        base = [r for r in baseline if kind in ("all", r.kind)]
        counts = mutated.counts(runs)
        peak = max((r.peak_mib for r in runs), default=0.0)
        base_peak = max((r.peak_mib for r in base), default=0.0)
        rows.append(
            [
                kind,
                len({r.seed for r in runs}),
                counts["runs"],
                *(counts[outcome] for outcome in OUTCOMES),
                round(max((r.seconds for r in runs), default=0.0), 2),
                round(peak, 1),
                round(max((r.seconds for r in base), default=0.0), 2),
                round(base_peak, 1),
                results.ratio(peak, base_peak),
            ]
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_arguments(parser)
    parser.add_argument("--seed", type=int, default=2121, help="campaign seed (default 2121)")
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    parser.add_argument("--memory-limit-mib", type=int, default=DEFAULT_MEMORY_LIMIT >> 20)
    arguments = parser.parse_args(argv)
    bench_run = results.Run(
        "fuzz", "Fuzzing campaign: mutated images, hash lists and pictures", arguments.size
    )
    memory_limit = arguments.memory_limit_mib << 20
    runs = RUNS_PER_SEED[arguments.size]
    with tempfile.TemporaryDirectory(prefix="custos-fuzz-base-") as scratch:
        baseline = [
            unmutated(s, Path(scratch), arguments.time_limit, memory_limit) for s in seeds(Path(scratch))
        ]
    mutated = campaign(runs, arguments.seed, time_limit=arguments.time_limit, memory_limit=memory_limit)
    problems = [r for r in mutated.runs if r.outcome in PROBLEMS]
    unclean_seeds = [f"{r.seed}: {r.outcome} {r.message[:80]}" for r in baseline if r.outcome != "clean"]
    failures = "; ".join(f"{r.seed} #{r.run} {r.mutator} {r.outcome}" for r in problems[:10])
    notes = [
        f"seed {arguments.seed}, {runs} mutation(s) per seed input; a run is replayed with "
        f"`bench/fuzz.py --seed {arguments.seed} --only NAME --runs N`",
        f"limits per run: {arguments.time_limit:g} s, {arguments.memory_limit_mib} MiB of memory (a child "
        "process each; hang and memory count runs stopped at a limit)",
        "outcomes: clean; item-errors = the engine noted per-item problems and went on; refused = one clear "
        "error line; traceback, crash (native), hang and memory are failures",
        f"failures: {len(problems)}" + (f": {failures}" if problems else ""),
        "unmutated seeds not clean: " + ("; ".join(unclean_seeds) if unclean_seeds else "none"),
    ]
    result = bench_run.result(
        {"seed": arguments.seed, "runs_per_seed": runs, "seed_inputs": len(baseline)},
        "every seed input unmutated, through the same targets under the same limits, in the same run",
        COLUMNS,
        table(mutated, baseline),
        notes,
    )
    for row in result["rows"]:
        print("  ".join(str(cell) for cell in row))
    for note in notes:
        print(f"- {note}")
    if arguments.json:
        results.write(arguments.json, result)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
