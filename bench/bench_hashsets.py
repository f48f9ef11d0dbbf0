"""Hash-set benchmarks: import rate and memory, exact lookups, perceptual (PDQ) queries vs a numpy baseline.

    .venv/bin/python bench/bench_hashsets.py --smoke        # seconds, for CI (no timing asserts)
    .venv/bin/python bench/bench_hashsets.py                # full: 10M-entry VICS and RDS v3, 1e6/1e7 PDQ

Everything is generated in a temporary folder (or --workdir) and measured in the same run, so the ratios
(faiss vs numpy brute force) compare like with like on this machine. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forensics.hashsets.hamming import FaissHammingIndex, FaissMultiHashIndex, NumpyHammingIndex  # noqa: E402
from forensics.hashsets.importer import ImportOptions, import_hash_set  # noqa: E402
from forensics.hashsets.library import HashSetLibrary  # noqa: E402
from forensics.hashsets.matching import lookup_exact  # noqa: E402

Row = tuple[str, str, str]


class RssSampler:
    """Peak resident memory seen at the sampling points (import progress callbacks)."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.process.memory_info().rss
        self.peak = self.start

    def sample(self, *_: object) -> None:
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.start) / 2**20


def write_vics(path: Path, count: int, seed: int = 1) -> None:
    """A VICS 2.0 #Media file of ``count`` records, streamed to disk."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/'
            '$metadata#Media","value":[\n'
        )
        for i in range(count):
            md5, sha1 = rng.getrandbits(128), rng.getrandbits(160)
            sep = "," if i else ""
            out.write(
                f'{sep}{{"MediaID":{i + 1},"Category":{1 + i % 3},"MD5":"{md5:032X}","SHA1":"{sha1:040X}",'
                f'"MediaSize":{1000 + i % 5000},"VictimIdentified":"false","Series":"S{i % 97}"}}\n'
            )
        out.write("]}\n")


def write_rds3_minimal(path: Path, count: int, seed: int = 2) -> None:
    """An RDS v3 minimal database (FILE table, DISTINCT_HASH view) with ``count`` rows."""
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, "
        "crc32 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL, "
        "package_id INTEGER NOT NULL, "
        "PRIMARY KEY (sha256, sha1, md5, crc32, file_name, file_size, package_id));"
        "CREATE TABLE VERSION (version VARCHAR UNIQUE NOT NULL, build_set VARCHAR NOT NULL, "
        "build_date TIMESTAMP, release_date TIMESTAMP NOT NULL, description VARCHAR NOT NULL, "
        "PRIMARY KEY (version));"
        "CREATE VIEW DISTINCT_HASH AS SELECT DISTINCT sha256, sha1, md5, crc32 FROM FILE;"
        "INSERT INTO VERSION VALUES ('2026.03.1', 'modern', NULL, '2026-03-06', 'bench');"
    )
    batch = []
    for i in range(count):
        batch.append(
            (
                f"{rng.getrandbits(256):064X}",
                f"{rng.getrandbits(160):040X}",
                f"{rng.getrandbits(128):032X}",
                "00000000",
                f"file{i}.dll",
                i % 100000,
                i % 5000,
            )
        )
        if len(batch) == 100_000:
            connection.executemany("INSERT INTO FILE VALUES (?,?,?,?,?,?,?)", batch)
            batch = []
    connection.executemany("INSERT INTO FILE VALUES (?,?,?,?,?,?,?)", batch)
    connection.commit()
    connection.close()


def bench_import(library: HashSetLibrary, path: Path, name: str) -> dict[str, float]:
    sampler = RssSampler()
    started = time.perf_counter()
    report = import_hash_set(library, path, ImportOptions(name=name, progress=sampler.sample))
    seconds = time.perf_counter() - started
    sampler.sample()
    return {
        "entries": report.set.entry_count,
        "seconds": seconds,
        "rate": report.set.entry_count / seconds,
        "rss_growth_mib": sampler.growth_mib,
        "source_mib": path.stat().st_size / 2**20,
    }


def bench_exact(library: HashSetLibrary, set_id: int, count: int, seed: int = 1) -> dict[str, float]:
    """Batched lookups (900 per query, as matching does), half of them present in the set."""
    rng = random.Random(seed)
    present = [bytes.fromhex(f"{rng.getrandbits(128):032x}") for _ in range(min(count, 90_000))]
    # Regenerate the first digests of write_vics with the same seed: every other one is a hit.
    hits_rng = random.Random(seed)
    listed = []
    for _ in range(len(present) // 2):
        listed.append(hits_rng.getrandbits(128).to_bytes(16, "big"))
        hits_rng.getrandbits(160)
    digests = listed + [os.urandom(16) for _ in range(len(present) - len(listed))]
    started = time.perf_counter()
    found = 0
    for i in range(0, len(digests), 900):
        found += len(lookup_exact(library, "md5", digests[i : i + 900], [set_id]))
    seconds = time.perf_counter() - started
    return {"lookups": len(digests), "found": found, "rate": len(digests) / seconds}


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _bench_multi_hash(codes: np.ndarray, batch: np.ndarray) -> tuple[float, float, int]:
    """Build seconds, queries/s and hits of exact multi-index hashing (16 x 16-bit parts, 1 flip)."""
    multi = FaissMultiHashIndex(256)
    build = _timed(lambda: multi.add(codes))
    hits: list[int] = []
    seconds = _timed(lambda: hits.append(int(multi.search_within(batch, 31)[0][-1])))
    return build, len(batch) / seconds, hits[0]


def bench_pdq(size: int, queries: int, baseline_queries: int, seed: int = 3) -> dict[str, float]:
    """Radius-31 queries against ``size`` random PDQ codes: faiss flat, faiss multi-index hashing, numpy."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    near = codes[rng.integers(0, size, queries // 2)].copy()
    bits = np.unpackbits(near, axis=1)
    for row in bits:
        row[rng.choice(256, 20, replace=False)] ^= 1
    near = np.packbits(bits, axis=1)
    batch = np.concatenate([near, rng.integers(0, 256, (queries - len(near), 32), dtype=np.uint8)])
    result: dict[str, float] = {"size": size, "index_mib": codes.nbytes / 2**20}

    flat = FaissHammingIndex(256)
    result["flat_build_s"] = _timed(lambda: flat.add(codes))
    lims = None

    def run_flat() -> None:
        nonlocal lims
        lims = flat.search_within(batch, 31)[0]

    result["flat_qps"] = queries / _timed(run_flat)
    result["flat_hits"] = float(lims[-1])

    result["mih_build_s"], result["mih_qps"], multi_hits = _bench_multi_hash(codes, batch)
    result["mih_recall"] = multi_hits / max(1.0, result["flat_hits"])

    baseline = NumpyHammingIndex(256)
    baseline.add(codes)
    sample = batch[:baseline_queries]
    result["numpy_qps"] = len(sample) / _timed(lambda: baseline.search_within(sample, 31))
    result["flat_vs_numpy"] = result["flat_qps"] / result["numpy_qps"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (seconds), for CI")
    parser.add_argument(
        "--entries", type=int, default=10_000_000, help="entries of the generated import files"
    )
    parser.add_argument("--pdq-sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=2000, help="PDQ queries for faiss")
    parser.add_argument("--baseline-queries", type=int, default=50, help="PDQ queries for numpy")
    parser.add_argument("--workdir", type=Path, help="where to generate files (default: a temporary folder)")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.entries, args.pdq_sizes, args.queries, args.baseline_queries = 20_000, [50_000], 200, 20

    print(
        f"# Hash-set benchmark ({platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()})\n"
    )
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        if not args.skip_import:
            library = HashSetLibrary(work / "library.db")
            vics_path, rds_path = work / "bench_vics.json", work / "bench_rds.db"
            write_vics(vics_path, args.entries)
            write_rds3_minimal(rds_path, args.entries)
            print("| import | entries | source MiB | seconds | entries/s | RSS growth MiB |")
            print("|---|---:|---:|---:|---:|---:|")
            for label, path in (("VICS 2.0 JSON", vics_path), ("RDS v3 minimal", rds_path)):
                r = bench_import(library, path, label)
                print(
                    f"| {label} | {r['entries']:,.0f} | {r['source_mib']:.0f} | {r['seconds']:.1f} | "
                    f"{r['rate']:,.0f} | {r['rss_growth_mib']:.0f} |"
                )
                path.unlink()
            exact = bench_exact(library, library.get("VICS 2.0 JSON").id, args.entries)
            print(
                f"\nExact MD5 lookups (batches of 900, library of {2 * args.entries:,} entries): "
                f"{exact['rate']:,.0f} lookups/s ({exact['found']:,.0f} of {exact['lookups']:,.0f} found)\n"
            )
            library.close()
        print(
            "| PDQ entries | index MiB | faiss flat q/s | numpy brute q/s | flat/numpy | "
            "faiss MIH q/s | MIH recall | flat build s | MIH build s |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size in args.pdq_sizes:
            r = bench_pdq(size, args.queries, args.baseline_queries)
            print(
                f"| {size:,} | {r['index_mib']:.0f} | {r['flat_qps']:,.0f} | {r['numpy_qps']:,.1f} | "
                f"{r['flat_vs_numpy']:.0f}x | {r['mih_qps']:,.0f} | {r['mih_recall']:.2f} | "
                f"{r['flat_build_s']:.1f} | {r['mih_build_s']:.1f} |"
            )
    print(f"\nPeak RSS of the whole run: {psutil.Process().memory_info().rss / 2**20:,.0f} MiB (current)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
