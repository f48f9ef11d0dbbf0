"""Ingest benchmark: Custos against the bare hashing limit and The Sleuth Kit's own tools, in one run.

    .venv/bin/python bench/bench_ingest.py --size smoke      # CI smoke run (seconds, no timing targets)
    .venv/bin/python bench/bench_ingest.py --size standard   # the page (bench/run_all.py), a few minutes
    .venv/bin/python bench/bench_ingest.py --size full       # the numbers of BENCHMARKS.md (minutes)

On the image of ``bench/build_bench_image.py`` (raw and E01), all measured on this machine in this run,
with the evidence files in the page cache (read once before any timing):

* bare limit: every file's bytes (as ``tsk_recover`` wrote them) read and MD5+SHA-1+SHA-256 hashed with
  hashlib on all cores;
* peer pipeline: ``mmls``, ``tsk_recover -e -o OFFSET`` per partition, ``hashdeep -c md5,sha1,sha256 -r``;
* ``custos ingest`` (its own process, end to end) with the ``hashes``, ``triage`` and ``full`` profiles;
* bare reduced decode: every recovered JPEG opened with Pillow in draft mode at the scale the triage
  profile decodes at, on all cores;
* peak RSS of the whole ingest process tree (psutil, sampled every 50 ms, the list of descendants renewed
  every 0.5 s; shared pages count per process).

Prints a Markdown table and writes ``bench_ingest.json`` (and ``.md``) to ``--out``; ``--json PATH`` writes
the page's result (``bench/results.py``). Also checks that the Custos listing holds every file the builder
put in, with the builder's MD5.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import itertools
import json
import multiprocessing as mp
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench import results  # noqa: E402
from bench.build_bench_image import DEFAULT_CACHE, BenchImage, build  # noqa: E402
from forensics.core.hashing import HASH_SLICE  # noqa: E402
from scripts.fixtures.fat import deleted_fat_name  # noqa: E402

PASSPHRASE = "benchmark passphrase"
EXAMINER = "Bench Examiner"
READ_SIZE = 4 << 20
MEMORY_RUN = "#memory"  # suffix of the key of an ingest run made only to sample its memory
MB = 1e6
TARGETS = {
    "hashes_raw_vs_bare": (">=", 0.85),
    "hashes_raw_vs_peer": (">=", 3.0),
    "hashes_e01_vs_raw": (">=", 0.70),
    "triage_added_vs_bare_decode": ("<=", 2.0),
    "peak_rss_gib": ("<", 1.0),
}
DEFAULT_RUNS = ("raw:hashes", "e01:hashes", "raw:triage", "e01:triage", "raw:full")


@dataclass
class Timed:
    """One measured step: wall seconds, bytes and items it covered."""

    name: str
    seconds: float
    bytes: int
    items: int
    detail: dict = field(default_factory=dict)

    @property
    def mb_per_s(self) -> float:
        return self.bytes / MB / self.seconds if self.seconds > 0 else 0.0


# ---- bare limits ------------------------------------------------------------------------------------


def _hash_file(path: str) -> int:
    """MD5, SHA-1 and SHA-256 of one file in one pass; returns its size."""
    hashers = (hashlib.md5(), hashlib.sha1(), hashlib.sha256())
    size = 0
    with open(path, "rb", buffering=0) as stream:
        while chunk := stream.read(READ_SIZE):
            view = memoryview(chunk)
            for start in range(0, len(chunk), HASH_SLICE):  # cache-sized pieces, as the engine feeds them
                piece = view[start : start + HASH_SLICE]
                for hasher in hashers:
                    hasher.update(piece)
            size += len(chunk)
    for hasher in hashers:
        hasher.digest()
    return size


def bare_hash(files: list[Path], processes: int) -> Timed:
    """MD5+SHA-1+SHA-256 of every file with hashlib on ``processes`` cores (largest files first)."""
    ordered = sorted((str(path) for path in files), key=lambda p: -os.path.getsize(p))
    warm([Path(path) for path in ordered])  # from the page cache, like the ingest runs
    started = time.perf_counter()
    with mp.get_context("fork").Pool(processes) as pool:
        total = sum(pool.imap_unordered(_hash_file, ordered, chunksize=16))
    return Timed("bare hash limit (hashlib, all cores)", time.perf_counter() - started, total, len(files))


def _draft_decode(path: str) -> int:
    from PIL import Image

    from forensics.analysis.decode import choose_draft_scale
    from forensics.analysis.options import AnalysisOptions

    data = Path(path).read_bytes()
    try:
        with Image.open(io.BytesIO(data)) as image:
            scale = (
                choose_draft_scale(image.size[0], image.size[1], AnalysisOptions(reduced_decode=True)) or 8
            )
            if scale > 1:
                image.draft(image.mode, (image.size[0] // scale, image.size[1] // scale))
            image.load()
    except (OSError, ValueError, SyntaxError):  # a deleted file whose blocks were reused: not a photo
        return 0
    return 1


def bare_decode(photos: list[Path], processes: int) -> Timed:
    """Reduced-size (draft) JPEG decode of every photo with Pillow on ``processes`` cores."""
    started = time.perf_counter()
    with mp.get_context("fork").Pool(processes) as pool:
        decoded = sum(pool.imap_unordered(_draft_decode, [str(p) for p in photos], chunksize=4))
    size = sum(path.stat().st_size for path in photos)
    return Timed(
        "bare reduced JPEG decode (Pillow draft, all cores)", time.perf_counter() - started, size, decoded
    )


# ---- the peer pipeline ------------------------------------------------------------------------------


def partition_offsets(image: Path) -> list[int]:
    """Sector offsets of the allocated partitions, from ``mmls`` (as an examiner's script would)."""
    out = subprocess.run(["mmls", image], capture_output=True, text=True, check=True).stdout
    offsets = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0].endswith(":") and fields[1][:1].isdigit() and ":" in fields[1]:
            offsets.append(int(fields[2]))
    return offsets


