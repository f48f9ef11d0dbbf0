"""One ingest per case at a time: an OS lock on a file in the case folder."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from forensics.core.errors import CustosError

LOCK_NAME = ".ingest.lock"


class IngestBusy(CustosError):
    """Another ingest is running on the same case."""


@contextmanager
def ingest_lock(case_dir: Path) -> Iterator[None]:
    """Hold the case's ingest lock (released even if the process is killed); refuse a second holder."""
    path = Path(case_dir) / LOCK_NAME
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestBusy(f"{case_dir}: another ingest is already running on this case") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ingest_running(case_dir: Path) -> bool:
    """Whether a process holds the case's ingest lock right now (without taking or creating it)."""
    path = Path(case_dir) / LOCK_NAME
    try:
        handle = path.open("rb")
    except OSError:
        return False  # never ingested here, or a folder we cannot read: no lock to see
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
