"""The Dask worker's side of a cluster ingest: each batch runs in a custos worker process on that machine.

:func:`run_batch` is the Dask task. It does not read evidence in the Dask worker's own process: it hands
the batch to a custos worker process on the same machine (the local executor's
:func:`forensics.pipeline.worker.worker_main`, one per Dask worker thread, kept from batch to batch of a
job), so that a native crash or a hang in a parser costs that process only and is blamed on the item it
was on, exactly as on a workstation; the Dask worker lives on and answers for the batch. Children found
inside items travel to the ingest process through a Dask queue as they are found (in bounded memory),
ahead of the batch's result.

The Dask worker must be allowed to start processes: run it with ``DASK_DISTRIBUTED__WORKER__DAEMON=False``
in its environment (``docs/cluster.md``). Evidence paths are mapped with ``CUSTOS_EVIDENCE_MAP``
(:mod:`forensics.evidence.path_map`).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import socket
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait

import forensics
from forensics.core.errors import CustosError
from forensics.evidence.extractions.access import ExtractionAccess
from forensics.evidence.path_map import EVIDENCE_MAP_VARIABLE, mapped_evidence_path
from forensics.pipeline.executor import WorkerProcesses, _Worker
from forensics.pipeline.tasks import ChildResult, ItemResult, TaskOptions, WorkItem
from forensics.pipeline.worker import CHILDREN

POLL_SECONDS = 0.2  # how often a batch's process is checked (alive, within the time limit, still wanted)
QUEUE_PUT_SECONDS = 5.0  # one attempt to hand children to a full queue, before the task checks it is wanted
STOP_SECONDS = 2.0  # a process asked to stop that has not ended by then is killed


class ClusterWorkerError(CustosError):
    """A Dask worker cannot run custos batches at all (evidence not reachable, wrong version, set-up)."""


@dataclass(frozen=True)
class ClusterJob:
    """The settings of one run of an ingest job, sent with each of its batches (small and picklable).

    ``token`` names the run (a worker keeps its process for batches of the same token);
    ``children_queue`` is the Dask queue the run's children go through; ``version`` is the ingest
    process's custos version (a worker of another version refuses the batch).
    """

    token: str
    evidence_path: str
    options: TaskOptions
    extraction: ExtractionAccess | None
    item_timeout: float
    children_queue: str | None
    version: str = forensics.__version__


@dataclass
class BatchOutcome:
    """What one batch gave: results, the items whose process died or hung, the items not processed.

    ``failed``: (file id, why) for the item a process died on or that exceeded the time limit;
    ``unfinished``: items whose results were lost with a dead process or never started (to run again);
    ``host`` and ``worker``: the machine's name and the Dask worker's address, for the custody log.
    """

    results: list[ItemResult] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    unfinished: list[WorkItem] = field(default_factory=list)
    host: str = ""
    worker: str = ""
    replaced: int = 0


class _Pool:
    """The custos worker processes of one Dask worker process: one slot per Dask thread."""

    def __init__(self, slots: int) -> None:
        self.processes = WorkerProcesses(slots, _without_nanny_settings())
        self.free = list(range(self.processes.count))
        self.lock = threading.Lock()
        self.running: dict[int, tuple[_Worker, str]] = {}  # slot -> (process, token of its settings)
        self.ahead_environ: dict[int, dict[str, str]] = {}  # slot -> os.environ its waiting process got

    def acquire(self) -> int:
        with self.lock:
            if not self.free:  # more threads than slots (the worker's thread count grew): one more slot
                raise ClusterWorkerError("no free custos worker slot on this Dask worker")
            return self.free.pop()

    def release(self, slot: int) -> None:
        with self.lock:
            self.free.append(slot)

    def worker(self, slot: int, job: ClusterJob, evidence_path: str) -> _Worker:
        """The slot's process for ``job`` (started and handed the job's settings when needed)."""
        running = self.running.get(slot)
        if running is not None:
            worker, token = running
            if token == job.token and worker.process.is_alive():
                return worker
            self.stop(slot)
        worker = self._ahead(slot) or self.processes.spawn(slot)
        worker.conn.send((evidence_path, job.options, job.extraction))
        self.running[slot] = (worker, job.token)
        return worker

    def _ahead(self, slot: int) -> _Worker | None:
        """The slot's process started ahead, if any and if this process's environment is still the one
        it started with (a variable set on the Dask worker since then reaches only a new process)."""
        worker = self.processes.take(slot)
        started_with = self.ahead_environ.pop(slot, None)
        if worker is not None and started_with != dict(os.environ):
            _end(worker, kill=False)
            return None
        return worker

    def prepare(self, finished_token: str | None = None) -> int:
        """A process started ahead in every free slot, waiting for its job's settings (its interpreter
        start and imports then cost the next job nothing); first the free slots' processes of the job
        ``finished_token`` are stopped. Returns the processes started."""
        started = 0
        with self.lock:
            for slot in self.free:
                worker, token = self.running.get(slot, (None, None))
                if worker is not None and (token == finished_token or not worker.process.is_alive()):
                    self.stop(slot)
                if slot not in self.running and self.processes.waiting(slot) is None:
                    self.ahead_environ[slot] = dict(os.environ)
                    self.processes.start_one(slot)
                    started += 1
        return started

    def stop(self, slot: int, kill: bool = False) -> None:
        """End the slot's process (asked politely unless ``kill``) and forget it."""
        running = self.running.pop(slot, None)
        if running is None:
            return
        _end(running[0], kill)
        self.processes.slot.release_for(slot)  # a process killed inside a heavy step gives its slot back


