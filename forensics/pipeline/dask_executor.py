"""The cluster executor: the same work items as the local one, run by the workers of a Dask cluster.

Batches from the feed become Dask tasks (:func:`forensics.pipeline.cluster_worker.run_batch`) submitted to
the scheduler at ``address``; results come back to this process, where the one writer stores them, and
children found inside items arrive through a Dask queue ahead of their parent's result. Failures:

* the custos process of a Dask worker dies on an item (native crash) or exceeds the per-item time limit:
  the Dask worker reports it; the item is tried again alone, on another worker where there is one, up
  to ``attempts`` times in all, then stored as an error with the reason and the machines it was tried on;
  the other items of its batch run again;
* a Dask worker itself dies (killed, machine lost): the scheduler gives its tasks to other workers;
  a batch that kills its workers more often than the scheduler allows (``KilledWorker``) is split into
  single items, and an item that does so alone is stored as an error;
* a Dask worker that cannot run custos at all (evidence not reachable, another version) stops the job with
  its message: the items stay pending, and the job resumes once the cluster is fixed.

Cancel: the tasks are cancelled on the scheduler and each Dask worker kills its custos process; the items
stay pending (resumable), as locally. Which machines processed items is kept in :attr:`machines`.
This module is imported only for ``--cluster``: a local ingest never imports Dask.
"""

from __future__ import annotations

import contextlib
import pickle
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator

from distributed import Client, Future, KilledWorker, Queue

from forensics.evidence.extractions.access import ExtractionAccess
from forensics.pipeline.cluster_worker import (
    BatchOutcome,
    ClusterJob,
    ClusterWorkerError,
    prepare_processes,
    run_batch,
)
from forensics.pipeline.executor import ExecutorError
from forensics.pipeline.tasks import ChildResult, ItemResult, TaskOptions, WorkItem

OUTSTANDING_BATCHES = 2  # per Dask worker thread, as per local worker
WAIT_STEP = 0.01  # seconds between two looks at the submitted batches
POLL_SECONDS = 0.2  # longest wait for a batch before cancel, children and progress are looked at again
CONNECT_SECONDS = 20.0  # to reach the scheduler
NO_WORKER_SECONDS = 120.0  # a cluster without any worker for this long stops the job (items stay pending)
ITEM_ATTEMPTS = 3  # tries of an item whose process dies or hangs on it, then it is stored as an error
MAX_IDLE_DEATHS = 3  # batches in a row whose process died before any item: the workers cannot start
CHILDREN_QUEUE_SIZE = 64  # messages of children waiting on the scheduler (the Dask workers wait when full)
PREPARE_SECONDS = 10.0  # longest wait for the Dask workers to start their custos processes ahead


def _prepare_workers(client: Client, finished_token: str | None) -> None:
    """Have each Dask worker start its custos processes ahead (after a job: stop that job's first).

    Only a head start: a worker that does not answer in time starts them at its first batch.
    """
    with contextlib.suppress(Exception):
        client.run(prepare_processes, finished_token, on_error="ignore", callback_timeout=PREPARE_SECONDS)


