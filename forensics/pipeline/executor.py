"""Executors run the per-item tasks; the local one uses crash-isolated worker processes.

Each worker process opens its own evidence handles and receives batches over its own pipe (so a
worker that crashes or is killed cannot corrupt a channel another worker uses). A worker that dies
(segfault in a native parser, ``os._exit``) or exceeds the per-item time limit is replaced: the item
it was on is recorded as an error, the rest of its batches are given to other workers.
A distributed engine can implement :class:`Executor` and run the same :class:`WorkItem` tasks.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Protocol

from forensics.analysis.memory_gate import HeavySlot
from forensics.core.errors import CustosError
from forensics.evidence.extractions.access import ExtractionAccess
from forensics.pipeline.tasks import ChildResult, ItemResult, TaskOptions, WorkItem
from forensics.pipeline.worker import CHILDREN, worker_main

OUTSTANDING_BATCHES = 2  # per worker: bounded queues
POLL_SECONDS = 0.2  # longest wait for results before cancel and worker health are checked again
MAX_IDLE_DEATHS = 3  # workers failing at start-up this often in a row stop the job (no endless respawn)
OnResults = Callable[[list[ItemResult]], None]  # receives item results to store
# Native thread pools a worker process runs with one thread: the executor already runs a process per core,
# and a pool's threads (OpenBLAS's, for numpy's matrix products in the DCT hashes) spin waiting for work
# on cores the other workers need. A value the examiner's environment already sets is kept.
WORKER_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_ENVIRONMENT_LOCK = threading.Lock()  # os.environ is changed only for the moment a process is started


class ExecutorError(CustosError):
    """The executor cannot run the tasks at all (e.g. worker processes cannot start)."""


class Executor(Protocol):
    """Runs batches of work items and hands results back in the caller's process."""

    def start(self) -> None:
        """Get ready to work (e.g. start worker processes) before the first batch exists."""
        ...

    def run(
        self,
        batches: Iterator[list[WorkItem]],
        on_results: Callable[[list[ItemResult]], None],
        cancelled: Callable[[], bool],
        on_tick: Callable[[], None] | None = None,
        on_children: Callable[[int, list[ChildResult]], None] | None = None,
    ) -> bool:
        """Process every batch; returns False when cancelled before the end.

        ``on_children(parent_id, children)`` receives the items found inside an item (archive members,
        carved files) as they are found, before that item's own result.

        ``batches`` may yield an empty batch: none is ready yet (the items are still being
        enumerated); the executor goes on with what it has and asks again soon.
        """
        ...

    def busy_items(self) -> list[WorkItem]:
        """The items being processed right now (for progress; may be empty)."""
        ...


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    assigned: dict[int, list[WorkItem]] = field(default_factory=dict)


def worker_environment() -> dict[str, str | None]:
    """The variables a worker process starts with beyond this process's: one thread per native pool."""
    return {name: "1" for name in WORKER_THREAD_VARIABLES if not os.environ.get(name)}


