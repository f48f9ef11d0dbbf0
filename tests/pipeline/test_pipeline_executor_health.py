"""The executor blames a dead worker's failure on the item it was on when it died."""

from __future__ import annotations

from collections import deque

from forensics.pipeline.executor import LocalProcessExecutor, _Worker
from forensics.pipeline.tasks import ItemResult, TaskOptions, WorkItem


class _DiesOnTheNextItem:
    """A worker process that moves on to item ``next_id`` and crashes between two health reads."""

    exitcode = -11

    def __init__(self, current, next_id: int) -> None:
        self.current = current
        self.next_id = next_id

    def is_alive(self) -> bool:
        self.current[0] = self.next_id  # the worker took its next item, then died on it
        return False


class _ClosedConn:
    def poll(self) -> bool:
        return False

    def close(self) -> None:
        pass


def test_a_worker_that_moves_on_and_dies_fails_the_item_it_died_on(monkeypatch) -> None:
    executor = LocalProcessExecutor("unused.raw", TaskOptions(), workers=1, item_timeout=60)
    first, second = WorkItem(1, {}, "first.txt", 10), WorkItem(2, {}, "second.txt", 10)
    executor._current[0] = first.file_id  # what a read before the death would have seen
    worker = _Worker(_DiesOnTheNextItem(executor._current, second.file_id), _ClosedConn())
    worker.assigned[1] = [first, second]
    executor._workers[0] = worker
    spawned: list[int] = []
    monkeypatch.setattr(executor, "_spawn", lambda index: spawned.append(index))
    written: list[ItemResult] = []
    requeued: deque[list[WorkItem]] = deque()

    executor._check_health(requeued, written.extend)

    assert [(r.file_id, r.status) for r in written] == [(second.file_id, "error")]
    assert "worker process died (exit code -11)" in written[0].error
    assert list(requeued) == [[first]] and spawned == [0]  # the other item is done again, by a new worker


def test_a_worker_publishes_the_start_time_before_the_item() -> None:
    """The health check must never see a new item with the previous item's start time."""
    from forensics.pipeline.worker import _mark_busy

    writes: list[tuple[str, float]] = []

    class Recording(list):
        def __init__(self, name: str) -> None:
            super().__init__([0])
            self.name = name

        def __setitem__(self, index, value) -> None:
            writes.append((self.name, value))
            super().__setitem__(index, value)

    current, started = Recording("current"), Recording("started")
    _mark_busy(0, 42, current, started)
    assert [name for name, _ in writes] == ["started", "current"]
    assert current[0] == 42 and started[0] > 0
