"""Hash-set benchmarks: import rate and memory, exact lookups, perceptual (PDQ) queries vs a numpy baseline.

    .venv/bin/python bench/bench_hashsets.py --smoke        # seconds, for CI (no timing asserts)
    .venv/bin/python bench/bench_hashsets.py --size standard --json PATH   # the page: 100k entries, 5e5 PDQ
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
from math import comb
from pathlib import Path
from typing import TypeVar

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import results  # noqa: E402
from bench.baseline_indexes import FaissMultiHashIndex, NumpyHammingIndex  # noqa: E402
from forensics.hashsets.exact import lookup_exact  # noqa: E402
from forensics.hashsets.hamming import FaissHammingIndex, choose_index  # noqa: E402
from forensics.hashsets.hits import MatchSettings  # noqa: E402
from forensics.hashsets.importer import ImportOptions, import_hash_set  # noqa: E402
from forensics.hashsets.index_cache import default_cache_root  # noqa: E402
from forensics.hashsets.library import HashSetLibrary  # noqa: E402
from forensics.hashsets.mih import MihLayout, MultiIndexHashIndex, code_words, substring_keys  # noqa: E402
from forensics.hashsets.models import HashSet  # noqa: E402
from forensics.hashsets.perceptual import load_codes, perceptual_index  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
T = TypeVar("T")

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


def _measured(fn: Callable[[], T]) -> tuple[float, float, T]:
    """CPU seconds (all threads of this process), wall seconds and the result of ``fn()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def _rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def _pairs(lims: np.ndarray, labels: np.ndarray, queries: int) -> set[tuple[int, int]]:
    return {(q, int(label)) for q in range(queries) for label in labels[lims[q] : lims[q + 1]]}


