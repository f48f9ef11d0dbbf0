"""The ingest writer on PostgreSQL against SQLite: the per-item cost of the same results, in the same run.

    .venv/bin/python bench/bench_writer_postgres.py --size smoke     # CI (seconds)
    .venv/bin/python bench/bench_writer_postgres.py --size standard  # the page (bench/run_all.py)
    .venv/bin/python bench/bench_writer_postgres.py --size full      # by hand (minutes)

The server: ``$CUSTOS_TEST_POSTGRES_URL`` (an admin's URL, as the tests take it; ``--postgres-url`` says
the same), else a throw-away one started with ``scripts/postgres_test_cluster.sh`` and stopped at the end.

For each case size N and each workload, a new case gets N ``pending`` rows of ``files`` (the enumeration's
bulk insert, not timed); then N results go through the ingest's ``BatchWriter`` in messages of 64, the
hash indexes dropped before and built after (what an ingest does), once in a SQLite case and once in a
PostgreSQL case on the server. Workloads:

* ``hashes``: MD5, SHA-1 and SHA-256 per item (the ``hashes`` profile: the batched UPDATE of ``files``);
* ``triage``: the same, and every item's ``file_analysis`` row (type, entropy); every fourth item a
  picture with its decode facts, perceptual hashes (with their dihedral variants and ``file_regions`` row)
  and a 3 KB thumbnail, every eighth with EXIF.

Measured: wall seconds of the writer (what it holds the ingest's loop for: it keeps up with the workers
when this stays below their time per item), CPU seconds of this process, and on a local server the CPU
seconds of the case database's server processes (read from /proc; none elsewhere). The best of
``REPEATS`` runs of each (a fresh case each time). The target (issue 27): PostgreSQL's wall time per
item within 2x SQLite's.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import URL, make_url  # noqa: E402

from bench import results  # noqa: E402
from bench.bench_writer import RESULTS_PER_MESSAGE, cpu_seconds, digests, new_case  # noqa: E402
from forensics.analysis.results import (  # noqa: E402
    AnalysisResult,
    ExifInfo,
    FileTypeInfo,
    ImageInfo,
    PerceptualHashes,
    Thumbnail,
)
from forensics.case.db import CaseDatabase  # noqa: E402
from forensics.case.ingest_indexes import create_ingest_indexes, drop_ingest_indexes  # noqa: E402
from forensics.case.location import read_pointer  # noqa: E402
from forensics.pipeline.tasks import ItemResult  # noqa: E402

SIZES = {"smoke": [2_000, 20_000], "standard": [20_000, 60_000], "full": [100_000, 1_000_000]}
REPEATS = {"smoke": 1, "standard": 2, "full": 2}
WORKLOADS = ("hashes", "triage")
STORES = ("sqlite", "postgresql")
TARGET = 2.0  # issue 27: PostgreSQL's per-item write cost within 2x SQLite's
ENV_URL = "CUSTOS_TEST_POSTGRES_URL"
CLUSTER_SCRIPT = REPO_ROOT / "scripts" / "postgres_test_cluster.sh"
CLUSTER_TIMEOUT_S = 120
PICTURE_EVERY = 4  # in the triage workload: every fourth item a picture, every eighth with EXIF
EXIF_EVERY = 8
THUMBNAIL_BYTES = 3_000


def stand_in_bytes(file_id: int, size: int, label: bytes) -> bytes:
    """Deterministic bytes as incompressible as a JPEG's or a hash's (never the same for two items)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(label + file_id.to_bytes(8, "little") + counter.to_bytes(4, "little")).digest()
        counter += 1
    return bytes(out[:size])


def analysis(file_id: int) -> AnalysisResult:
    """The analysis a triage worker brings back for the item (a picture for every fourth one)."""
    if file_id % PICTURE_EVERY:
        kind = FileTypeInfo("application/octet-stream", "data", "other", 7.91, None)
        return AnalysisResult(filetype=kind)
    pdq = stand_in_bytes(file_id, 32, b"pdq").hex()
    hashes = PerceptualHashes(
        phash=stand_in_bytes(file_id, 8, b"phash").hex(),
        dhash=stand_in_bytes(file_id, 8, b"dhash").hex(),
        pdq=pdq,
        pdq_quality=100,
        pdq_dihedral=stand_in_bytes(file_id, 256, b"pdq8"),
        phash_dihedral=stand_in_bytes(file_id, 64, b"phash8"),
        dhash_dihedral=stand_in_bytes(file_id, 64, b"dhash8"),
    )
    exif = None
    if file_id % EXIF_EVERY == 0:
        exif = ExifInfo(make="Example", model="Phone 7", datetime_original="2026-10-01T09:30:00")
    return AnalysisResult(
        filetype=FileTypeInfo("image/jpeg", "JPEG image data", "image", 7.6, False),
        exif=exif,
        image=ImageInfo("JPEG", "RGB", 1920, 1080, decode_scale=4),
        perceptual=hashes,
        thumbnail=Thumbnail(stand_in_bytes(file_id, THUMBNAIL_BYTES, b"thumb"), 256, 144),
    )