def peer_pipeline(
    image: Path, out: Path, remove_peer_raw: Path | None = None, keep_output: bool = True
) -> Timed:
    """``tsk_recover -e`` of every partition, then ``hashdeep -c md5,sha1,sha256 -r`` of what it wrote.

    ``remove_peer_raw``: an earlier output folder to delete first; ``keep_output=False`` deletes this one
    after counting (both free the page cache they hold). The hashdeep listing is kept beside ``out``.
    """
    if remove_peer_raw is not None:
        shutil.rmtree(remove_peer_raw, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    for offset in partition_offsets(image):
        subprocess.run(
            ["tsk_recover", "-e", "-o", str(offset), image, out / f"p{offset}"],
            capture_output=True,
            check=True,
        )
    recovered = time.perf_counter()
    with (out.parent / f"{out.name}.hashdeep.txt").open("wb") as listing:
        subprocess.run(["hashdeep", "-c", "md5,sha1,sha256", "-r", out], stdout=listing, check=True)
    finished = time.perf_counter()
    files = [path for path in out.rglob("*") if path.is_file()]
    size = sum(path.stat().st_size for path in files)
    if not keep_output:
        shutil.rmtree(out, ignore_errors=True)
    return Timed(
        f"peer: tsk_recover -e + hashdeep ({image.suffix.lstrip('.')})",
        finished - started,
        size,
        len(files),
        {"tsk_recover_s": round(recovered - started, 2), "hashdeep_s": round(finished - recovered, 2)},
    )


# ---- custos -----------------------------------------------------------------------------------------


def custos_inprocess(*args: str | Path) -> str:
    """Run ``custos ARGS`` in this process (setup steps, listing); returns stdout, raises on failure."""
    from app.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    if code != 0:
        raise RuntimeError(f"custos {' '.join(map(str, args))} exited {code}: {err.getvalue().strip()}")
    return out.getvalue()


def custos_command() -> list[str]:
    script = Path(sys.executable).parent / "custos"
    return [str(script)] if script.exists() else [sys.executable, "-m", "app"]


class TreeRssSampler(threading.Thread):
    """Peak summed RSS of a process and all its descendants, sampled until the process ends.

    The sampler shares the cores with what it measures, so it stays light: the RSS of the processes it
    knows is read every ``interval`` seconds, the list of descendants (a scan of every process of the
    machine) is renewed only every ``rescan`` samples.
    """

    def __init__(self, pid: int, interval: float = 0.05, rescan: int = 10) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.rescan = rescan
        self.peak_total = 0
        self.peak_single = 0
        self.max_processes = 0

    def run(self) -> None:
        processes: list[psutil.Process] = []
        for count in itertools.count():
            if count % self.rescan == 0:
                try:
                    processes = [self.root, *self.root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    return
            sizes = []
            for process in processes:
                with contextlib.suppress(psutil.Error):
                    sizes.append(process.memory_info().rss)
            if not self.root.is_running() or not sizes:
                return
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes))
            self.max_processes = max(self.max_processes, len(sizes))
            time.sleep(self.interval)