class DaskExecutor:
    """Runs work items on a Dask cluster; the interface of :class:`forensics.pipeline.executor.Executor`."""

    def __init__(
        self,
        address: str,
        evidence_path: str,
        options: TaskOptions,
        item_timeout: float,
        extraction: ExtractionAccess | None = None,
        *,
        attempts: int = ITEM_ATTEMPTS,
        connect_timeout: float = CONNECT_SECONDS,
        no_worker_timeout: float = NO_WORKER_SECONDS,
    ) -> None:
        if extraction is not None and extraction.secrets is not None and not address.startswith("tls://"):
            raise ExecutorError(
                "the keys of an encrypted extraction travel to the Dask workers: use a tls:// scheduler "
                "address (or ingest this item on this machine, without --cluster)"
            )
        self.address = address
        self.token = uuid.uuid4().hex
        self.job = ClusterJob(
            self.token,
            evidence_path,
            options,
            extraction,
            item_timeout,
            f"custos-children-{self.token}",
        )
        self.attempts = max(1, attempts)
        self.connect_timeout = connect_timeout
        self.no_worker_timeout = no_worker_timeout
        self.replaced = 0  # custos processes of Dask workers replaced after a death or hang, and lost workers
        self.machines: dict[str, set[str]] = {}  # host name -> addresses of its Dask workers that did work
        self._client: Client | None = None
        self._queue: Queue | None = None
        self._running: dict[Future, list[WorkItem]] = {}
        self._tries: dict[int, list[tuple[str, str]]] = {}  # file id -> (host, worker) it died or hung on
        self._next_id = 0
        self._idle_deaths = 0

    # -- connection ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Connect to the scheduler (idempotent); refuses an unreachable one with one line."""
        if self._client is not None:
            return
        try:
            self._client = Client(self.address, timeout=self.connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from exc
        self._queue = Queue(self.job.children_queue, client=self._client, maxsize=CHILDREN_QUEUE_SIZE)
        _prepare_workers(self._client, None)  # their interpreter start and imports overlap the enumeration

    def _connected(self) -> Client:
        """The client of a started executor."""
        if self._client is None:
            raise ExecutorError("the cluster executor is used before start()")
        return self._client

    def machine_names(self) -> list[str]:
        """``host (address, ...)`` of every machine whose Dask workers processed items, sorted."""
        return [
            f"{host} ({', '.join(sorted(addresses))})" for host, addresses in sorted(self.machines.items())
        ]

    def busy_items(self) -> list[WorkItem]:
        return []  # the items a remote process is on are not followed one by one (a batch at a time)

    def _capacity(self) -> int:
        """Batches to keep submitted: ``OUTSTANDING_BATCHES`` per thread of the cluster's workers."""
        workers = self._connected().scheduler_info(n_workers=-1).get("workers", {})
        return OUTSTANDING_BATCHES * sum(int(w.get("nthreads", 1)) for w in workers.values())

    # -- the job -----------------------------------------------------------------------------------------
    def run(
        self,
        batches: Iterator[list[WorkItem]],
        on_results: Callable[[list[ItemResult]], None],
        cancelled: Callable[[], bool],
        on_tick: Callable[[], None] | None = None,
        on_children: Callable[[int, list[ChildResult]], None] | None = None,
    ) -> bool:
        self.start()
        requeued: deque[tuple[list[WorkItem], list[str] | None]] = deque()
        source_done = False
        completed = False
        capacity, capacity_at = 0, 0.0
        no_worker_since: float | None = None
        try:
            while True:
                if cancelled():
                    return False
                now = time.monotonic()
                if now - capacity_at > 2.0:  # workers come and go: look again every few seconds
                    capacity, capacity_at = self._capacity(), now
                    no_worker_since = (no_worker_since or now) if capacity == 0 else None
                    if no_worker_since is not None and now - no_worker_since > self.no_worker_timeout:
                        raise ExecutorError(
                            f"no Dask worker connected to the scheduler at {self.address} for "
                            f"{self.no_worker_timeout:g} s"
                        )
                source_done = self._dispatch(batches, requeued, source_done, max(capacity, 1))
                if source_done and not requeued and not self._running:
                    completed = True
                    return True
                finished = self._wait()
                self._take_children(on_children)  # every child of a finished batch is on the queue by now
                for future in finished:
                    items = self._running.pop(future)
                    self._settle(future, items, requeued, on_results)
                if on_tick:
                    on_tick()
        finally:
            self._close(graceful=completed)

    def _wait(self) -> list[Future]:
        """The submitted batches that have ended, waiting up to ``POLL_SECONDS`` for one."""
        deadline = time.monotonic() + POLL_SECONDS
        while True:
            done = [future for future in self._running if future.done()]
            if done or time.monotonic() >= deadline:
                return done
            time.sleep(WAIT_STEP)

    def _dispatch(self, batches, requeued: deque, source_done: bool, capacity: int) -> bool:
        """Submit batches up to ``capacity`` in flight; returns whether ``batches`` has ended."""
        while len(self._running) < capacity:
            avoid: list[str] | None = None
            if requeued:
                batch, avoid = requeued.popleft()
            elif source_done:
                return True
            else:
                batch = next(batches, None)
                if batch is None:
                    return True
                if not batch:  # none ready yet
                    return False
            self._submit(batch, avoid)
        return source_done

    def _submit(self, batch: list[WorkItem], avoid: list[str] | None) -> None:
        self._next_id += 1
        placement = {}
        if avoid:  # another worker than the ones this item's process died on, where there is one
            workers = self._connected().scheduler_info(n_workers=-1).get("workers", {})
            others = [address for address in workers if address not in avoid]
            if others:
                placement = {"workers": others, "allow_other_workers": True}
        future = self._connected().submit(
            run_batch,
            self.job,
            self._next_id,
            batch,
            key=f"custos-batch-{self.token}-{self._next_id}",
            pure=False,
            retries=0,
            **placement,
        )
        self._running[future] = batch

    def _take_children(self, on_children) -> None:
        """Children waiting on the queue, to the writer (ahead of their parents' results)."""
        if self._queue is None:
            return
        for payload in self._queue.get(batch=True):
            parent_id, children = pickle.loads(payload)
            if on_children is not None:
                on_children(parent_id, children)

    def _settle(self, future: Future, items: list[WorkItem], requeued: deque, on_results) -> None:
        """One finished task: results to the writer; retries, splits or failures for what went wrong."""
        if future.status == "error":
            error = future.exception()
            if isinstance(error, ClusterWorkerError):
                raise ExecutorError(str(error)) from None
            if not isinstance(error, KilledWorker):
                raise ExecutorError(
                    f"a Dask worker failed a batch: {type(error).__name__}: {error}"
                ) from None
            self.replaced += 1
            if len(items) > 1:  # which item killed its workers is unknown: each alone
                requeued.extend(([item], None) for item in items)
            else:
                on_results(
                    [
                        ItemResult(
                            items[0].file_id,
                            "error",
                            error=f"the Dask workers running this item died ({error})",
                        )
                    ]
                )
            return
        if future.status != "finished":  # cancelled by the scheduler (it lost the task): run it again
            requeued.append((items, None))
            return
        outcome: BatchOutcome = future.result()
        self.machines.setdefault(outcome.host, set()).add(outcome.worker or outcome.host)
        self.replaced += outcome.replaced
        died_idle = not outcome.results and not outcome.failed and outcome.replaced
        self._idle_deaths = self._idle_deaths + 1 if died_idle else 0
        if self._idle_deaths > MAX_IDLE_DEATHS:
            raise ExecutorError(
                f"custos processes on the Dask worker {outcome.worker} ({outcome.host}) keep dying before "
                "processing any item; see that worker's log"
            )
        if outcome.unfinished:
            requeued.append((outcome.unfinished, None))
        failed = []
        by_id = {item.file_id: item for item in items}
        for file_id, reason in outcome.failed:
            tried = self._tries.setdefault(file_id, [])
            tried.append((outcome.host, outcome.worker))
            if len(tried) < self.attempts and file_id in by_id:
                requeued.append(([by_id[file_id]], [worker for _host, worker in tried]))
            else:
                hosts = ", ".join(sorted({host for host, _worker in tried}))
                failed.append(
                    ItemResult(file_id, "error", error=f"{reason} ({len(tried)} tries, on {hosts})")
                )
        if outcome.results:
            on_results(outcome.results)
        if failed:
            on_results(failed)

    def _close(self, graceful: bool) -> None:
        """Cancel what still runs (its items stay pending) and leave the scheduler."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if self._running and not graceful:
                client.cancel(list(self._running), force=True)
            self._running.clear()
            if self._queue is not None:
                self._queue.close()
            _prepare_workers(client, self.token)  # this job's processes stopped, the next job's ahead
        finally:
            client.close()