@contextlib.contextmanager
def _environment_for_start(changes: Mapping[str, str | None]) -> Iterator[None]:
    """``os.environ`` with ``changes`` (None removes) while a process is started, then as before.

    A started process (spawned: a new interpreter, on POSIX and Windows) takes its environment from
    ``os.environ`` at that moment; glibc's allocator settings are read only then, too.
    """
    with _ENVIRONMENT_LOCK:
        saved = {name: os.environ.get(name) for name in changes}
        try:
            for name, value in changes.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class WorkerProcesses:
    """Worker processes, and the memory they share with their executor, started before a job is known.

    A program can start them first thing, so that their interpreter start and imports run while it
    opens the case; :class:`LocalProcessExecutor` then hands each its settings. Workers not handed to
    an executor are stopped by :meth:`close` (or at the end of a ``with`` block).
    """

    def __init__(self, count: int, environment: Mapping[str, str | None] | None = None) -> None:
        """``environment``: variables set (or, with None, removed) for the workers only, on top of
        :func:`worker_environment`'s."""
        self.count = max(1, count)
        self.environment = dict(environment or {})
        self.ctx = mp.get_context("spawn")
        self.current = self.ctx.Array("q", self.count, lock=False)
        self.started = self.ctx.Array("d", self.count, lock=False)
        # One memory-heavy step (PDQ of a large picture) at a time across the workers: bounds peak RSS.
        self.slot = HeavySlot(self.ctx.Semaphore(1), self.ctx.Array("b", self.count, lock=False))
        # Cores with no worker busy on them right now: a worker hashes a large item's MD5 on a helper
        # thread only then (the hand-over costs CPU that a busy machine has no room for).
        self.spare = self.ctx.Value("i", 0, lock=False)
        self._waiting: list[_Worker | None] = [None] * self.count  # started, settings not yet sent

    def spawn(self, index: int) -> _Worker:
        """A new worker process in slot ``index`` (it waits for its settings)."""
        parent_conn, child_conn = self.ctx.Pipe()
        self.current[index] = 0
        process = self.ctx.Process(
            target=worker_main,
            args=(index, child_conn, self.current, self.started, self.slot.for_worker(index), self.spare),
            daemon=True,
            name=f"custos-worker-{index}",
        )
        with _environment_for_start({**worker_environment(), **self.environment}):
            process.start()
        child_conn.close()
        return _Worker(process, parent_conn)

    def waiting(self, index: int) -> _Worker | None:
        """The worker started in slot ``index`` that waits for its settings, if any."""
        return self._waiting[index]

    def start_one(self, index: int) -> None:
        """Start a worker in slot ``index`` to wait for its settings (one already waiting is kept)."""
        if self._waiting[index] is None:
            self._waiting[index] = self.spawn(index)

    def start(self) -> WorkerProcesses:
        """Start a worker in every slot that has none waiting."""
        for index, worker in enumerate(self._waiting):
            if worker is None:
                self._waiting[index] = self.spawn(index)
        return self

    def take(self, index: int) -> _Worker | None:
        """The waiting worker of slot ``index`` (now the caller's to configure and stop), if any."""
        worker, self._waiting[index] = self._waiting[index], None
        if worker is not None and not worker.process.is_alive():
            worker.conn.close()
            return None
        return worker

    def close(self) -> None:
        """Stop the workers still waiting for settings."""
        for index in range(self.count):
            worker = self.take(index)
            if worker is None:
                continue
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.process.join(1.0)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)
            worker.conn.close()

    def __enter__(self) -> WorkerProcesses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalProcessExecutor:
    """N worker processes on this machine, each with its own evidence handles.

    ``processes``: workers started earlier (:class:`WorkerProcesses` with the same count) to use first.
    ``extraction``: how the workers open a phone extraction (with the keys of an encrypted one, handed
    to each worker through its pipe), None for a disk image or folder.
    """

    def __init__(
        self,
        evidence_path: str,
        options: TaskOptions,
        workers: int,
        item_timeout: float,
        processes: WorkerProcesses | None = None,
        extraction: ExtractionAccess | None = None,
    ) -> None:
        self.evidence_path = evidence_path
        self.options = options
        self.extraction = extraction
        self.count = max(1, workers)
        self.item_timeout = item_timeout
        if processes is not None and processes.count == self.count:
            self._processes = processes
        else:
            self._processes = WorkerProcesses(self.count)
        shared = self._processes
        self._current, self._started = shared.current, shared.started
        self._slot, self._spare = shared.slot, shared.spare
        self._extra_cores = max(0, (os.cpu_count() or 1) - self.count)
        self._workers: list[_Worker | None] = [None] * self.count
        self.replaced = 0
        self._idle_deaths = 0  # workers that died before finishing any item, since the last result
        self._next_id = 0
        self._on_children: Callable[[int, list[ChildResult]], None] | None = None

    def _spawn(self, index: int) -> _Worker:
        """Slot ``index`` gets a worker (one started earlier if there is one) with this job's settings."""
        worker = self._processes.take(index) or self._processes.spawn(index)
        worker.conn.send((self.evidence_path, self.options, self.extraction))
        self._workers[index] = worker
        return worker

    def start(self) -> None:
        """Spawn the worker processes (idempotent); ``run`` does it too when not done before."""
        for index, worker in enumerate(self._workers):
            if worker is None:
                self._spawn(index)

    def _worker(self, index: int) -> _Worker:
        """The worker of slot ``index`` (``run`` has started one in every slot)."""
        worker = self._workers[index]
        assert worker is not None, "a worker is read before start()"
        return worker

    def _all_workers(self) -> list[_Worker]:
        """The worker of every slot, in slot order (``run`` has started one in each)."""
        return [self._worker(index) for index in range(len(self._workers))]

    def busy_items(self) -> list[WorkItem]:
        busy = []
        for index, worker in enumerate(self._workers):
            current = self._current[index]
            if worker is None or not current:
                continue
            found = next((i for b in worker.assigned.values() for i in b if i.file_id == current), None)
            if found is not None:
                busy.append(found)
        return busy

    def run(
        self,
        batches: Iterator[list[WorkItem]],
        on_results: OnResults,
        cancelled: Callable[[], bool],
        on_tick: Callable[[], None] | None = None,
        on_children: Callable[[int, list[ChildResult]], None] | None = None,
    ) -> bool:
        self._on_children = on_children
        requeued: deque[list[WorkItem]] = deque()
        source_done = False
        completed = False
        self.start()
        try:
            while True:
                if cancelled():
                    return False
                source_done = self._dispatch(batches, requeued, source_done)
                self._count_spare_cores()
                workers = self._all_workers()
                if source_done and not requeued and not any(w.assigned for w in workers):
                    completed = True
                    return True
                conns = [w.conn for w in workers if w.assigned]
                ready = wait(conns, timeout=POLL_SECONDS) if conns else []
                for conn in ready:
                    worker = next(w for w in workers if w.conn is conn)
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        continue  # the worker died; handled below
                    if message[0] == CHILDREN:
                        self._children(message, on_results)
                        continue
                    batch_id, results = message
                    worker.assigned.pop(batch_id, None)
                    self._idle_deaths = 0
                    if not source_done or requeued:  # top the worker up before the results are written
                        source_done = self._dispatch(batches, requeued, source_done)
                    self._count_spare_cores()
                    on_results(results)
                self._check_health(requeued, on_results)
                if on_tick:
                    on_tick()
        finally:
            self._shutdown(graceful=completed)

    def _children(self, message: tuple, _on_results: OnResults) -> None:
        """Children found inside an item: to the writer now, ahead of the item's own result."""
        _tag, parent_id, children = message
        if self._on_children is not None:
            self._on_children(parent_id, children)

    def _count_spare_cores(self) -> None:
        """Publish to the workers how many cores no worker keeps busy (idle workers, unused cores)."""
        idle = sum(1 for worker in self._workers if worker is not None and not worker.assigned)
        self._spare.value = idle + self._extra_cores

    def _dispatch(
        self, batches: Iterator[list[WorkItem]], requeued: deque[list[WorkItem]], source_done: bool
    ) -> bool:
        """Top up the least loaded workers to ``OUTSTANDING_BATCHES``; returns whether ``batches`` ended."""
        while True:
            worker = min(self._all_workers(), key=lambda w: len(w.assigned))
            if len(worker.assigned) >= OUTSTANDING_BATCHES:
                return source_done
            batch: list[WorkItem] | None
            if requeued:
                batch = requeued.popleft()
            elif source_done:
                return True
            else:
                batch = next(batches, None)
                if batch is None:
                    return True
                if not batch:  # none ready yet
                    return False
            self._next_id += 1
            worker.assigned[self._next_id] = batch
            worker.conn.send((self._next_id, batch))

    def _check_health(self, requeued: deque[list[WorkItem]], on_results: OnResults) -> None:
        now = time.monotonic()
        for index, worker in enumerate(self._all_workers()):
            alive = worker.process.is_alive()
            current = self._current[index]  # read after: a dead worker's item no longer changes
            if not alive:
                reason = f"worker process died (exit code {worker.process.exitcode}) while reading this item"
                self._replace(index, current, reason, requeued, on_results)
            elif current and now - self._started[index] > self.item_timeout:
                worker.process.kill()
                worker.process.join(5)
                reason = f"item took longer than the {self.item_timeout:g} s limit; worker stopped"
                self._replace(index, current, reason, requeued, on_results)

    def _replace(
        self, index: int, current: int, reason: str, requeued: deque[list[WorkItem]], on_results: OnResults
    ) -> None:
        worker = self._worker(index)
        # Results the worker sent before dying are still in its pipe: take them first.
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == CHILDREN:
                    self._children(message, on_results)
                    continue
                batch_id, results = message
                worker.assigned.pop(batch_id, None)
                on_results(results)
        except (EOFError, OSError):
            pass
        failed: list[ItemResult] = []
        for items in worker.assigned.values():
            rest = [item for item in items if item.file_id != current]
            if len(rest) != len(items):
                failed.append(ItemResult(current, "error", error=reason))
            if rest:
                requeued.append(rest)
        worker.conn.close()
        if not current:
            self._idle_deaths += 1
            if self._idle_deaths > MAX_IDLE_DEATHS:
                raise ExecutorError(
                    f"worker processes keep dying before processing any item (last exit code "
                    f"{worker.process.exitcode}); see the log for the worker's error"
                )
        self._slot.release_for(index)  # a worker killed inside a heavy step gives its slot back
        self.replaced += 1
        self._spawn(index)
        if failed:
            on_results(failed)

    def _shutdown(self, graceful: bool) -> None:
        """Stop every worker: idle ones are asked to exit; busy ones (cancel, error) are killed at once."""
        for worker in self._workers:
            if worker is None:
                continue
            try:
                if graceful or not worker.assigned:
                    worker.conn.send(None)
                else:
                    worker.process.kill()  # its batches stay pending in the case: nothing is lost
            except OSError:
                pass
        deadline = time.monotonic() + 1.0
        for worker in self._workers:
            if worker is None:
                continue
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)
            worker.conn.close()
        self._workers = [None] * self.count


def default_workers() -> int:
    """Worker processes of a job unless told otherwise: one per core."""
    return max(1, os.cpu_count() or 1)
