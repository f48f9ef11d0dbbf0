"""A real Dask cluster for tests: ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, random ports.

Started as a lab would start them (``docs/lab.md``): custos importable on every node, workers allowed to
start processes (``DASK_DISTRIBUTED__WORKER__DAEMON=False``), each worker under its nanny (which restarts a
killed worker). Everything started here is stopped by process group at the end. As a pytest plugin
(``tests/conftest.py``) it gives the fixture ``dask``: one cluster for the whole session, started by the
first test that asks for it.
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

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# Variables the tests set on the workers for one job (fault injection, path map); cleared around each test.
TEST_VARIABLES = (
    "CUSTOS_TEST_CRASH_ON",
    "CUSTOS_TEST_HANG_ON",
    "CUSTOS_TEST_ITEM_DELAY",
    "CUSTOS_EVIDENCE_MAP",
)
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


def set_environment(values: dict[str, str | None]) -> None:
    """Run in each Dask worker: the custos processes it starts for the next job inherit these."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def dask_session(tmp_path_factory) -> Iterator[LocalDask]:
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install distributed)")
    with local_dask(tmp_path_factory.mktemp("dask")) as running:
        yield running


@pytest.fixture
def dask(dask_session: LocalDask) -> Iterator[LocalDask]:
    """The session's cluster with both workers up and no test variable set, before and after the test."""
    dask_session.wait_for_workers(2)
    dask_session.run_on_workers(set_environment, dict.fromkeys(TEST_VARIABLES))
    yield dask_session
    dask_session.wait_for_workers(2)
    dask_session.run_on_workers(set_environment, dict.fromkeys(TEST_VARIABLES))