def _end(worker: _Worker, kill: bool) -> None:
    """Stop one custos process: asked to end (unless ``kill``), killed if it does not."""
    if not kill:
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        worker.process.join(STOP_SECONDS)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(STOP_SECONDS)
    worker.conn.close()


def _without_nanny_settings() -> dict[str, str | None]:
    """The variables a Dask nanny sets for its worker process (``distributed.nanny.pre-spawn-environ``)
    that the custos processes must not inherit: glibc's ``MALLOC_TRIM_THRESHOLD_`` (64 KiB by default)
    makes the allocator hand memory back to the system after every large picture, doubling the system
    time of a triage worker. Removed where its value is the nanny's (one set on purpose differs)."""
    try:
        import dask.config

        nanny = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    except ImportError:
        return {}
    name = "MALLOC_TRIM_THRESHOLD_"
    if name in nanny and os.environ.get(name) == str(nanny[name]):
        return {name: None}
    return {}


def prepare_processes(finished_token: str | None = None) -> int:
    """Run on each Dask worker by the ingest (``Client.run``): when a job starts, and after it ends with
    its token, so that a job's custos processes are started ahead instead of at its first batch."""
    return _pool().prepare(finished_token)


_POOL: _Pool | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> _Pool:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            if mp.current_process().daemon:
                raise ClusterWorkerError(
                    f"Dask worker on {socket.gethostname()} cannot start processes: start it with "
                    "DASK_DISTRIBUTED__WORKER__DAEMON=False in its environment (docs/cluster.md)"
                )
            _POOL = _Pool(_dask_threads())
        return _POOL


def _dask_threads() -> int:
    """Threads of the Dask worker this runs in (one custos process each); 1 outside a Dask worker."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError):
        return 1


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return ""


def _still_wanted() -> bool:
    """False once the scheduler has cancelled this task (the ingest was cancelled or went away)."""
    try:
        from distributed import get_worker
        from distributed.worker import thread_state

        task = get_worker().state.tasks.get(thread_state.key)
    except (ImportError, ValueError, AttributeError):
        return True
    return task is not None and task.state not in ("cancelled", "released", "forgotten")


class _ChildSender:
    """Children found inside items, handed to the ingest process through the job's Dask queue."""

    def __init__(self, name: str | None) -> None:
        self.queue = None
        if name is not None:
            from distributed import Queue, get_client

            self.queue = Queue(name, client=get_client())

    def send(self, parent_id: int, children: list[ChildResult]) -> bool:
        """Put one message on the queue, waiting while it is full; False when the task is no longer wanted."""
        if self.queue is None:
            return True
        payload = pickle.dumps((parent_id, children), protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            try:
                self.queue.put(payload, timeout=QUEUE_PUT_SECONDS)
                return True
            except TimeoutError:
                if not _still_wanted():
                    return False


def run_batch(job: ClusterJob, batch_id: int, items: list[WorkItem]) -> BatchOutcome:
    """The Dask task: process ``items`` in this machine's custos worker process for the calling thread."""
    if job.version != forensics.__version__:
        raise ClusterWorkerError(
            f"Dask worker on {socket.gethostname()} runs custos {forensics.__version__}, the ingest "
            f"custos {job.version}: install the same version on every machine of the cluster"
        )
    evidence_path = mapped_evidence_path(job.evidence_path)
    if not os.path.exists(evidence_path):
        raise ClusterWorkerError(
            f"evidence {evidence_path} is not reachable from the Dask worker on {socket.gethostname()} "
            f"(mount the evidence share read-only there; {EVIDENCE_MAP_VARIABLE} maps another mount point)"
        )
    outcome = BatchOutcome(host=socket.gethostname(), worker=_worker_address())
    pool = _pool()
    slot = pool.acquire()
    try:
        sender = _ChildSender(job.children_queue)
        worker = pool.worker(slot, job, evidence_path)
        try:
            worker.conn.send((batch_id, items))
        except OSError:  # the process ended while idle (its parent thread went away): a fresh one
            pool.stop(slot, kill=True)
            outcome.replaced += 1
            worker = pool.worker(slot, job, evidence_path)
            worker.conn.send((batch_id, items))
        _follow(pool, slot, worker, job, items, sender, outcome)
    finally:
        pool.release(slot)
    return outcome


def _follow(
    pool: _Pool,
    slot: int,
    worker: _Worker,
    job: ClusterJob,
    items: list[WorkItem],
    sender: _ChildSender,
    outcome: BatchOutcome,
) -> None:
    """Wait for the batch's results, forwarding children; on death, hang or cancel, say what is left."""
    current, started = pool.processes.current, pool.processes.started
    while True:
        if wait([worker.conn], timeout=POLL_SECONDS):
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                message = None  # the process died; seen below
            if message is not None and message[0] == CHILDREN:
                if not sender.send(message[1], message[2]):
                    pool.stop(slot, kill=True)
                    outcome.unfinished = list(items)
                    return
                continue
            if message is not None:
                _batch_id, results = message
                outcome.results = results
                return
        if not _still_wanted():
            pool.stop(slot, kill=True)  # the items stay pending in the case
            outcome.unfinished = list(items)
            return
        alive = worker.process.is_alive()
        on = current[slot]  # read after: a dead process's item no longer changes
        if alive and not (on and time.monotonic() - started[slot] > job.item_timeout):
            continue
        if alive:
            reason = f"item took longer than the {job.item_timeout:g} s limit; worker stopped"
        else:
            reason = f"worker process died (exit code {worker.process.exitcode}) while reading this item"
        pool.stop(slot, kill=True)
        outcome.replaced += 1
        if on:
            outcome.failed.append((on, reason))
        outcome.unfinished = [item for item in items if item.file_id != on]
        return
