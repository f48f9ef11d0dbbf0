"""Worker processes started before the job is known: the job uses them, and none is left behind."""

from __future__ import annotations

import os
import signal
import time

import psutil

from forensics.pipeline.executor import LocalProcessExecutor, WorkerProcesses
from forensics.pipeline.tasks import TaskOptions
from tests.app.cli_helpers import cli
from tests.fixtures import assert_unchanged
from tests.pipeline.helpers import check_facts, ingest, records


def _workers_alive() -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if child.is_running() and child.status() != psutil.STATUS_ZOMBIE and "python" in child.name().lower()
    ]


def environ_of(pid: int) -> dict[str, str]:
    """A started process's environment (empty while the process is still being exec'd: asked again)."""
    deadline = time.monotonic() + 10
    while True:
        found = psutil.Process(pid).environ()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_a_job_runs_on_the_workers_started_before_it(case_with, fixture_mbr_extended) -> None:
    db = case_with(fixture_mbr_extended.image)
    used: list[int] = []

    class Recording(LocalProcessExecutor):
        def start(self) -> None:
            super().start()  # the job calls it more than once; the workers stay the same
            used[:] = [worker.process.pid for worker in self._workers]

    with WorkerProcesses(2).start() as processes:
        started = [worker.process.pid for worker in processes._waiting]
        with assert_unchanged(fixture_mbr_extended.evidence_files):
            executor = Recording(str(fixture_mbr_extended.image), TaskOptions(), 2, 60.0, processes=processes)
            outcome = ingest(db, executor=executor)
        assert processes._waiting == [None, None]  # all handed to the job
    assert used == started
    assert outcome.status == "finished" and outcome.items_failed == 0
    check_facts(fixture_mbr_extended, records(db))
    assert not [pid for pid in started if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]


def test_unused_workers_are_stopped() -> None:
    with WorkerProcesses(2).start() as processes:
        pids = [worker.process.pid for worker in processes._waiting]
        assert all(psutil.pid_exists(pid) for pid in pids)
    assert processes._waiting == [None, None]
    assert not [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]


def test_a_worker_that_died_while_waiting_is_replaced(case_with, fixture_mbr_extended) -> None:
    db = case_with(fixture_mbr_extended.image)
    with WorkerProcesses(2).start() as processes:
        dead = processes._waiting[0].process
        os.kill(dead.pid, signal.SIGKILL)
        dead.join(5)
        with assert_unchanged(fixture_mbr_extended.evidence_files):
            outcome = ingest(db, processes=processes)
    assert outcome.status == "finished" and outcome.items_failed == 0
    check_facts(fixture_mbr_extended, records(db))


def test_a_command_that_fails_before_its_job_leaves_no_worker(tmp_path, capsys) -> None:
    before = {process.pid for process in _workers_alive()}
    run = cli(capsys, "ingest", tmp_path / "no-case", "--workers", "2")
    assert run.code == 2
    assert {process.pid for process in _workers_alive()} <= before


def test_workers_start_with_one_thread_per_native_pool_and_the_given_variables(monkeypatch) -> None:
    """OpenBLAS and OpenMP pools get one thread (a value set on purpose is kept); the executor's own
    changes (a variable removed, one set) reach the worker only, not this process."""
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setenv("CUSTOS_TEST_DROPPED", "x")
    before = dict(os.environ)
    with WorkerProcesses(1, {"CUSTOS_TEST_DROPPED": None, "CUSTOS_TEST_SET": "y"}).start() as processes:
        environment = environ_of(processes._waiting[0].process.pid)
    assert environment["OPENBLAS_NUM_THREADS"] == "1"
    assert environment["MKL_NUM_THREADS"] == os.environ.get("MKL_NUM_THREADS", "1")
    assert environment["OMP_NUM_THREADS"] == "3"
    assert "CUSTOS_TEST_DROPPED" not in environment and environment["CUSTOS_TEST_SET"] == "y"
    assert dict(os.environ) == before