def _read_progress(stream, started: float, phases: dict, tail: list[str]) -> None:
    """Note when each progress phase was first and last seen (seconds since start); keep other lines."""
    for raw in stream:
        line = raw.decode("utf-8", "replace").strip()
        now = round(time.perf_counter() - started, 3)
        try:
            record = json.loads(line)
        except ValueError:
            tail.append(line)
            del tail[:-20]
            continue
        if isinstance(record, dict) and record.get("progress"):
            seen = phases.setdefault(record["phase"], {"first_s": now})
            seen["last_s"] = now
            seen["items_done"], seen["items_total"] = record["items_done"], record["items_total"]


def ingest_run(
    container: str, profile: str, evidence: Path, workdir: Path, workers: int, sample_rss: bool = True
) -> Timed:
    """A new case with ``evidence``, then ``custos ingest`` as its own process, timed end to end.

    ``sample_rss=False``: no memory sampler beside the run (it costs the run about 1 % of its time).
    """
    case_dir = workdir / f"case-{container}-{profile}"
    shutil.rmtree(case_dir, ignore_errors=True)
    custos_inprocess(
        "case", "create", case_dir, "--number", f"BENCH/{container}/{profile}", "--title", "bench"
    )
    custos_inprocess("evidence", "add", case_dir, evidence, "--item", container, "-q")
    command = [
        *custos_command(),
        "ingest",
        case_dir,
        "--workers",
        str(workers),
        "--profile",
        profile,
        "--progress-jsonl",
        "-q",
    ]
    phases: dict = {}
    tail: list[str] = []
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO_ROOT)
    sampler = TreeRssSampler(process.pid)
    if sample_rss:
        sampler.start()
    reader = threading.Thread(
        target=_read_progress, args=(process.stderr, started, phases, tail), daemon=True
    )
    reader.start()
    code = process.wait()
    seconds = time.perf_counter() - started
    reader.join(5)
    if sample_rss:
        sampler.join(5)
    records = [json.loads(line) for line in custos_inprocess("files", case_dir, "--jsonl").splitlines()]
    done = [r for r in records if r["status"] == "done"]
    detail = {
        "container": container,
        "profile": profile,
        "exit_code": code,
        "stderr_tail": tail[-5:] if code else [],
        "phases": phases,
        "peak_rss_tree_bytes": sampler.peak_total if sample_rss else None,
        "peak_rss_process_bytes": sampler.peak_single if sample_rss else None,
        "processes": sampler.max_processes if sample_rss else None,
        "listed": len(records),
        "errors": sum(1 for r in records if r["status"] == "error"),
        "images_hashed": sum(1 for r in records if r.get("phash")),
        "records": records,
    }
    return Timed(
        f"custos ingest --profile {profile} ({container})",
        seconds,
        sum(r["size"] or 0 for r in done),
        len(done),
        detail,
    )


