"""The one result shape every benchmark writes with ``--json PATH``, and the writer.

A result is a JSON object with exactly these keys::

    benchmark   the script's short name ("ingest" for bench_ingest.py)
    title       a one-line title for the page
    date        UTC start of the run, ISO 8601 ("2026-12-07T06:30:00Z")
    machine     {"cpu", "cores", "memory_gib", "os", "python", "load_start", "load_end"}
                (load averages over 1, 5 and 15 minutes; null where the system has none)
    size        "smoke", "standard" or "full"
    parameters  {name: value}: what was measured (counts, images, options)
    baseline    what the ratio columns are against (measured on the same machine in the same run)
    columns     the table's column names
    rows        the table's rows, lists of numbers, strings or null, one value per column
    notes       list of strings: further figures and caveats

``bench/render_page.py`` turns the results in ``bench/results/`` into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

SIZES = ("smoke", "standard", "full")
KEYS = ("benchmark", "title", "date", "machine", "size", "parameters", "baseline", "columns", "rows", "notes")
MACHINE_KEYS = ("cpu", "cores", "memory_gib", "os", "python", "load_start", "load_end")
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where the system has none (Windows)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def memory_gib() -> float | None:
    """Total physical memory in GiB, or None when it cannot be read."""
    try:
        import psutil

        return round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        return None


class Run:
    """One benchmark run: notes the date, the machine and the load when created, the load again at the end."""

    def __init__(self, benchmark: str, title: str, size: str) -> None:
        if size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}, not {size!r}")
        self.benchmark, self.title, self.size = benchmark, title, size
        self.date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.load_start = load_average()

    def result(
        self,
        parameters: dict,
        baseline: str,
        columns: list[str],
        rows: list[list],
        notes: list[str] | None = None,
    ) -> dict:
        """The result document (the load at the end is read now)."""
        machine = {
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "memory_gib": memory_gib(),
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(),
            "load_start": self.load_start,
            "load_end": load_average(),
        }
        result = {
            "benchmark": self.benchmark,
            "title": self.title,
            "date": self.date,
            "machine": machine,
            "size": self.size,
            "parameters": parameters,
            "baseline": baseline,
            "columns": list(columns),
            "rows": [list(row) for row in rows],
            "notes": list(notes or []),
        }
        check(result)
        return result


def check(result: dict) -> None:
    """Raise ValueError when ``result`` is not of the one shape."""
    if not isinstance(result, dict) or tuple(result) != KEYS:
        raise ValueError(f"a result has exactly the keys {KEYS}")
    if tuple(result["machine"]) != MACHINE_KEYS:
        raise ValueError(f"a result's machine has exactly the keys {MACHINE_KEYS}")
    if result["size"] not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    width = len(result["columns"])
    for row in result["rows"]:
        if len(row) != width:
            raise ValueError(f"row {row!r} has {len(row)} cells for {width} columns")
        for cell in row:
            if cell is not None and not isinstance(cell, str | int | float):
                raise ValueError(f"cell {cell!r} is not a number, a string or null")
    if not all(isinstance(note, str) for note in result["notes"]):
        raise ValueError("notes are strings")


def write(path: Path, result: dict) -> None:
    """Write ``result`` to ``path`` (checked; keys in shape order, stable formatting)."""
    check(result)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(result) + "\n", encoding="utf-8")


def dumps(value: object, indent: int = 0) -> str:
    """JSON with one line per key, per row and per note: short lists of plain values stay on one line."""
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k)}: {dumps(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    nested = isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
    long_text = isinstance(value, list) and all(isinstance(v, str) for v in value) and len(str(value)) > 100
    if nested or long_text:
        return "[\n" + ",\n".join(f"{inner}{dumps(v, indent + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def read(path: Path) -> dict:
    """A result read back and checked."""
    result = json.loads(Path(path).read_text(encoding="utf-8"))
    check(result)
    return result


def add_arguments(parser: argparse.ArgumentParser, default_size: str = "standard") -> None:
    """``--size`` and ``--json PATH``, the two options every benchmark takes."""
    parser.add_argument(
        "--size", choices=SIZES, default=default_size, help="smoke (CI), standard (the page), full (by hand)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the result (bench/results.py shape)")


def ratio(value: float | None, baseline: float | None, digits: int = 2) -> float | None:
    """``value / baseline`` rounded, or None when either is missing or the baseline is zero."""
    if value is None or not baseline:
        return None
    return round(value / baseline, digits)
