"""Help > Validate this installation: runs `custos selftest` in a child process and shows the verdict."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QProcess, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from forensics.services import jobs
from ui import adapter


def validation_folder() -> Path:
    """A new folder for this run's validation report, under the user's application data."""
    base = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation))
    folder = base / "validation" / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class SelftestRun(QDialog):
    """Shows the self-test's output as it runs, then PASS/FAIL and where the report is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tool validation")
        self.resize(640, 420)
        self.folder = validation_folder()
        self.status = QLabel("Running the validation suite on the bundled reference data…")
        self.status.setWordWrap(True)
        self.output = QPlainTextEdit(readOnly=True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = self.buttons.addButton(
            "Open report folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
        )
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.output)
        layout.addWidget(self.buttons)
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self.exit_code: int | None = None

    def start(self) -> None:
        command = adapter.step_command(jobs.selftest(self.folder))
        self.process.start(command[0], command[1:])
        self.open()

    def _read(self) -> None:
        text = bytes(self.process.readAllStandardOutput()).decode("utf-8", "replace")
        self.output.appendPlainText(text.rstrip("\n"))

    def _finished(self, code: int, _status) -> None:
        self.exit_code = code
        verdict = (
            "PASSED: every check agrees with the published answers"
            if code == 0
            else ("FAILED: see the checks listed above and the report")
        )
        self.status.setText(f"{verdict}. Report in {self.folder}")
        self.open_button.setEnabled(True)
