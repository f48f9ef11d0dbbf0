"""Cancel a running command from its parent process through standard input, on any operating system.

A front end that runs ``custos`` as a child process (the GUI) sets ``CUSTOS_CANCEL_ON_STDIN=1`` and writes
the line ``cancel`` to the child's standard input: the command then stops as Ctrl-C would stop it (the
main thread is interrupted: an ingest cancels between batches and records it in custody, an import or a
verification ends, keeping nothing half-done). Signals cannot do this portably: Windows has no SIGINT
for another process.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TextIO

ENV = "CUSTOS_CANCEL_ON_STDIN"
CANCEL = "cancel"


def _signal_main_thread() -> None:
    """Deliver SIGINT to the main thread: a blocking call there (a sleep, a wait) ends at once."""
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


# Where threads can be signalled (POSIX) the main thread gets a real SIGINT; elsewhere (Windows) Python
# runs the SIGINT handler in the main thread at its next bytecode, which every long job reaches often.
interrupt: Callable[[], None] = (
    _signal_main_thread if hasattr(signal, "pthread_kill") else _thread.interrupt_main
)


def _watch(stream: TextIO) -> None:
    for line in stream:
        if line.strip() == CANCEL:
            interrupt()
            return


def _make_interrupt_deliverable() -> None:
    """SIGINT reaches this process even where it was started with SIGINT ignored or blocked.

    Both are inherited from the process that started this one (a launcher, a service, a test runner); the
    parent that asked for a cancel line means it to interrupt, so the default handler is put back and
    the signal unblocked in the main thread (where this runs).
    """
    if signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, None):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if hasattr(signal, "pthread_sigmask"):  # POSIX only; Windows has no signal masks
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def watch_stdin_for_cancel(stream: TextIO | None = None) -> threading.Thread | None:
    """Start the watcher when the parent asked for it (``$CUSTOS_CANCEL_ON_STDIN``); None otherwise."""
    if os.environ.get(ENV) != "1":
        return None
    _make_interrupt_deliverable()
    thread = threading.Thread(target=_watch, args=(stream or sys.stdin,), name="cancel-on-stdin", daemon=True)
    thread.start()
    return thread