def pdq_workload(size: int, queries: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``size`` random PDQ codes; queries: half are 20-bit variants of listed codes, half random."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    near = codes[rng.integers(0, size, queries // 2)].copy()
    bits = np.unpackbits(near, axis=1)
    for row in bits:
        row[rng.choice(256, 20, replace=False)] ^= 1
    near = np.packbits(bits, axis=1)
    return codes, np.concatenate([near, rng.integers(0, 256, (queries - len(near), 32), dtype=np.uint8)])


def bench_pdq(
    size: int, queries: int, faiss_queries: int, baseline_queries: int, faiss_mih: bool = True
) -> dict[str, float]:
    """Radius-31 queries against ``size`` random PDQ codes: own MIH, faiss flat, faiss MIH, numpy.

    Every index answers the same query batch (the slow ones its first ``faiss_queries`` /
    ``baseline_queries``); own MIH's hits are compared pair by pair with faiss flat's.
    """
    codes, batch = pdq_workload(size, queries)
    result: dict[str, float] = {"size": size, "codes_mib": codes.nbytes / 2**20}

    rss = _rss_mib()
    own = choose_index(256, size, 31)
    assert isinstance(own, MultiIndexHashIndex)
    result["own_parts"] = own.layout.substrings
    result["own_build_cpu"], result["own_build_wall"], _ = _measured(lambda: own.add(codes))
    result["own_mib"], result["own_rss_mib"] = own.nbytes / 2**20, _rss_mib() - rss
    cpu, wall, (own_lims, _, own_labels) = _measured(lambda: own.search_within(batch, 31))
    result["own_qps_cpu"], result["own_qps_wall"] = queries / cpu, queries / wall
    result["own_hits"] = float(own_lims[-1])

    sample = batch[:faiss_queries]
    flat = FaissHammingIndex(256)
    flat.add(codes)
    cpu, wall, (flat_lims, _, flat_labels) = _measured(lambda: flat.search_within(sample, 31))
    result["flat_qps_cpu"], result["flat_qps_wall"] = len(sample) / cpu, len(sample) / wall
    flat_pairs = _pairs(flat_lims, flat_labels, len(sample))
    own_pairs = _pairs(own_lims, own_labels, len(sample))
    result["own_recall"] = len(own_pairs & flat_pairs) / max(1, len(flat_pairs))
    result["own_extra"] = float(len(own_pairs - flat_pairs))

    if faiss_mih:
        multi = FaissMultiHashIndex(256)
        result["faiss_mih_build_cpu"], result["faiss_mih_build_wall"], _ = _measured(lambda: multi.add(codes))
        cpu, wall, (m_lims, _, m_labels) = _measured(lambda: multi.search_within(sample, 31))
        result["faiss_mih_qps_cpu"], result["faiss_mih_qps_wall"] = len(sample) / cpu, len(sample) / wall
        result["faiss_mih_recall"] = len(_pairs(m_lims, m_labels, len(sample)) & flat_pairs) / max(
            1, len(flat_pairs)
        )

    baseline = NumpyHammingIndex(256)
    baseline.add(codes)
    few = batch[:baseline_queries]
    cpu, _, _ = _measured(lambda: baseline.search_within(few, 31))
    result["numpy_qps_cpu"] = len(few) / cpu
    result["rss_mib"] = _rss_mib()
    return result


def _fill_pdq_library(path: Path, size: int, seed: int = 5) -> HashSetLibrary:
    """A library with one complete PDQ set of ``size`` random codes, written straight into its tables."""
    library = HashSetLibrary(path)
    with library.session() as session:
        row = HashSet(
            uid=os.urandom(16).hex(), name="bench PDQ", kind="alert", format="pdq", source_name="bench",
            source_sha256="0" * 64, source_size=0, region="US", entry_count=size, pdq_count=size,
            imported_at="2026-11-22T00:00:00Z", complete=True,
        )  # fmt: skip
        session.add(row)
        session.flush()
        set_id = row.id
    rng = np.random.default_rng(seed)
    connection = sqlite3.connect(path)
    for begin in range(0, size, 500_000):
        count = min(500_000, size - begin)
        codes, qualities = rng.integers(0, 256, (count, 32), dtype=np.uint8), rng.integers(50, 101, count)
        connection.executemany(
            "INSERT INTO hash_entries (set_id, record_no, pdq, pdq_quality) VALUES (?, ?, ?, ?)",
            ((set_id, begin + i + 1, codes[i].tobytes(), int(qualities[i])) for i in range(count)),
        )
        connection.commit()
    connection.close()
    return library


def bench_index_preparation(work: Path, size: int) -> dict[str, float]:
    """What ``custos match`` spends on the PDQ index: first run (read, build, store), then from the cache."""
    library = _fill_pdq_library(work / f"prep-{size}.db", size)
    set_ids = [info.id for info in library.sets()]
    settings = MatchSettings()
    result: dict[str, float] = {"size": size}
    result["load_cpu"], result["load_wall"], _ = _measured(lambda: load_codes(library, set_ids, "pdq", 50))
    result["first_cpu"], result["first_wall"], _ = _measured(
        lambda: perceptual_index(library, set_ids, "pdq", settings)
    )
    result["cached_cpu"], result["cached_wall"], cached = _measured(
        lambda: perceptual_index(library, set_ids, "pdq", settings)
    )
    assert cached is not None
    folder = default_cache_root(library.location)
    result["cache_mib"] = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20
    library.close()
    return result


def real_pdq_codes() -> tuple[np.ndarray, np.ndarray]:
    """PDQ codes (8 dihedral variants of 5 edits each) of the test photos, and the photo of each code."""
    import pdqhash
    from PIL import Image, ImageEnhance

    images = sorted((DATA / "pdqhash-python" / "images").glob("*.jpg")) + sorted(
        (DATA / "ThreatExchange").glob("*.*g")
    )
    edits: list[Callable[[Image.Image], Image.Image]] = [
        lambda im: im,
        lambda im: im.resize((max(8, im.width // 3), max(8, im.height // 3))),
        lambda im: im.crop((im.width // 12, im.height // 12, im.width - im.width // 12, im.height)),
        lambda im: ImageEnhance.Brightness(im).enhance(1.4),
        lambda im: ImageEnhance.Contrast(im).enhance(0.7),
    ]
    codes, owners = [], []
    for number, path in enumerate(images):
        original = Image.open(path).convert("RGB")
        for edit in edits:
            variants, _ = pdqhash.compute_dihedral(np.asarray(edit(original)))
            codes.extend(np.packbits(np.asarray(v, dtype=np.uint8)) for v in variants)
            owners.extend([number] * len(variants))
    return np.stack(codes), np.array(owners)


def bench_real_skew(substrings: int = 12, radius: int = 31) -> dict[str, float]:
    """How often codes of DIFFERENT real photos fall into each other's probed buckets, vs random codes.

    Candidates per query scale with this rate, so ``ratio`` is how much more work real PDQ lists cause
    than the random lists measured above (1.0 = none).
    """
    codes, owners = real_pdq_codes()
    layout = MihLayout(256, substrings)
    flips = layout.flips_for(radius)
    words = code_words(codes)
    unrelated = owners[:, None] != owners[None, :]
    real = expected = 0.0
    for start, width, f in zip(layout.starts, layout.widths, flips, strict=True):
        keys = substring_keys(words, start, width)
        close = np.bitwise_count(keys[:, None] ^ keys[None, :]) <= f
        real += float((close & unrelated).sum()) / float(unrelated.sum())
        expected += sum(comb(width, k) for k in range(f + 1)) / 2**width
    return {"codes": float(len(codes)), "real_rate": real, "random_rate": expected, "ratio": real / expected}


def print_perceptual(args: argparse.Namespace, work: Path, found: dict) -> None:
    """The perceptual query, index preparation and bucket skew tables; every result also into ``found``."""
    print(
        f"PDQ radius 31; q/s per CPU second of this process (faiss's threads included) and per wall second; "
        f"{args.queries} queries for own MIH, {args.faiss_queries} for faiss, {args.baseline_queries} for "
        f"numpy; load average {' '.join(f'{v:.1f}' for v in os.getloadavg())}\n"
    )
    print(
        "| PDQ entries | own MIH parts | own MIH q/s CPU (wall) | faiss flat q/s CPU (wall) | "
        "faiss MIH q/s CPU (wall) | numpy q/s CPU | own MIH recall vs flat | extra hits | faiss MIH recall | "
        "own MIH MiB | own MIH RSS growth MiB | own MIH build CPU s | faiss MIH build CPU s |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.pdq_sizes:
        r = bench_pdq(size, args.queries, args.faiss_queries, args.baseline_queries, not args.skip_faiss_mih)
        found.setdefault("pdq", []).append(r)
        faiss_mih = (
            f"{r['faiss_mih_qps_cpu']:,.0f} ({r['faiss_mih_qps_wall']:,.0f})"
            if "faiss_mih_qps_cpu" in r
            else "-"
        )
        print(
            f"| {size:,} | {r['own_parts']:.0f} | {r['own_qps_cpu']:,.0f} ({r['own_qps_wall']:,.0f}) | "
            f"{r['flat_qps_cpu']:,.0f} ({r['flat_qps_wall']:,.0f}) | {faiss_mih} | "
            f"{r['numpy_qps_cpu']:,.1f} | "
            f"{r['own_recall']:.2f} | {r['own_extra']:.0f} | {r.get('faiss_mih_recall', float('nan')):.2f} | "
            f"{r['own_mib']:,.0f} | {r['own_rss_mib']:,.0f} | {r['own_build_cpu']:.1f} | "
            f"{r.get('faiss_mih_build_cpu', float('nan')):.1f} |"
        )
    print(
        "\n| PDQ entries in the library | read codes CPU s (wall) | first match: read + build + store CPU s "
        "(wall) | next match: cached index CPU s (wall) | cache MiB |"
    )
    print("|---:|---:|---:|---:|---:|")
    for size in args.prep_sizes:
        p = bench_index_preparation(work, size)
        found.setdefault("prep", []).append(p)
        print(
            f"| {size:,} | {p['load_cpu']:.1f} ({p['load_wall']:.1f}) | {p['first_cpu']:.1f} "
            f"({p['first_wall']:.1f}) | {p['cached_cpu']:.2f} ({p['cached_wall']:.2f}) | "
            f"{p['cache_mib']:,.0f} |"
        )
    skew = found["skew"] = bench_real_skew()
    print(
        f"\nBucket skew, real PDQ codes ({skew['codes']:.0f} codes of the test photos, 12 parts, radius 31): "
        f"pairs of different photos share a probed bucket at {skew['ratio']:.1f}x the rate of random codes "
        f"({skew['real_rate']:.2e} vs {skew['random_rate']:.2e} per pair)"
    )


def _pdq_row(r: dict, index: str, prefix: str, recall: float | None, mib: float | None = None) -> list:
    """One index's row of the PDQ table: q/s per CPU second and wall second, the ratio to numpy."""
    qps, build = r[f"{prefix}_qps_cpu"], r.get(f"{prefix}_build_cpu")
    speed = [round(qps), round(r[f"{prefix}_qps_wall"]), results.ratio(qps, r["numpy_qps_cpu"], 1)]
    return [r["size"], index, *speed, recall, None if build is None else round(build, 2), mib]


def page_result(bench_run: results.Run, args: argparse.Namespace, found: dict) -> dict:
    """The PDQ query table (every index against numpy brute force) in the page's shape; the rest as notes."""
    rows = []
    for r in found["pdq"]:
        parts = f"own multi-index hashing ({r['own_parts']:.0f} parts)"
        rows.append(_pdq_row(r, parts, "own", round(r["own_recall"], 3), round(r["own_mib"], 1)))
        rows.append(_pdq_row(r, "faiss flat (IndexBinaryFlat)", "flat", 1.0))
        if "faiss_mih_qps_cpu" in r:
            rows.append(
                _pdq_row(r, "faiss multi-index hashing", "faiss_mih", round(r["faiss_mih_recall"], 3))
            )
        numpy_qps = round(r["numpy_qps_cpu"], 1)
        rows.append([r["size"], "numpy brute force (baseline)", numpy_qps, None, 1.0, None, None, None])
    notes = []
    for label, r in found.get("imports", []):
        notes.append(
            f"Import {label}: {r['entries']:,.0f} entries ({r['source_mib']:.0f} MiB) in "
            f"{r['seconds']:.1f} s, {r['rate']:,.0f} entries/s, RSS growth {r['rss_growth_mib']:.0f} MiB."
        )
    if "exact" in found:
        exact = found["exact"]
        notes.append(
            f"Exact MD5 lookups (batches of 900, library of {2 * args.entries:,} entries): "
            f"{exact['rate']:,.0f} lookups/s ({exact['found']:,.0f} of {exact['lookups']:,.0f} found)."
        )
    for p in found.get("prep", []):
        notes.append(
            f"PDQ index preparation, {p['size']:,} entries in the library: read codes "
            f"{p['load_cpu']:.1f} CPU s, first match (read, build, store) {p['first_cpu']:.1f} CPU s "
            f"({p['first_wall']:.1f} s wall), next match from the cache {p['cached_cpu']:.2f} CPU s; "
            f"cache {p['cache_mib']:,.0f} MiB."
        )
    skew = found["skew"]
    notes.append(
        f"Bucket skew of real PDQ codes ({skew['codes']:.0f} codes of the test photos, 12 parts, radius 31): "
        f"{skew['ratio']:.1f}x the rate of random codes."
    )
    return bench_run.result(
        parameters={
            "radius": 31,
            "queries": {"own": args.queries, "faiss": args.faiss_queries, "numpy": args.baseline_queries},
            "codes": "random 256-bit; half the queries are 20-bit variants of listed codes",
            "import_entries": args.entries,
            "pdq_sizes": args.pdq_sizes,
            "prep_sizes": args.prep_sizes,
        },
        baseline="numpy brute force over the same codes and queries (queries per CPU second)",
        columns=[
            "PDQ entries",
            "index",
            "q/s per CPU s",
            "q/s wall",
            "x numpy",
            "recall vs faiss flat",
            "build CPU s",
            "MiB",
        ],  # fmt: skip
        rows=rows,
        notes=notes,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (seconds), for CI: --size smoke")
    results.add_arguments(parser, default_size="full")
    parser.add_argument(
        "--entries", type=int, default=10_000_000, help="entries of the generated import files"
    )
    parser.add_argument("--pdq-sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=2000, help="PDQ queries for own multi-index hashing")
    parser.add_argument("--faiss-queries", type=int, default=400, help="PDQ queries for the faiss indexes")
    parser.add_argument("--baseline-queries", type=int, default=50, help="PDQ queries for numpy")
    parser.add_argument("--prep-sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--skip-faiss-mih", action="store_true", help="skip faiss IndexBinaryMultiHash")
    parser.add_argument("--workdir", type=Path, help="where to generate files (default: a temporary folder)")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args(argv)
    if args.smoke:
        args.size = "smoke"
    if args.size == "smoke":
        args.entries, args.pdq_sizes, args.queries, args.baseline_queries = 20_000, [50_000], 200, 20
        args.faiss_queries, args.prep_sizes = 200, [20_000]
    elif args.size == "standard":
        args.entries, args.pdq_sizes, args.prep_sizes = 100_000, [500_000], [200_000]
    bench_run = results.Run("hashsets", "Hash sets: import, exact lookups, PDQ queries", args.size)
    found: dict = {"imports": []}

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
                found["imports"].append((label, r))
                print(
                    f"| {label} | {r['entries']:,.0f} | {r['source_mib']:.0f} | {r['seconds']:.1f} | "
                    f"{r['rate']:,.0f} | {r['rss_growth_mib']:.0f} |"
                )
                path.unlink()
            exact = found["exact"] = bench_exact(library, library.get("VICS 2.0 JSON").id, args.entries)
            print(
                f"\nExact MD5 lookups (batches of 900, library of {2 * args.entries:,} entries): "
                f"{exact['rate']:,.0f} lookups/s ({exact['found']:,.0f} of {exact['lookups']:,.0f} found)\n"
            )
            library.close()
        print_perceptual(args, work, found)
    print(f"\nPeak RSS of the whole run: {psutil.Process().memory_info().rss / 2**20:,.0f} MiB (current)")
    if args.json:
        results.write(args.json, page_result(bench_run, args, found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
