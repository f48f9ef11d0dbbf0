"""Run engine calls off the UI thread: a callable in the global thread pool, its result as a signal."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the UI, never raised into Qt
            message = str(exc) or exc.__class__.__name__
            traceback.print_exc()
            self.signals.failed.emit(message)
            return
        self.signals.done.emit(result)


_live: set[_Signals] = set()


def _receiver_gone(callback: Callable[..., Any] | None) -> bool:
    """Whether ``callback`` is a method of a Qt object deleted meanwhile (its window was closed while the
    engine call ran): then the answer has nowhere to go and is dropped."""
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> QObject:
    """Start ``fn`` in a worker thread; ``on_done(result)`` / ``on_error(message)`` run on the UI thread
    (not at all when they are methods of a Qt object deleted before ``fn`` ended)."""
    signals = _Signals()
    _live.add(signals)

    def finish(result: Any) -> None:
        _live.discard(signals)
        if on_done is not None and not _receiver_gone(on_done):
            on_done(result)

    def fail(message: str) -> None:
        _live.discard(signals)
        if on_error is not None and not _receiver_gone(on_error):
            on_error(message)

    signals.done.connect(finish)
    signals.failed.connect(fail)
    QThreadPool.globalInstance().start(_Task(fn, signals))
    return signals


def wait_for_background(timeout_ms: int = 30000) -> bool:
    """Block until every background task ended (tests and shutdown only)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
