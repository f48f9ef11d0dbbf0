"""A local Dask cluster for tests and benchmarks: ``dask scheduler`` and ``dask worker`` processes on
127.0.0.1, random ports, started as a lab starts them (docs/cluster.md).

Custos is importable on every node (the repository on ``PYTHONPATH``), workers may start processes
(``DASK_DISTRIBUTED__WORKER__DAEMON=False``), each worker runs under its nanny (which restarts a killed
worker). Everything started is stopped by process group when the ``with`` block ends (POSIX; the callers
skip where there is no ``os.killpg``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 90.0  # a loaded machine with two cores starts a scheduler and two workers in ~15 s


@dataclass
class LocalDask:
    """A running scheduler and its workers."""

    address: str
    processes: list[subprocess.Popen] = field(default_factory=list)

    def client(self):
        from distributed import Client

        return Client(self.address, timeout=30, set_as_default=False)

    def run_on_workers(self, function: Callable, *args) -> dict:
        """``function(*args)`` in every worker process (e.g. to set a test variable for the next job)."""
        with contextlib.closing(self.client()) as client:
            return client.run(function, *args)

    def worker_pids(self) -> dict[str, int]:
        return self.run_on_workers(os.getpid)

    def wait_for_workers(self, count: int, timeout: float = START_SECONDS) -> None:
        with contextlib.closing(self.client()) as client:
            client.wait_for_workers(count, timeout=timeout)


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT)
        + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else ""),
        "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra or {})
    return env


@contextlib.contextmanager
def local_dask(
    folder: Path, workers: int = 2, threads: int = 1, env: dict[str, str] | None = None
) -> Iterator[LocalDask]:
    """A scheduler and ``workers`` workers of ``threads`` threads each; logs in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    started: list[subprocess.Popen] = []

    def start(args: list[str], log: str) -> subprocess.Popen:
        with open(folder / log, "wb") as out:
            process = subprocess.Popen(
                dask + args,
                env=_environment(env),
                cwd=folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the nanny's worker is stopped with it
            )
        started.append(process)
        return process

    try:
        start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            "scheduler.log",
        )
        deadline = time.monotonic() + START_SECONDS
        while not scheduler_file.exists():
            if time.monotonic() > deadline or started[0].poll() is not None:
                raise RuntimeError(
                    "the Dask scheduler did not start: " + (folder / "scheduler.log").read_text()
                )
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        for index in range(workers):
            start(
                [
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    str(threads),
                    "--no-dashboard",
                    "--name",
                    f"test-worker-{index}",
                ],
                f"worker-{index}.log",
            )
        cluster = LocalDask(address, started)
        cluster.wait_for_workers(workers)
        yield cluster
    finally:
        for process in reversed(started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(started):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
