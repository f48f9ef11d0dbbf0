"""Run a ``custos`` command as a child process and report its JSON-lines progress as Qt signals.

Cancel sends SIGINT (the engine stops between batches and records the cancel in custody); resume is
the same command run again. The child never shares the GUI's memory: a native crash in a parser
ends the child, and the GUI shows the error.
"""

from __future__ import annotations

import os
import signal

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from ui.adapter import parse_json_line


class CommandRunner(QObject):
    """One child process: ``progress(dict)``, ``message(str)`` per stderr/stdout line, ``finished(code)``."""

    progress = Signal(dict)
    message = Signal(str)
    finished = Signal(int)

    def __init__(self, command: list[str], env: dict[str, str] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.command = command
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
        """Ask the child to stop cleanly (SIGINT), as Ctrl+C would in a terminal."""
        pid = self.process.processId()
        if self.running and pid:
            self.cancelled = True
            os.kill(pid, signal.SIGINT)

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
        record = parse_json_line(line)
        if record is not None and record.get("progress"):
            self.progress.emit(record)
        elif line.strip():
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
