"""Run every benchmark at one size into bench/results/, then render BENCHMARKS.md.

    .venv/bin/python bench/run_all.py --size smoke       # a minute or two: every path works
    .venv/bin/python bench/run_all.py --size standard    # the page's numbers (about two minutes each)
    .venv/bin/python bench/run_all.py --size standard --only ingest,verify

Each ``bench/bench_NAME.py`` runs in its own process, one after the other, with ``--size SIZE --json
bench/results/NAME.json`` and a scratch working folder (so their side outputs stay out of the
repository). A benchmark that fails leaves its earlier result in place; the run goes on and exits 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import render_page, results  # noqa: E402

BENCH = ROOT / "bench"


def benchmarks() -> dict[str, Path]:
    """Every benchmark script by short name ("ingest" for bench_ingest.py), sorted."""
    return {path.stem.removeprefix("bench_"): path for path in sorted(BENCH.glob("bench_*.py"))}


def run_one(name: str, script: Path, size: str, out: Path) -> tuple[int, float]:
    """Run one benchmark; its exit code and wall seconds. Its output goes to the terminal."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"custos-bench-{name}-") as scratch:
        done = subprocess.run(
            [sys.executable, str(script), "--size", size, "--json", str(out)], cwd=scratch, env=env
        )
    return done.returncode, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=results.SIZES, default="smoke")
    parser.add_argument("--only", help="comma-separated benchmark names (default: every one)")
    parser.add_argument("--results", type=Path, default=results.RESULTS_DIR, help="where the JSON goes")
    parser.add_argument("--page", type=Path, default=render_page.PAGE, help="the page to render")
    args = parser.parse_args(argv)
    found = benchmarks()
    wanted = [name.strip() for name in args.only.split(",")] if args.only else list(found)
    unknown = [name for name in wanted if name not in found]
    if unknown:
        print(f"unknown benchmarks: {', '.join(unknown)} (known: {', '.join(found)})", file=sys.stderr)
        return 2
    summary = []
    for name in wanted:
        print(f"== {name} ({args.size})", file=sys.stderr, flush=True)
        code, seconds = run_one(name, found[name], args.size, args.results / f"{name}.json")
        summary.append((name, code, seconds))
    page_code = render_page.main(["--results", str(args.results), "--page", str(args.page)])
    print("\nbenchmark            exit   wall s", file=sys.stderr)
    for name, code, seconds in summary:
        print(f"{name:20s} {code:4d} {seconds:8.1f}", file=sys.stderr)
    print(f"{'total':20s} {'':4s} {sum(s for _, _, s in summary):8.1f}", file=sys.stderr)
    return 1 if page_code or any(code for _, code, _ in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
