"""One ingest per case at a time: an OS lock on a file in the case folder (any operating system)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from forensics.core.errors import CustosError
from forensics.core.filelock import LockBusy, exclusive_lock, lock_held

LOCK_NAME = ".ingest.lock"


class IngestBusy(CustosError):
    """Another ingest is running on the same case."""


@contextmanager
def ingest_lock(case_dir: Path) -> Iterator[None]:
    """Hold the case's ingest lock (released even if the process is killed); refuse a second holder."""
    try:
        with exclusive_lock(Path(case_dir) / LOCK_NAME, f"{case_dir}: another ingest is already running"):
            yield
    except LockBusy as exc:
        raise IngestBusy(f"{case_dir}: another ingest is already running on this case") from exc


def ingest_running(case_dir: Path) -> bool:
    """Whether a process holds the case's ingest lock right now (without taking or creating it)."""
    return lock_held(Path(case_dir) / LOCK_NAME)
