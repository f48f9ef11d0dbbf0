"""The ingest writer's cost per item as a case grows (no evidence needed: the rows are synthetic).

    .venv/bin/python bench/bench_writer.py --size smoke     # CI (seconds, no timing targets)
    .venv/bin/python bench/bench_writer.py --size standard  # the page (bench/run_all.py), under 2 minutes
    .venv/bin/python bench/bench_writer.py --size full      # the numbers of BENCHMARKS.md (minutes)

For each case size N, a new case database gets N ``pending`` rows of ``files`` through the same bulk
insert the enumeration uses; then N results (MD5, SHA-1, SHA-256 of the row id) go through the ingest's
``BatchWriter`` in batches of 64, the way the executor hands them over. Three ways, CPU seconds of this
process, each in a fresh case:

* ``kept``: the hash indexes kept up to date on every commit (how the writer ran before);
* ``deferred``: the hash indexes dropped before and built after the writes, build included (what an
  ingest does now);
* ``bare``: the baseline: the same UPDATE statements through ``sqlite3`` ``executemany`` in 2,000-row
  transactions on a plain table of the same columns, the three indexes built at the end.

Prints a Markdown table and writes ``bench_writer.json`` to ``--out``; ``--json PATH`` writes the page's
result (``bench/results.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench import results  # noqa: E402
from forensics.case.bulk import insert_rows  # noqa: E402
from forensics.case.db import CaseDatabase  # noqa: E402
from forensics.case.ingest_indexes import create_ingest_indexes, drop_ingest_indexes  # noqa: E402
from forensics.case.models import Evidence, File, FileSystem, IngestJob  # noqa: E402
from forensics.pipeline.tasks import ItemResult  # noqa: E402
from forensics.pipeline.writer import BatchWriter  # noqa: E402

SIZES = {"smoke": [2_000, 20_000], "standard": [20_000, 60_000], "full": [30_000, 300_000, 1_000_000]}
WAYS = ("bare", "deferred", "kept")
RESULTS_PER_MESSAGE = 64  # what one worker batch of small files brings back
INSERT_BATCH = 2_000


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def digests(file_id: int) -> tuple[str, str, str]:
    """Stand-ins for the item's hashes: as random as real ones, the same in every run."""
    seed = file_id.to_bytes(8, "little")
    return hashlib.md5(seed).hexdigest(), hashlib.sha1(seed).hexdigest(), hashlib.sha256(seed).hexdigest()


def pending_row(evidence_id: int, filesystem_id: int, file_id: int) -> dict:
    """A ``files`` row as the enumeration stores it (a small file of a phone's app data)."""
    folder = file_id // 500
    return {
        "id": file_id,
        "evidence_id": evidence_id,
        "filesystem_id": filesystem_id,
        "parent_id": None,
        "seq": file_id,
        "path": f"/data/data/com.example.app{folder % 40}/cache/{folder}/f{file_id}.bin",
        "name": f"f{file_id}.bin",
        "extension": "bin",
        "inode": 1000 + file_id,
        "attr_type": None,
        "attr_id": None,
        "stream": None,
        "size": 4096,
        "kind": "file",
        "allocated": True,
        "deleted": False,
        "orphan": False,
        "meta_reallocated": False,
        "has_metadata": True,
        "mode": 0o644,
        "uid": 10123,
        "gid": 10123,
        "nlink": 1,
        "link_target": None,
        "mtime_ns": 1_700_000_000_000_000_000 + file_id,
        "atime_ns": 1_700_000_000_000_000_000 + file_id,
        "ctime_ns": 1_700_000_000_000_000_000 + file_id,
        "crtime_ns": None,
        "byte_runs_json": f"[[0, {file_id * 4096}, 4096]]",
        "md5": None,
        "sha1": None,
        "sha256": None,
        "bytes_read": None,
        "tasks_mask": 0,
        "status": "pending",
        "error": None,
    }


def new_case(folder: Path, count: int, url: str | None = None) -> tuple[CaseDatabase, int, int]:
    """A case holding ``count`` pending rows; returns (database, evidence id, job id). ``url``: a
    PostgreSQL server to make the case's database on (None: a SQLite case in ``folder``)."""
    db = CaseDatabase(folder, url, create=True)
    with db.session() as s:
        evidence = Evidence(
            item="BENCH",
            path="/dev/null",
            segments_json="[]",
            container="raw",
            added_at="2026-01-01T00:00:00Z",
        )
        s.add(evidence)
        s.flush()
        filesystem = FileSystem(evidence_id=evidence.id, offset=0, status="ok", enumerated=True)
        job = IngestJob(
            evidence_id=evidence.id,
            profile="hashes",
            workers=1,
            started_at="2026-01-01T00:00:00Z",
            status="running",
        )
        s.add_all([filesystem, job])
        s.flush()
        evidence_id, filesystem_id, job_id = evidence.id, filesystem.id, job.id
    for start in range(1, count + 1, INSERT_BATCH):
        end = min(start + INSERT_BATCH, count + 1)
        rows = [pending_row(evidence_id, filesystem_id, i) for i in range(start, end)]
        with db.session() as s:
            insert_rows(s.connection(), File.__table__, rows)
    return db, evidence_id, job_id