def check_listing(image: BenchImage, records: list[dict]) -> dict:
    """Compare the listing with the builder's ground truth: every allocated file with its MD5, every
    deleted file's name (FAT shows an 8.3-only deleted name with ``_`` for its first character)."""
    listed: dict[tuple[int, str], list[dict]] = {}
    for record in records:
        listed.setdefault((record["partition_offset"], record["path"]), []).append(record)
    missing, wrong_md5, deleted_missing = [], [], []
    deleted_paths = {f["path"] for f in image.files if f["deleted"]}
    for entry in image.files:
        if entry["deleted"]:
            shown = (
                deleted_fat_name(entry["path"], deleted_paths) if entry["fs"] == "fat32" else entry["path"]
            )
            if not any(r["deleted"] for r in listed.get((entry["offset"], shown), [])):
                deleted_missing.append(f"{entry['fs']}:{shown}")
            continue
        found = [r for r in listed.get((entry["offset"], entry["path"]), []) if not r["deleted"]]
        if not found:
            missing.append(f"{entry['fs']}:{entry['path']}")
        elif found[0]["md5"] != entry["md5"]:
            wrong_md5.append(f"{entry['fs']}:{entry['path']}")
    return {
        "expected_files": sum(1 for f in image.files if not f["deleted"]),
        "expected_deleted": len(deleted_paths),
        "missing": missing[:20],
        "missing_count": len(missing),
        "wrong_md5": wrong_md5[:20],
        "wrong_md5_count": len(wrong_md5),
        "deleted_missing": deleted_missing[:20],
        "deleted_missing_count": len(deleted_missing),
    }


# ---- the run ----------------------------------------------------------------------------------------


def warm(paths: list[Path]) -> None:
    """Read the evidence once so that every measurement starts with it in the page cache."""
    for path in paths:
        with path.open("rb", buffering=0) as stream:
            while stream.read(16 << 20):
                pass


