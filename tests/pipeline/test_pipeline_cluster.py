"""Ingest on a real Dask cluster (a scheduler and two workers on 127.0.0.1): results, deaths, hangs, cancel.

The same evidence through the local executor and through the cluster gives the same rows; a Dask worker
killed with SIGKILL mid-job loses and duplicates nothing; an item whose process crashes or hangs is tried a
bounded number of times and then stored as an error, the others done; cancel leaves a resumable job.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import sys
import threading
from collections import Counter

import psutil
import pytest
from sqlalchemy import select

from forensics.case.models import File, IngestError, IngestJob
from forensics.core.progress import CancelToken, Progress
from forensics.pipeline.executor import ExecutorError
from forensics.pipeline.processing_profiles import ProcessingProfile, load_profile
from forensics.pipeline.tasks import TaskOptions
from tests.dask_cluster import LocalDask, set_environment
from tests.fixtures import assert_unchanged
from tests.pipeline.helpers import check_facts, ingest, records
from tests.pipeline.test_pipeline_worker_processes import environ_of

pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install distributed)")
from forensics.pipeline.dask_executor import ITEM_ATTEMPTS, DaskExecutor  # noqa: E402 - needs Dask

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "killpg"), reason="the test cluster is stopped by process group"),
]


def _profile(name: str = "hashes", **changes) -> ProcessingProfile:
    return dataclasses.replace(load_profile(name), **changes)


def test_cluster_rows_equal_local_rows(case_with, fixture_mbr_extended, dask: LocalDask) -> None:
    local, remote = case_with(fixture_mbr_extended.image), case_with(fixture_mbr_extended.image)
    with assert_unchanged(fixture_mbr_extended.evidence_files):
        ingest(local, _profile("full"))
        outcome = ingest(remote, _profile("full"), cluster=dask.address)
    assert outcome.status == "finished" and outcome.items_failed == 0
    assert records(remote) == records(local)
    check_facts(fixture_mbr_extended, records(remote))
    assert outcome.cluster == dask.address
    assert outcome.machines and all("tcp://127.0.0.1:" in machine for machine in outcome.machines)
    assert outcome.counts()["machines"] == outcome.machines


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(case_with, fixture_many_files, dask) -> None:
    db = case_with(fixture_many_files.image)
    dask.run_on_workers(set_environment, {"CUSTOS_TEST_ITEM_DELAY": "0.004"})  # a job of several seconds
    pids = dask.worker_pids()
    _address, victim = sorted(pids.items())[0]
    killed = threading.Event()

    def kill_once_started(progress: Progress) -> None:
        if not killed.is_set() and progress.items_done > 0:
            killed.set()
            os.kill(victim, signal.SIGKILL)

    with assert_unchanged(fixture_many_files.evidence_files):
        outcome = ingest(db, _profile(), cluster=dask.address, on_progress=kill_once_started)
    assert killed.is_set()
    assert outcome.status == "finished" and outcome.items_failed == 0
    dask.wait_for_workers(2)  # the nanny started a new worker in the killed one's place
    assert victim not in dask.worker_pids().values()
    assert outcome.items_done == outcome.items_total
    stored = records(db)  # fails if an item is stored twice
    assert all(r["status"] in ("done", "no-content") for r in stored.values())
    check_facts(fixture_many_files, stored)
    with db.session() as s:
        assert not s.scalars(select(IngestError)).all()


@pytest.mark.parametrize(
    ("variable", "victim", "reason"),
    [
        ("CUSTOS_TEST_CRASH_ON", "readme.txt", "worker process died (exit code -11)"),
        ("CUSTOS_TEST_HANG_ON", "Überweisung 2024.txt", "longer than the 1.5 s limit"),
    ],
    ids=["crash", "hang"],
)
def test_an_item_that_kills_its_process_is_tried_then_failed(
    case_with, fixture_mbr_extended, dask, variable: str, victim: str, reason: str
) -> None:
    db = case_with(fixture_mbr_extended.image)
    dask.run_on_workers(set_environment, {variable: victim})
    with assert_unchanged(fixture_mbr_extended.evidence_files):
        outcome = ingest(db, _profile(item_timeout=1.5), cluster=dask.address)
    assert outcome.status == "finished" and outcome.workers_replaced >= ITEM_ATTEMPTS
    stored = records(db)
    failed = [r for r in stored.values() if r["status"] == "error"]
    assert {r["name"] for r in failed} == {victim} and outcome.items_failed == len(failed)
    assert all(reason in r["error"] and f"({ITEM_ATTEMPTS} tries, on " in r["error"] for r in failed)
    assert not [r for r in stored.values() if r["status"] == "pending"]
    with db.session() as s:
        errors = s.scalars(select(IngestError.file_id).where(IngestError.stage == "process")).all()
        assert Counter(errors) == Counter(s.scalars(select(File.id).where(File.status == "error")).all())
    for fact in fixture_mbr_extended.files():
        path = fact["deleted_name"] if fact["deleted"] else fact["path"]
        row = stored[f"{fact['filesystem_offset']}:{path}"]
        if fact["kind"] == "file" and row["name"] != victim:
            assert row["sha256"] == fact["sha256"], path


def test_cancel_on_the_cluster_then_resume(case_with, fixture_many_files, dask) -> None:
    db = case_with(fixture_many_files.image)
    dask.run_on_workers(set_environment, {"CUSTOS_TEST_ITEM_DELAY": "0.004"})
    cancel = CancelToken()

    def stop_after_some(progress: Progress) -> None:
        if progress.items_done > 0:
            cancel.cancel()

    with assert_unchanged(fixture_many_files.evidence_files):
        first = ingest(db, _profile(), cluster=dask.address, cancel=cancel, on_progress=stop_after_some)
        assert first.status == "cancelled" and first.items_done < first.items_total
        dask.run_on_workers(set_environment, {"CUSTOS_TEST_ITEM_DELAY": None})
        second = ingest(db, _profile(), cluster=dask.address)
    assert second.status == "finished" and second.resumed_from == first.job_id
    assert second.items_done == second.items_total == first.items_total
    with db.session() as s:
        assert [j.status for j in s.scalars(select(IngestJob).order_by(IngestJob.id))] == [
            "cancelled",
            "finished",
        ]
    check_facts(fixture_many_files, records(db))


def test_workers_find_the_evidence_through_their_path_map(
    case_with, fixture_mbr_extended, dask, tmp_path
) -> None:
    """The case records the intake machine's path; the workers read the same file under another mount."""
    intake_side = tmp_path / "srv" / "evidence"
    intake_side.mkdir(parents=True)
    image = intake_side / "disk.raw"
    shutil.copyfile(fixture_mbr_extended.image, image)
    db = case_with(image)
    worker_root = tmp_path / "mnt"
    dask.run_on_workers(set_environment, {"CUSTOS_EVIDENCE_MAP": f"{intake_side.parent}={worker_root}"})
    with pytest.raises(ExecutorError, match=r"mnt/evidence/disk.raw is not reachable from the Dask worker"):
        ingest(db, _profile(), cluster=dask.address)  # the workers look under mnt/, empty for now
    (worker_root / "evidence").mkdir(parents=True)
    shutil.copyfile(image, worker_root / "evidence" / "disk.raw")
    with assert_unchanged([worker_root / "evidence" / "disk.raw"]):
        outcome = ingest(db, _profile(), cluster=dask.address)
    assert outcome.status == "finished" and outcome.items_failed == 0
    check_facts(fixture_mbr_extended, records(db))