def messages(count: int, workload: str) -> list[list[ItemResult]]:
    """The results of ``count`` items as the executor hands them over (built before the clock starts)."""
    out = []
    for start in range(1, count + 1, RESULTS_PER_MESSAGE):
        batch = []
        for i in range(start, min(start + RESULTS_PER_MESSAGE, count + 1)):
            found = analysis(i) if workload == "triage" else None
            batch.append(ItemResult(i, "done", *digests(i), 4096, analysis=found, tasks_mask=1))
        out.append(batch)
    return out


@contextmanager
def postgres_server(given: str | None) -> Iterator[URL]:
    """The admin URL of the server to use: ``given``, else a throw-away one, stopped when done."""
    if given:
        yield make_url(given)
        return
    done = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "start"],
        capture_output=True,
        text=True,
        timeout=CLUSTER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench_writer_postgres: no throw-away server: {done.stderr[-500:]}")
    lines = [line.removeprefix("export ") for line in done.stdout.splitlines() if "=" in line]
    found = dict(line.split("=", 1) for line in lines)
    folder = shlex.split(found["CUSTOS_TEST_POSTGRES_DIR"])[0]
    try:
        yield make_url(shlex.split(found[ENV_URL])[0])
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", folder], timeout=CLUSTER_TIMEOUT_S, check=False)


