"""The executor tells its workers how many cores are free for a large item's MD5 helper thread."""

from __future__ import annotations

import os

from forensics.pipeline.executor import LocalProcessExecutor, _Worker
from forensics.pipeline.tasks import TaskOptions, WorkItem


def _executor(monkeypatch, cores: int, workers: int) -> LocalProcessExecutor:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    executor = LocalProcessExecutor("unused.raw", TaskOptions(), workers=workers, item_timeout=60)
    executor._workers = [_Worker(process=None, conn=None) for _ in range(workers)]
    return executor


def test_no_core_is_spare_while_every_worker_has_work(monkeypatch) -> None:
    executor = _executor(monkeypatch, cores=2, workers=2)
    for number, worker in enumerate(executor._workers):
        worker.assigned[number] = [WorkItem(number, {}, f"f{number}", 1)]
    executor._count_spare_cores()
    assert executor._spare.value == 0


def test_an_idle_worker_frees_its_core_for_the_others(monkeypatch) -> None:
    executor = _executor(monkeypatch, cores=2, workers=2)
    executor._workers[0].assigned[1] = [WorkItem(1, {}, "video.mp4", 1 << 30)]  # the job's last, large item
    executor._count_spare_cores()
    assert executor._spare.value == 1
    executor._workers[0].assigned.clear()
    executor._count_spare_cores()
    assert executor._spare.value == 2


def test_cores_without_a_worker_count_as_spare(monkeypatch) -> None:
    executor = _executor(monkeypatch, cores=4, workers=1)
    executor._workers[0].assigned[1] = [WorkItem(1, {}, "a", 1)]
    executor._count_spare_cores()
    assert executor._spare.value == 3
