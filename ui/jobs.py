"""Background jobs per evidence item: intake, verification and ingest as a chain of child processes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from forensics.core.progress import AlertRecord, ProgressRecord
from forensics.services.jobs import INGEST, JobStep
from ui.runner import CommandRunner


@dataclass
class JobState:
    """What the progress view shows for one evidence item."""

    item: str
    phase: str = "waiting"
    items_done: int = 0
    items_total: int | None = None
    bytes_done: int = 0
    bytes_total: int | None = None
    rate_bytes: float = 0.0
    eta_seconds: float | None = None
    errors: int = 0
    videos: int = 0
    frames: int = 0
    hashed_ahead: int = 0  # first-rank items hashed ahead of their analysis, while that first pass runs
    # Findings made while the ingest runs (matching during ingest): files with an alert, and the stage of
    # the processing order being handed out
    alerts: int = 0
    stage: str = ""
    running: bool = False
    outcome: str = ""
    messages: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


class ItemJob(QObject):
    """Runs job ``steps`` (child ``custos`` processes) one after another for one evidence item."""

    changed = Signal(str)
    alerted = Signal(str, object)  # item, AlertRecord: a finding made while the ingest runs
    step_finished = Signal(str, str, int)  # item, step label, exit code
    finished = Signal(str, bool)

    def __init__(self, item: str, steps: list[JobStep], env: dict[str, str], parent=None):
        super().__init__(parent)
        self.state = JobState(item)
        self.steps = list(steps)
        self.ingest_step = next((s for s in steps if s.label == INGEST), None)
        self.env = env
        self.runner: CommandRunner | None = None

    def start(self) -> None:
        self._next()

    def _next(self) -> None:
        if not self.steps:
            self.state.running = False
            self.state.outcome = "done"
            self.state.phase = "done"
            self.changed.emit(self.state.item)
            self.finished.emit(self.state.item, True)
            return
        step = self.steps.pop(0)
        label = step.label
        self.state.phase = label
        self.state.running = True
        self.runner = CommandRunner(step, self.env, self)
        self.runner.progress.connect(self._progress)
        self.runner.message.connect(self._message)
        self.runner.alert.connect(self._alert)
        self.runner.finished.connect(lambda code, lbl=label: self._step_done(lbl, code))
        self.runner.start()
        self.changed.emit(self.state.item)

    def _progress(self, record: ProgressRecord) -> None:
        s = self.state
        s.phase = record.phase or s.phase
        s.items_done = record.items_done
        s.items_total = record.items_total
        s.bytes_done = record.bytes_done
        s.bytes_total = record.bytes_total
        s.rate_bytes = record.rate_bytes
        s.eta_seconds = record.eta_seconds
        s.errors = record.errors
        s.videos, s.frames = record.videos, record.frames
        s.hashed_ahead = record.hashed_ahead
        s.alerts, s.stage = max(s.alerts, record.alerts), record.stage
        self.changed.emit(s.item)

    def _alert(self, record: AlertRecord) -> None:
        self.alerted.emit(self.state.item, record)

    def _message(self, line: str) -> None:
        self.state.messages.append(line)
        del self.state.messages[:-50]
        self.changed.emit(self.state.item)

    def _step_done(self, label: str, code: int) -> None:
        self.step_finished.emit(self.state.item, label, code)
        cancelled = self.runner is not None and self.runner.cancelled
        if code != 0:
            self.steps.clear()
            self.state.running = False
            self.state.outcome = "cancelled" if cancelled or code == 3 else f"failed ({label}, exit {code})"
            self.state.phase = self.state.outcome
            self.changed.emit(self.state.item)
            self.finished.emit(self.state.item, False)
            return
        self._next()

    def cancel(self) -> None:
        if self.runner is not None and self.runner.running:
            self.runner.cancel()

    def resume(self) -> None:
        """Run the ingest again: the engine resumes from the items still pending."""
        if self.state.running or self.ingest_step is None:
            return
        self.steps = [self.ingest_step]
        self.state.outcome = ""
        self._next()
