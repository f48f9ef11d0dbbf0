"""The ingest command's garbage-collector settings: imports frozen, the young generation larger."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json
import sqlalchemy.orm  # what an ingest has imported by then
from forensics.services.ingest import GC_YOUNG, collector_for_the_job
before = gc.get_freeze_count()
collector_for_the_job()
frozen = gc.get_freeze_count() - before
cycle = []
cycle.append(cycle)  # garbage made during the job is still collected
del cycle
collected = gc.collect()
seen = {"threshold": gc.get_threshold(), "young": GC_YOUNG, "frozen": frozen, "collected": collected}
print(json.dumps(seen))
"""


def test_the_job_runs_with_imports_frozen_and_a_larger_young_generation() -> None:
    """In a process of its own: the test process keeps Python's defaults."""
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout)
    assert seen["threshold"][0] == seen["young"] == 20_000
    assert seen["frozen"] > 10_000  # SQLAlchemy's and the models' objects
    assert seen["collected"] >= 1