def writer_run(folder: Path, count: int, deferred: bool) -> float:
    """CPU seconds to store ``count`` results through ``BatchWriter`` (index build included)."""
    db, evidence_id, job_id = new_case(folder, count)
    try:
        started = cpu_seconds()
        if deferred:
            with db.engine.begin() as conn:
                drop_ingest_indexes(conn)
        writer = BatchWriter(db, evidence_id, job_id, max_delay=3600.0)  # commits by row count only
        for start in range(1, count + 1, RESULTS_PER_MESSAGE):
            end = min(start + RESULTS_PER_MESSAGE, count + 1)
            writer.add([ItemResult(i, "done", *digests(i), 4096) for i in range(start, end)])
        writer.flush()
        if deferred:
            with db.engine.begin() as conn:
                create_ingest_indexes(conn)
        seconds = cpu_seconds() - started
        assert writer.items_written == count
    finally:
        db.close()
    return seconds


def bare_run(folder: Path, count: int) -> float:
    """CPU seconds of the baseline: plain sqlite3 UPDATEs, indexes built once at the end."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-32768")
    columns = list(pending_row(1, 1, 1))
    conn.execute(f"CREATE TABLE files (id INTEGER PRIMARY KEY, {', '.join(columns[1:])})")
    conn.execute("CREATE INDEX ix_status ON files (status)")
    marks = ", ".join("?" * len(columns))
    for start in range(1, count + 1, INSERT_BATCH):
        rows = [
            tuple(pending_row(1, 1, i).values()) for i in range(start, min(start + INSERT_BATCH, count + 1))
        ]
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO files VALUES ({marks})", rows)
        conn.execute("COMMIT")
    started = cpu_seconds()
    for start in range(1, count + 1, INSERT_BATCH):
        rows = [("done", *digests(i), 4096, i) for i in range(start, min(start + INSERT_BATCH, count + 1))]
        conn.execute("BEGIN")
        conn.executemany(
            "UPDATE files SET status = ?, md5 = ?, sha1 = ?, sha256 = ?, bytes_read = ? WHERE id = ?", rows
        )
        conn.execute("COMMIT")
    for column in ("md5", "sha1", "sha256"):
        conn.execute(f"CREATE INDEX ix_{column} ON files ({column})")
    seconds = cpu_seconds() - started
    conn.close()
    return seconds


def run(size: str, out: Path, work: Path | None = None) -> dict:
    """Measure every way at every size of ``size``; writes and returns the result."""
    rows = []
    scratch = Path(tempfile.mkdtemp(prefix="custos-bench-writer-", dir=work))
    try:
        for count in SIZES[size]:
            measured = {
                "bare": bare_run(scratch / f"bare-{count}", count),
                "deferred": writer_run(scratch / f"deferred-{count}", count, deferred=True),
                "kept": writer_run(scratch / f"kept-{count}", count, deferred=False),
            }
            rows.append(
                {
                    "items": count,
                    "cpu_s": {k: round(v, 3) for k, v in measured.items()},
                    "us_per_item": {k: round(1e6 * v / count, 1) for k, v in measured.items()},
                    "deferred_vs_bare": round(measured["deferred"] / measured["bare"], 2),
                    "kept_vs_deferred": round(measured["kept"] / measured["deferred"], 2),
                }
            )
            for way in measured:  # a million-row case takes about 1 GB: keep one size on disk at a time
                shutil.rmtree(scratch / f"{way}-{count}", ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = {
        "schema": "custos.bench-writer/1",
        "size": size,
        "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sqlite": sqlite3.sqlite_version,
        "rows": rows,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_writer.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def markdown(result: dict) -> str:
    lines = [
        "| items | bare CPU s (us/item) | deferred CPU s (us/item) | kept CPU s (us/item) | deferred / bare "
        "| kept / deferred |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        cpu, per = row["cpu_s"], row["us_per_item"]
        cells = [f"{cpu[k]:.2f} ({per[k]:.0f})" for k in ("bare", "deferred", "kept")]
        ratios = f"{row['deferred_vs_bare']:.2f}x | {row['kept_vs_deferred']:.2f}x"
        lines.append(f"| {row['items']:,} | {' | '.join(cells)} | {ratios} |")
    return "\n".join(lines)


def page_result(bench_run: results.Run, result: dict) -> dict:
    """The result in the page's shape: CPU seconds and microseconds per item of each way, ratios to bare."""
    rows = []
    for row in result["rows"]:
        cpu, per = row["cpu_s"], row["us_per_item"]
        rows.append(
            [row["items"], *(cpu[k] for k in WAYS), *(per[k] for k in WAYS), row["deferred_vs_bare"],
             results.ratio(cpu["kept"], cpu["bare"])]
        )  # fmt: skip
    return bench_run.result(
        parameters={
            "case_sizes": SIZES[result["size"]],
            "results_per_message": RESULTS_PER_MESSAGE,
            "sqlite": result["sqlite"],
            "measured": "CPU seconds of this process",
        },
        baseline="bare: the same UPDATEs through sqlite3 executemany in 2,000-row transactions, the three "
        "indexes built at the end",
        columns=[
            "items",
            "bare CPU s",
            "deferred CPU s",
            "kept CPU s",
            "bare us/item",
            "deferred us/item",
            "kept us/item",
            "deferred x bare",
            "kept x bare",
        ],
        rows=rows,
        notes=[
            "deferred: the hash indexes dropped before the writes and built after (what an ingest does).",
            "kept: the hash indexes kept up to date on every commit (how the writer ran before).",
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_arguments(parser, default_size="smoke")
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--work", type=Path, default=None, help="folder for the scratch cases")
    args = parser.parse_args(argv)
    bench_run = results.Run("writer", "Ingest writer: cost per item as a case grows", args.size)
    result = run(args.size, args.out, args.work)
    print(markdown(result))
    if args.json:
        results.write(args.json, page_result(bench_run, result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