def test_an_unreachable_scheduler_is_one_line(case_with, fixture_mbr_extended) -> None:
    db = case_with(fixture_mbr_extended.image)
    executor = DaskExecutor(
        "tcp://127.0.0.1:9", str(fixture_mbr_extended.image), TaskOptions(), 60, connect_timeout=2
    )
    with pytest.raises(ExecutorError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        ingest(db, _profile(), executor=executor)


def test_a_local_ingest_never_imports_dask(tmp_path, fixture_mbr_extended) -> None:
    """Run in a fresh interpreter: the engine and the CLI path of a local ingest leave Dask alone."""
    script = (
        "import sys\n"
        "from forensics.case.db import CaseDatabase\n"
        "from forensics.case.store import record_evidence\n"
        "from forensics.evidence.survey import survey_image\n"
        "from tests.pipeline.helpers import ingest\n"
        f"db = CaseDatabase({str(tmp_path / 'case')!r}, create=True)\n"
        "with db.session() as s:\n"
        f"    survey = survey_image(__import__('pathlib').Path({str(fixture_mbr_extended.image)!r}))\n"
        "    record_evidence(s, 'EXH-1', survey, {}, 'A')\n"
        "import app.commands.ingest, forensics.services.ingest\n"
        "outcome = ingest(db, workers=1)\n"
        "assert outcome.status == 'finished', outcome\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    import subprocess

    from tests.dask_cluster import REPO_ROOT

    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _pool_state() -> dict:
    """Run in a Dask worker: the pids of its custos processes, waiting (started ahead) and running."""
    from forensics.pipeline import cluster_worker

    pool = cluster_worker._POOL
    if pool is None:
        return {"waiting": [], "running": []}
    waiting = [pool.processes.waiting(slot) for slot in range(pool.processes.count)]
    return {
        "waiting": [worker.process.pid for worker in waiting if worker is not None],
        "running": [worker.process.pid for worker, _token in pool.running.values()],
    }


def test_a_job_uses_processes_started_ahead(case_with, fixture_mbr_extended, dask) -> None:
    """A job's custos processes are started when it connects (not at its first batch); when it ends they
    are stopped and new ones wait for the next job, which gets them."""
    first, second = case_with(fixture_mbr_extended.image), case_with(fixture_mbr_extended.image)
    assert ingest(first, _profile(), cluster=dask.address).status == "finished"
    after_first = dask.run_on_workers(_pool_state)
    for state in after_first.values():
        assert len(state["waiting"]) == 1 and state["running"] == []  # the job's own processes stopped
    ahead = {pid for state in after_first.values() for pid in state["waiting"]}
    assert all(psutil.pid_exists(pid) for pid in ahead)

    outcome = ingest(second, _profile(), cluster=dask.address)
    assert outcome.status == "finished" and outcome.items_failed == 0
    after_second = dask.run_on_workers(_pool_state)
    # a process started ahead ends only once a job took it and finished (one not taken waits on)
    taken = {pid for pid in ahead if not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"}
    assert taken, "the second job started processes of its own"
    for worker, state in after_second.items():
        assert len(state["waiting"]) == 1 and state["running"] == []
        if state["waiting"] != after_first[worker]["waiting"]:
            assert set(after_first[worker]["waiting"]) <= taken
    check_facts(fixture_mbr_extended, records(second))


def test_a_process_started_ahead_is_not_used_once_the_environment_changed(monkeypatch, fixture_mbr_extended):
    """A variable set on the Dask worker after a process was started ahead reaches the job's process."""
    from forensics.pipeline.cluster_worker import ClusterJob, _Pool

    monkeypatch.delenv("CUSTOS_TEST_LATE", raising=False)
    pool = _Pool(1)
    evidence = str(fixture_mbr_extended.image)  # the processes open it and wait for batches
    job = ClusterJob("token-1", evidence, TaskOptions(), None, 60.0, None)
    try:
        assert pool.prepare() == 1
        ahead = pool.processes.waiting(0)
        assert pool.worker(0, job, evidence) is ahead  # taken as it is
        assert pool.prepare("token-1") == 1  # the finished job's process stopped, a new one ahead
        ahead.process.join(5)
        assert not ahead.process.is_alive()
        second_ahead = pool.processes.waiting(0)
        monkeypatch.setenv("CUSTOS_TEST_LATE", "1")
        worker = pool.worker(0, dataclasses.replace(job, token="token-2"), evidence)
        assert worker is not second_ahead and not second_ahead.process.is_alive()
        environment = environ_of(worker.process.pid)
        assert environment.get("CUSTOS_TEST_LATE") == "1", (sorted(environment), worker.process.exitcode)
    finally:
        pool.stop(0)
        pool.processes.close()


def test_the_nannys_allocator_setting_is_not_passed_to_custos_processes(monkeypatch) -> None:
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_ for its worker; custos processes do without it, unless
    the lab set another value on purpose."""
    import dask.config

    from forensics.pipeline.cluster_worker import _without_nanny_settings

    nanny = dask.config.get("distributed.nanny.pre-spawn-environ")
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", str(nanny["MALLOC_TRIM_THRESHOLD_"]))
    assert _without_nanny_settings() == {"MALLOC_TRIM_THRESHOLD_": None}
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1048576")
    assert _without_nanny_settings() == {}
