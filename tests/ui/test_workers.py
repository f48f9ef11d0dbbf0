"""Background engine calls: an answer that comes after its window was closed is dropped, not raised."""

from __future__ import annotations

import threading

import shiboken6

from ui.models.records import RecordTableModel
from ui.workers import run_in_background, wait_for_background


def test_an_answer_for_a_deleted_model_is_dropped(qtbot) -> None:
    """The read ends after the model is gone (a view closed while it ran): nothing is called on it, and
    no exception reaches Qt's event loop (pytest-qt fails the test on one)."""
    model = RecordTableModel([])
    release = threading.Event()
    answered: list[str] = []

    def slow_read() -> list[dict]:
        release.wait(10)
        return [{"a": 1}]

    def on_error(message: str) -> None:
        answered.append(message)

    run_in_background(slow_read, model.set_records, on_error)
    shiboken6.delete(model)
    release.set()
    assert wait_for_background(10_000)
    qtbot.wait(50)  # the done signal is delivered on this thread
    assert not shiboken6.isValid(model) and answered == []


def test_an_answer_for_a_live_model_arrives(qtbot) -> None:
    model = RecordTableModel([])
    run_in_background(lambda: [{"a": 1}, {"a": 2}], model.set_records)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10_000)
