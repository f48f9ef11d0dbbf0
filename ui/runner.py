"""Run a job step as a child ``custos`` process and report its progress lines as Qt signals.

Cancel writes ``cancel`` to the child's standard input (the engine stops between batches and records
the cancel in custody; see ``app/cancel_input.py``); resume is the same command run again. The child
never shares the GUI's memory: a native crash in a parser ends the child, and the GUI shows the error.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from forensics.core.progress import AlertRecord, ProgressRecord
from forensics.services.jobs import JobStep
from ui.adapter import step_command

CANCEL_LINE = b"cancel\n"
ALERT_TEXT = ("ALERT ", "INFORMATIONAL ")  # an alert's line for a terminal (its JSON record is read)


class CommandRunner(QObject):
    """One child process: ``progress(ProgressRecord)``, ``alert(AlertRecord)`` per finding made while an
    ingest runs, ``message(str)`` per other line, ``finished(int)``."""

    progress = Signal(object)
    alert = Signal(object)
    message = Signal(str)
    finished = Signal(int)

    def __init__(self, step: JobStep, env: dict[str, str] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.step = step
        self.command = step_command(step)
        self.output: list[str] = []
        self.cancelled = False
        self._buffers = {"out": b"", "err": b""}
        self.process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        for key, value in (env or {}).items():
            environment.insert(key, value)
        self.process.setProcessEnvironment(environment)
        self.process.readyReadStandardError.connect(lambda: self._read("err"))
        self.process.readyReadStandardOutput.connect(lambda: self._read("out"))
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)

    def start(self) -> None:
        self.process.start(self.command[0], self.command[1:])

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def cancel(self) -> None:
        """Ask the child to stop cleanly, as Ctrl+C would in a terminal (a ``cancel`` line on its stdin)."""
        if self.running:
            self.cancelled = True
            self.process.write(CANCEL_LINE)

    def _read(self, channel: str) -> None:
        data = (
            self.process.readAllStandardError() if channel == "err" else self.process.readAllStandardOutput()
        )
        buffer = self._buffers[channel] + bytes(data.data())
        *lines, rest = buffer.split(b"\n")
        self._buffers[channel] = rest
        for raw in lines:
            self._line(raw.decode("utf-8", "replace"))

    def _line(self, line: str) -> None:
        record = ProgressRecord.parse(line)
        if record is not None:
            self.progress.emit(record)
            return
        alert = AlertRecord.parse(line)
        if alert is not None:
            self.alert.emit(alert)
        elif line.strip() and not line.startswith(ALERT_TEXT):  # the alert's terminal line is no message
            self.output.append(line)
            self.message.emit(line)

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        for channel in ("out", "err"):
            if self._buffers[channel]:
                self._line(self._buffers[channel].decode("utf-8", "replace"))
                self._buffers[channel] = b""
        self.finished.emit(int(code))

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.message.emit(f"could not start {self.command[0]}")
            self.finished.emit(-1)