def ratios(steps: dict[str, Timed]) -> dict[str, float | None]:
    """The issue's ratios; None where a step did not run."""

    def rate(key: str) -> float | None:
        return steps[key].mb_per_s if key in steps else None

    def seconds(key: str) -> float | None:
        return steps[key].seconds if key in steps else None

    def divide(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    def added(profile: str) -> float | None:
        """Seconds a profile adds over ``hashes`` on the raw image."""
        if f"raw:{profile}" not in steps or "raw:hashes" not in steps:
            return None
        return steps[f"raw:{profile}"].seconds - steps["raw:hashes"].seconds

    def cpu_per_mb(key: str) -> float | None:
        step = steps.get(key)
        if step is None or "cpu_seconds" not in step.detail or not step.bytes:
            return None
        return step.detail["cpu_seconds"] / (step.bytes / MB)

    def added_cpu(profile: str) -> float | None:
        if f"raw:{profile}" not in steps or "raw:hashes" not in steps:
            return None
        return steps[f"raw:{profile}"].detail.get("cpu_seconds", 0) - steps["raw:hashes"].detail.get(
            "cpu_seconds", 0
        )

    bare_decode_cpu = steps["bare_decode"].detail.get("cpu_seconds") if "bare_decode" in steps else None
    runs = [step for key, step in steps.items() if ":" in key]
    peaks = [step.detail.get("peak_rss_tree_bytes") for step in runs]
    peak = max((value for value in peaks if value is not None), default=None)
    return {
        "hashes_raw_vs_bare": divide(rate("raw:hashes"), rate("bare_hash")),
        "hashes_raw_vs_peer": divide(rate("raw:hashes"), rate("peer_raw")),
        "hashes_raw_vs_peer_wall_time": divide(seconds("peer_raw"), seconds("raw:hashes")),
        "hashes_e01_vs_peer_e01": divide(rate("e01:hashes"), rate("peer_e01")),
        "hashes_e01_vs_raw": divide(rate("e01:hashes"), rate("raw:hashes")),
        "triage_e01_vs_raw": divide(rate("e01:triage"), rate("raw:triage")),
        "triage_added_vs_bare_decode": divide(added("triage"), seconds("bare_decode")),
        "full_added_vs_bare_decode": divide(added("full"), seconds("bare_decode")),
        "peak_rss_gib": None if peak is None else round(peak / 2**30, 3),
        # The same comparisons in CPU seconds (robust when other work shares the machine):
        "cpu_hashes_raw_vs_bare": divide(cpu_per_mb("bare_hash"), cpu_per_mb("raw:hashes")),
        "cpu_hashes_e01_vs_raw": divide(cpu_per_mb("raw:hashes"), cpu_per_mb("e01:hashes")),
        "cpu_triage_added_vs_bare_decode": divide(added_cpu("triage"), bare_decode_cpu),
    }


def verdicts(values: dict[str, float | None]) -> dict[str, bool | None]:
    checks = {">=": float.__ge__, "<=": float.__le__, "<": float.__lt__}
    return {
        key: (None if values.get(key) is None else bool(checks[op](float(values[key]), limit)))
        for key, (op, limit) in TARGETS.items()
    }


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def markdown(result: dict) -> str:
    lines = [
        "| step | seconds | CPU s | MB | items | MB/s | peak RSS (tree) |",
        "|---|---|---|---|---|---|---|",
    ]
    for step in result["steps"].values():
        rss = step["detail"].get("peak_rss_tree_bytes")
        lines.append(
            f"| {step['name']} | {step['seconds']:.1f} | {step['detail'].get('cpu_seconds', '')} | "
            f"{step['bytes'] / MB:.0f} | {step['items']} | "
            f"{step['mb_per_s']:.0f} | {'' if rss is None else f'{rss / 2**20:.0f} MiB'} |"
        )
    repeated = [step for step in result["steps"].values() if "repeats" in step["detail"]]
    if repeated:
        lines.append("")
        lines += [
            f"{step['name']}: median of "
            + ", ".join(f"{r['seconds']:.2f} s ({r['cpu_seconds']} CPU s)" for r in step["detail"]["repeats"])
            for step in repeated
        ]
    lines += ["", "| ratio | measured | target | met |", "|---|---|---|---|"]
    for key, value in result["ratios"].items():
        op, limit = TARGETS.get(key, ("", None))
        met = result["verdicts"].get(key)
        lines.append(
            f"| {key} | {value} | {f'{op} {limit}' if limit is not None else ''} | "
            f"{'' if met is None else ('yes' if met else 'NO')} |"
        )
    return "\n".join(lines) + "\n"


def bench_environment(workdir: Path) -> dict[str, str | None]:
    """Point custos at a home and an examiner of the benchmark's own (created here) and at an empty
    hash-set library of its own (matching runs, but against no sets); returns the variables' old values."""
    values = {
        "CUSTOS_HOME": str(workdir / "home"),
        "CUSTOS_PASSPHRASE": PASSPHRASE,
        "CUSTOS_EXAMINER": EXAMINER,
        "CUSTOS_HASHSET_LIBRARY": str(workdir / "hashsets.db"),
    }
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    custos_inprocess("examiner", "create", EXAMINER, "--agency", "Bench", "--badge", "B-1")
    return previous


def restore_environment(previous: dict[str, str | None]) -> None:
    """Set the variables :func:`bench_environment` changed back to their old values."""
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def run(
    size: str, cache: Path, workdir: Path, out: Path, workers: int, runs: list[str], repeat: int = 1
) -> dict:
    """The whole benchmark; returns the result document (also written to ``out``)."""
    image = build(size, cache)
    bench_environment(workdir)
    evidence = {"raw": image.raw, "e01": image.e01}
    evidence_files = {"raw": [image.raw], "e01": sorted(image.directory.glob("disk.E??"))}
    steps: dict[str, Timed] = {}
    checks: dict[str, dict] = {}
    peer_raw, peer_e01 = workdir / "peer-raw", workdir / "peer-e01"
    # Order matters for the page cache: the bare steps read what tsk_recover wrote, and every peer output
    # is deleted once used, so the evidence stays cached for the ingest runs. The steps of the hashing
    # ratios (bare limit, `hashes` runs) are measured `repeat` times, interleaved, so that a slow spell
    # of a shared machine falls on all of them alike; each keeps its median run. With repeats, the memory
    # of a `hashes` run is sampled in one run of its own, outside the timing (the bare limit has no
    # sampler beside it either).
    hashing = [key for key in runs if key.endswith(":hashes")]
    timed_apart = repeat > 1
    ingest = {
        key: _ingest_step(key, evidence, workdir, workers, sample_rss=not (timed_apart and key in hashing))
        for key in runs
    }
    measurements = [
        ("peer_raw", lambda: peer_pipeline(image.raw, peer_raw)),
        ("bare_decode", lambda: bare_decode(recovered_photos(peer_raw), workers)),
    ]
    if timed_apart:
        measurements += [
            (f"{key}{MEMORY_RUN}", _ingest_step(key, evidence, workdir, workers)) for key in hashing
        ]
    for _ in range(repeat):
        measurements.append(("bare_hash", lambda: bare_hash(recovered_files(peer_raw), workers)))
        measurements += [(key, ingest[key]) for key in hashing]
    measurements.append(
        ("peer_e01", lambda: peer_pipeline(image.e01, peer_e01, remove_peer_raw=peer_raw, keep_output=False))
    )
    measurements += [(key, ingest[key]) for key in runs if key not in hashing]
    repeats: dict[str, list[tuple[Timed, dict | None]]] = {}
    memory: dict[str, Timed] = {}  # the sampled run of a key whose timed runs go without the sampler
    for key, measure in measurements:
        if ":" in key:  # an ingest run: its evidence back in the page cache, outside the timing
            warm(evidence_files[key.split(":")[0]])
        load_before, cpu_before = os.getloadavg()[0], children_cpu_seconds()
        timed = measure()
        timed.detail["cpu_seconds"] = round(children_cpu_seconds() - cpu_before, 2)
        timed.detail["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        check = check_listing(image, timed.detail.pop("records")) if "records" in timed.detail else None
        if key.endswith(MEMORY_RUN):
            memory[key.removesuffix(MEMORY_RUN)] = timed
            continue
        repeats.setdefault(key, []).append((timed, check))
        steps[key], checks_of_step = median_run(repeats[key])
        if key in memory:
            steps[key].detail.update(memory_of(memory[key]))
        if checks_of_step is not None:
            checks[key] = checks_of_step
        print(f"{timed.name}: {timed.seconds:.1f} s", file=sys.stderr)
        result = document(size, image, workers, steps, checks)
        write_result(out, result)  # after every step: a long run that is stopped keeps what it measured
    return result


def median_run(measured: list[tuple[Timed, dict | None]]) -> tuple[Timed, dict | None]:
    """The median run by wall time (the slower middle one of an even count), with every run's numbers."""
    ordered = sorted(measured, key=lambda pair: pair[0].seconds)
    timed, check = ordered[len(ordered) // 2]
    if len(measured) > 1:
        timed.detail["repeats"] = [
            {"seconds": round(t.seconds, 3), "cpu_seconds": t.detail.get("cpu_seconds")} for t, _ in measured
        ]
        failed = [
            c
            for _, c in measured
            if c is not None and (c["missing_count"] or c["wrong_md5_count"] or c["deleted_missing_count"])
        ]
        if failed:
            check = failed[0]  # a wrong listing in any repeat is shown, whichever run is the median
    return timed, check


def children_cpu_seconds() -> float:
    """User + system CPU of every finished child process (and the children they waited for).

    On a shared machine wall time depends on what else runs; CPU seconds measure the work itself.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ingest_step(key: str, evidence: dict[str, Path], workdir: Path, workers: int, sample_rss: bool = True):
    container, profile = key.split(":")
    return lambda: ingest_run(container, profile, evidence[container], workdir, workers, sample_rss)


def memory_of(run: Timed) -> dict:
    """The memory figures of a run made to sample them, for the step whose timed runs had no sampler."""
    keys = ("peak_rss_tree_bytes", "peak_rss_process_bytes", "processes")
    return {**{k: run.detail[k] for k in keys}, "memory_run_seconds": round(run.seconds, 3)}


def recovered_files(folder: Path) -> list[Path]:
    """Every file the peer pipeline wrote (the bytes the bare steps work on)."""
    return [path for path in folder.rglob("*") if path.is_file()]


def recovered_photos(folder: Path) -> list[Path]:
    return [path for path in recovered_files(folder) if path.suffix.lower() == ".jpg"]


def document(size: str, image: BenchImage, workers: int, steps: dict[str, Timed], checks: dict) -> dict:
    """The result document: machine, image, every step, the ratios and whether each target is met."""
    values = ratios(steps)
    return {
        "schema": "custos.bench-ingest/1",
        "size": size,
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": machine(),
        "workers": workers,
        "image": {
            "directory": str(image.directory),
            "media_bytes": image.manifest["media_size"],
            "files": len(image.files),
            "deleted": sum(f["deleted"] for f in image.files),
            "content_bytes": sum(f["size"] for f in image.files),
            "photos": sum(f["kind"] == "photo" for f in image.files),
        },
        "steps": {key: {**asdict(step), "mb_per_s": round(step.mb_per_s, 1)} for key, step in steps.items()},
        "ratios": values,
        "targets": {key: f"{op} {limit}" for key, (op, limit) in TARGETS.items()},
        "verdicts": verdicts(values),
        "listing": checks,
    }


def write_result(out: Path, result: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_ingest.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (out / "bench_ingest.md").write_text(markdown(result), encoding="utf-8")


def page_result(bench_run: results.Run, result: dict) -> dict:
    """Every step in the page's shape, its speed against the bare hash limit; the ratios as notes."""
    steps = result["steps"]
    bare = steps.get("bare_hash", {}).get("mb_per_s")
    rows = []
    for key, step in steps.items():
        rss = step["detail"].get("peak_rss_tree_bytes")
        hashing = key == "bare_hash" or key.startswith("peer_") or key.endswith(":hashes")
        rows.append(
            [
                step["name"],
                round(step["seconds"], 2),
                step["detail"].get("cpu_seconds"),
                round(step["bytes"] / MB),
                step["items"],
                step["mb_per_s"],
                None if rss is None else round(rss / 2**20),
                results.ratio(step["mb_per_s"], bare) if hashing else None,
            ]
        )
    notes = []
    for key, value in result["ratios"].items():
        op, limit = TARGETS.get(key, ("", None))
        met = result["verdicts"].get(key)
        target = "" if limit is None else f" (target {op} {limit}: {'met' if met else 'NOT met'})"
        notes.append(f"{key}: {value}{target}")
    listing = result["listing"]
    wrong = [key for key, check in listing.items() if check["missing_count"] or check["wrong_md5_count"]]
    notes.append(
        "Listing against the image builder's ground truth: "
        + (f"files missing or with a wrong MD5 in {', '.join(wrong)}" if wrong else "every file, every MD5")
        + "."
    )
    image = result["image"]
    return bench_run.result(
        parameters={
            "media_mb": round(image["media_bytes"] / MB),
            "files": image["files"],
            "deleted": image["deleted"],
            "photos": image["photos"],
            "content_mb": round(image["content_bytes"] / MB),
            "workers": result["workers"],
            "runs": [key for key in steps if ":" in key],
        },
        baseline="bare hash limit: hashlib MD5+SHA-1+SHA-256 of the same files on all cores; also The Sleuth "
        "Kit (tsk_recover + hashdeep) and a bare reduced JPEG decode (notes)",
        columns=["step", "wall s", "CPU s", "MB", "items", "MB/s", "peak RSS MiB", "x bare hash speed"],
        rows=rows,
        notes=[
            "x bare hash speed: for the steps that only hash (the profiles that decode pictures are set "
            "against the bare reduced decode in the ratios below).",
            *notes,
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_arguments(parser, default_size="smoke")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="image cache folder")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one, removed)")
    parser.add_argument("--out", type=Path, default=Path.cwd(), help="where the JSON and Markdown go")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", default=",".join(DEFAULT_RUNS), help="container:profile pairs")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure the bare limit and the `hashes` runs this many times, interleaved; report medians",
    )
    args = parser.parse_args(argv)
    runs = [item.strip() for item in args.runs.split(",") if item.strip()]
    bench_run = results.Run("ingest", "Ingest against the bare hash limit and The Sleuth Kit", args.size)
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="custos-bench-"))
        )
        result = run(args.size, args.cache, workdir, args.out, args.workers, runs, max(1, args.repeat))
    print(markdown(result))
    if args.json:
        results.write(args.json, page_result(bench_run, result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
