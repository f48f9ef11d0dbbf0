"""Acquisition verification speed: Custos' whole-media hashing against the bare limit and ``ewfverify``.

    .venv/bin/python bench/bench_verify.py --size smoke     # CI (seconds, no timing targets)
    .venv/bin/python bench/bench_verify.py --size standard  # the page (bench/run_all.py)
    .venv/bin/python bench/bench_verify.py --size full      # the large image, by hand

On the image of ``bench/build_bench_image.py`` (raw and E01), each from the page cache:

* bare limit: one ``hashlib`` MD5+SHA-1+SHA-256 pass over the raw file, serial (what one stream costs
  on one core);
* ``hash_media`` (what ``custos verify`` runs): raw and E01;
* peer: ``ewfverify -d sha1`` on the E01 (libewf's own tool: MD5 and SHA-1).

Every run must give the MD5 that hashlib computes over the raw file. Prints a Markdown table and
writes ``bench_verify.json`` to ``--out``; ``--json PATH`` writes the page's result (``bench/results.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import results  # noqa: E402
from bench.bench_ingest import warm  # noqa: E402
from bench.build_bench_image import DEFAULT_CACHE, build  # noqa: E402
from forensics.evidence.verify import hash_media  # noqa: E402

READ_SIZE = 8 << 20


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(name: str, action) -> dict:
    """Wall and CPU seconds (this process and its children) of ``action()``, which returns the MD5."""
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    md5 = action()
    seconds = time.perf_counter() - started
    used = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu
    return {"name": name, "seconds": round(seconds, 3), "cpu_s": round(used, 3), "md5": md5}


def bare(path: Path) -> str:
    digests = (hashlib.md5(), hashlib.sha1(), hashlib.sha256())
    with path.open("rb") as handle:
        while chunk := handle.read(READ_SIZE):
            for digest in digests:
                digest.update(chunk)
    return digests[0].hexdigest()


def ewfverify(e01: Path) -> str:
    out = subprocess.run(["ewfverify", "-q", "-d", "sha1", str(e01)], capture_output=True, text=True)
    found = re.search(r"MD5 hash calculated over data:\s*([0-9a-f]{32})", out.stdout)
    if out.returncode != 0 or not found:
        raise RuntimeError(f"ewfverify failed ({out.returncode}): {out.stdout[-300:]} {out.stderr[-300:]}")
    return found.group(1)


def run(size: str, cache: Path, out: Path) -> dict:
    image = build(size, cache)
    segments = sorted(image.directory.glob("disk.E??"))
    media_bytes = image.raw.stat().st_size
    steps = []
    warm([image.raw])
    steps.append(timed("bare limit: hashlib MD5+SHA-1+SHA-256, one stream (raw)", lambda: bare(image.raw)))
    steps.append(timed("custos hash_media, raw", lambda: hash_media(image.raw).md5))
    warm(segments)
    steps.append(timed("custos hash_media, E01", lambda: hash_media(image.e01).md5))
    steps.append(timed("peer: ewfverify -d sha1, E01", lambda: ewfverify(image.e01)))
    expected = steps[0]["md5"]
    for step in steps:
        step["mb_per_s"] = round(media_bytes / 1e6 / step["seconds"], 1)
        step["md5_ok"] = step["md5"] == expected
    by = {step["name"]: step for step in steps}
    raw, e01 = by["custos hash_media, raw"], by["custos hash_media, E01"]
    result = {
        "schema": "custos.bench-verify/1",
        "size": size,
        "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "media_bytes": media_bytes,
        "steps": steps,
        "ratios": {
            "raw_vs_bare": round(steps[0]["seconds"] / raw["seconds"], 2),
            "e01_vs_ewfverify": round(by["peer: ewfverify -d sha1, E01"]["seconds"] / e01["seconds"], 2),
            "e01_vs_raw": round(raw["seconds"] / e01["seconds"], 2),
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_verify.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def markdown(result: dict) -> str:
    lines = ["| step | wall s | CPU s | MB/s | MD5 as hashlib's |", "|---|---|---|---|---|"]
    for step in result["steps"]:
        ok = "yes" if step["md5_ok"] else "**no**"
        timing = f"{step['seconds']:.2f} | {step['cpu_s']:.2f} | {step['mb_per_s']}"
        lines.append(f"| {step['name']} | {timing} | {ok} |")
    ratios = result["ratios"]
    lines.append("")
    lines.append(
        f"Speed-ups (wall): raw vs the one-stream bare limit {ratios['raw_vs_bare']}x; E01 vs ewfverify "
        f"{ratios['e01_vs_ewfverify']}x; E01 at {ratios['e01_vs_raw']:.0%} of raw."
    )
    return "\n".join(lines)


def page_result(bench_run: results.Run, result: dict) -> dict:
    """The steps in the page's shape, each timed against the bare limit."""
    bare_s = result["steps"][0]["seconds"]
    rows = []
    for step in result["steps"]:
        speed = results.ratio(bare_s, step["seconds"])
        ok = "yes" if step["md5_ok"] else "NO"
        rows.append([step["name"], step["seconds"], step["cpu_s"], step["mb_per_s"], speed, ok])
    ratios = result["ratios"]
    return bench_run.result(
        parameters={
            "media_mb": round(result["media_bytes"] / 1e6, 1),
            "image": "bench/build_bench_image.py",
            "page_cache": "warm (read once before timing)",
        },  # fmt: skip
        baseline="bare limit: one hashlib MD5+SHA-1+SHA-256 pass over the raw file, one stream",
        columns=["step", "wall s", "CPU s", "MB/s", "x bare speed", "MD5 as hashlib's"],
        rows=rows,
        notes=[
            f"ewfverify's wall time over Custos's on the E01: {ratios['e01_vs_ewfverify']}x; Custos on the "
            f"E01 at {ratios['e01_vs_raw']:.0%} of its speed on the raw file."
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_arguments(parser, default_size="smoke")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    args = parser.parse_args(argv)
    bench_run = results.Run("verify", "Verification: whole-media hashing", args.size)
    result = run(args.size, args.cache, args.out)
    print(markdown(result))
    if args.json:
        results.write(args.json, page_result(bench_run, result))
    return 0 if all(step["md5_ok"] for step in result["steps"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