class ServerCpu:
    """CPU seconds of the server processes serving one database (Linux, a server on this machine)."""

    def __init__(self, admin: URL) -> None:
        self.engine = create_engine(admin.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
        self.local = admin.host in ("127.0.0.1", "localhost", "::1") and Path("/proc/self/stat").is_file()
        self.ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def _process(self, pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / self.ticks

    def of(self, database: str) -> dict[int, float] | None:
        """CPU seconds so far of each server process connected to ``database`` (None: not readable)."""
        if not self.local:
            return None
        with self.engine.connect() as conn:
            pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": database})
            return {pid: self._process(pid) for pid in pids.scalars()}

    @staticmethod
    def spent(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
        if before is None or after is None:
            return None
        return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())

    def drop(self, database: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{database}_members"'))

    def close(self) -> None:
        self.engine.dispose()


def writer_run(db: CaseDatabase, evidence_id: int, job_id: int, work: list[list[ItemResult]]) -> None:
    """Store the results as an ingest does: hash indexes dropped, the writer, the indexes built."""
    from forensics.pipeline.writer import BatchWriter

    with db.engine.begin() as conn:
        drop_ingest_indexes(conn)
    writer = BatchWriter(db, evidence_id, job_id, max_delay=3600.0)  # commits by row count only
    for batch in work:
        writer.add(batch)
    writer.flush()
    with db.engine.begin() as conn:
        create_ingest_indexes(conn)
    assert writer.items_written == sum(len(batch) for batch in work)


def measure(
    folder: Path, count: int, work: list[list[ItemResult]], server: str | None, cpu: ServerCpu
) -> dict[str, float | None]:
    """One run in a fresh case (PostgreSQL when ``server`` is given): wall, CPU, server CPU seconds."""
    db, evidence_id, job_id = new_case(folder, count, server)
    database = None
    if server is not None:
        database = str(make_url(read_pointer(folder) or "").database)
    try:
        before = cpu.of(database) if database else None
        started_wall, started_cpu = time.perf_counter(), cpu_seconds()
        writer_run(db, evidence_id, job_id, work)
        wall, client = time.perf_counter() - started_wall, cpu_seconds() - started_cpu
        served = ServerCpu.spent(before, cpu.of(database)) if database else None
    finally:
        db.close()
        if database:
            cpu.drop(database)
        shutil.rmtree(folder, ignore_errors=True)
    return {"wall": wall, "cpu": client, "server_cpu": served}


def best(runs: list[dict[str, float | None]]) -> dict[str, float | None]:
    """The run with the least wall time (the one least disturbed by other work on the machine)."""
    return min(runs, key=lambda run: run["wall"] or 0.0)


def run(size: str, admin: URL, work_dir: Path | None = None) -> list[dict]:
    """Every workload at every case size on both stores; one row of figures per (size, workload)."""
    os.environ["CUSTOS_DB_USER"] = str(admin.username)  # new PostgreSQL cases are made as the admin
    os.environ["CUSTOS_DB_PASSWORD"] = str(admin.password or "")
    server = f"postgresql://{admin.host}:{admin.port or 5432}"
    cpu = ServerCpu(admin)
    scratch = Path(tempfile.mkdtemp(prefix="custos-bench-writer-pg-", dir=work_dir))
    rows = []
    try:
        for count in SIZES[size]:
            for workload in WORKLOADS:
                work = messages(count, workload)
                measured: dict[str, list[dict[str, float | None]]] = {store: [] for store in STORES}
                for repeat in range(REPEATS[size]):  # alternating, so that load spikes hit both
                    for store in STORES:
                        folder = scratch / f"{store}-{count}-{workload}-{repeat}"
                        target = server if store == "postgresql" else None
                        measured[store].append(measure(folder, count, work, target, cpu))
                rows.append({"items": count, "workload": workload, **{s: best(measured[s]) for s in STORES}})
                print(row_text(rows[-1]), file=sys.stderr, flush=True)
    finally:
        cpu.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return rows


def per_item(seconds: float | None, count: int) -> float | None:
    return None if seconds is None else round(1e6 * seconds / count, 1)


def table_row(row: dict) -> list:
    """items, workload, wall s and us/item of each store, their ratio, CPU s of each side, its ratio."""
    count, lite, pg = row["items"], row["sqlite"], row["postgresql"]
    pg_cpu = None if pg["server_cpu"] is None else pg["cpu"] + pg["server_cpu"]
    return [
        count,
        row["workload"],
        round(lite["wall"], 3),
        round(pg["wall"], 3),
        per_item(lite["wall"], count),
        per_item(pg["wall"], count),
        results.ratio(pg["wall"], lite["wall"]),
        round(lite["cpu"], 3),
        round(pg["cpu"], 3),
        None if pg["server_cpu"] is None else round(pg["server_cpu"], 3),
        results.ratio(pg_cpu, lite["cpu"]),
    ]


COLUMNS = [
    "items",
    "workload",
    "SQLite wall s",
    "PostgreSQL wall s",
    "SQLite us/item",
    "PostgreSQL us/item",
    "PostgreSQL x SQLite",
    "SQLite CPU s",
    "PostgreSQL client CPU s",
    "PostgreSQL server CPU s",
    "CPU x SQLite",
]


def row_text(row: dict) -> str:
    cells = table_row(row)
    return (
        f"{cells[0]:>9,} {cells[1]:7s} SQLite {cells[4]} us/item, PostgreSQL {cells[5]} us/item: "
        f"{cells[6]}x (target <= {TARGET}x); CPU {cells[10]}x"
    )


def page_result(bench_run: results.Run, size: str, rows: list[dict], server_version: str) -> dict:
    table = [table_row(row) for row in rows]
    worst = max((row[6] for row in table if row[6] is not None), default=None)
    return bench_run.result(
        parameters={
            "case_sizes": SIZES[size],
            "workloads": list(WORKLOADS),
            "results_per_message": RESULTS_PER_MESSAGE,
            "repeats": REPEATS[size],
            "postgresql": server_version,
            "measured": "wall and CPU seconds of the writer, with the hash index drop and rebuild",
        },
        baseline="SQLite: the same results through the same BatchWriter into a SQLite case, in the same run",
        columns=COLUMNS,
        rows=table,
        notes=[
            f"Target (issue 27): PostgreSQL x SQLite (wall per item) <= {TARGET}; worst here: {worst}.",
            "hashes: the three digests per item; triage: also each item's file_analysis row, every fourth a "
            "picture (perceptual hashes, regions row, 3 KB thumbnail), every eighth with EXIF.",
            "PostgreSQL server CPU: the case database's server processes on this machine (from /proc), not "
            "the server's background writers; CPU x SQLite compares client plus server CPU with SQLite's.",
            "The server is the throw-away one of scripts/postgres_test_cluster.sh (fsync off, on this "
            "machine): a lab server over a network adds a round trip per statement.",
        ],
    )


def server_version(admin: URL) -> str:
    engine = create_engine(admin.set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar()).split()[0]
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    results.add_arguments(parser, default_size="smoke")
    parser.add_argument(
        "--postgres-url", default=os.environ.get(ENV_URL) or None, help=f"an admin URL (default ${ENV_URL})"
    )
    parser.add_argument("--work", type=Path, default=None, help="folder for the scratch cases")
    args = parser.parse_args(argv)
    bench_run = results.Run("writer_postgres", "Ingest writer on PostgreSQL against SQLite", args.size)
    with postgres_server(args.postgres_url) as admin:
        version = server_version(admin)
        rows = run(args.size, admin, args.work)
    result = page_result(bench_run, args.size, rows, version)
    print("| " + " | ".join(COLUMNS) + " |")
    for row in result["rows"]:
        print("| " + " | ".join("-" if cell is None else str(cell) for cell in row) + " |")
    if args.json:
        results.write(args.json, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
