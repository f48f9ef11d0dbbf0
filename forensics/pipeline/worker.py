"""The worker process's side of the local executor: settings, then batches, until told to stop.

Each worker opens its own evidence handles, reads each item once and sends the results of a batch back
over its own pipe. It publishes the item it is on (id and start time, in shared memory) so that the
executor can time it out, and it ends when the pipe closes (its executor is gone).
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import signal
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from forensics.analysis import memory_gate
from forensics.analysis.memory_gate import HeavySlot
from forensics.pipeline.tasks import WorkItem, process_item

# The first element of a message that carries children found inside an item (archive members, carved
# files), sent before the batch's results: (CHILDREN, parent file id, [ChildResult, ...]).
CHILDREN = "children"


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the ingest process dies (no orphans after kill -9).

    Elsewhere the worker ends when its pipe to the ingest process closes (read by :func:`worker_main`).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _stack_dump_on_request() -> None:
    """``kill -USR1 <worker>`` dumps a stuck worker's stacks, where the platform has SIGUSR1."""
    usr1 = getattr(signal, "SIGUSR1", None)
    if usr1 is not None:
        faulthandler.register(usr1, all_threads=True)


def _test_hook() -> Callable[[WorkItem], None] | None:
    """Fault injection for tests only: crash or hang on a chosen file name (env-controlled)."""
    crash = os.environ.get("CUSTOS_TEST_CRASH_ON")
    hang = os.environ.get("CUSTOS_TEST_HANG_ON")
    delay = float(os.environ.get("CUSTOS_TEST_ITEM_DELAY") or 0)  # seconds per item: a slow job to interrupt
    if not (crash or hang or delay):
        return None

    def hook(item: WorkItem) -> None:
        if crash and item.name == crash:
            os.kill(os.getpid(), signal.SIGSEGV)
        if hang and item.name == hang:
            time.sleep(3600)
        if delay and not item.hash_only:  # stands in for analysis: a first pass only hashes
            time.sleep(delay)

    return hook


def _mark_busy(index: int, file_id: int, current, started) -> None:
    """Publish the item a worker starts on: its start time first, then its id.

    The executor times an item out when it sees an id with an old start time; written the other way
    round, a check falling between the two writes would see the new id with the previous item's time
    (or a dead worker's, for its replacement) and stop a worker that had only just begun.
    """
    started[index] = time.monotonic()
    current[index] = file_id


def worker_main(
    index: int,
    conn: Connection,
    current,
    started,
    slot: HeavySlot | None = None,
    spare=None,
) -> None:
    """A worker: imports, then waits for its settings, then for batches.

    Settings: (evidence path, task options, extraction access): the last is None for a disk image or
    folder, else how to open a phone extraction, with the in-memory keys of an encrypted one (sent over
    this pipe, never written anywhere).
    """
    _die_with_parent()
    _stack_dump_on_request()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and cancels
    from forensics.evidence.source import EvidenceSource

    memory_gate.install(slot)
    try:
        settings = conn.recv()
    except EOFError:
        return
    if settings is None:
        return
    evidence_path, options, extraction = settings
    source = EvidenceSource(evidence_path, extraction=extraction)
    hook = _test_hook()
    spare_core = (lambda: spare.value > 0) if spare is not None else True
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            if message is None:
                return
            batch_id, items = message
            results = []
            for item in items:
                _mark_busy(index, item.file_id, current, started)
                if hook:
                    hook(item)

                def emit(children: list, parent: int = item.file_id) -> None:
                    conn.send((CHILDREN, parent, children))

                def alive() -> None:  # each child of a container starts the item's time limit anew
                    started[index] = time.monotonic()

                results.append(process_item(source, item, options, spare_core, emit, alive))
            current[index] = 0
            conn.send((batch_id, results))
    finally:
        source.close()
