"""Report dialog: choose formats and sections, generate (child processes of ``custos report/export``),
open the folder. Every file written is recorded with its SHA-256 in the custody log by the engine."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from forensics.services import jobs
from forensics.services.jobs import JobStep
from ui import adapter
from ui.runner import CommandRunner

# (format key, label, checked by default)
REPORT_FORMATS = [("pdf", "PDF report", True), ("html", "HTML report", True)]
EXPORT_FORMATS = [
    ("vics", "VICS 2.0 JSON", False),
    ("case-uco", "CASE/UCO JSON-LD", False),
    ("dfxml", "DFXML file listing", False),
    ("csv", "CSV (files, findings)", False),
    ("kml", "KML (GPS)", False),
    ("geojson", "GeoJSON (GPS)", False),
]
EXPORT_FILES = {
    "vics": "vics.json",
    "case-uco": "case-uco.jsonld",
    "dfxml": "files.dfxml",
    "kml": "gps.kml",
    "geojson": "gps.geojson",
}


class ReportDialog(QDialog):
    """Builds the ``custos`` commands for the chosen outputs and runs them one after another."""

    generated = Signal(bool)

    def __init__(self, session: adapter.CaseSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Report")
        self.setMinimumWidth(640)
        self.session = session
        self.queue: list[JobStep] = []
        self.runner: CommandRunner | None = None
        self.ok = True
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.folder = QLineEdit(str(session.case_dir / "reports" / stamp), self)
        self.checks: dict[str, QCheckBox] = {}
        formats = QGroupBox("Formats", self)
        grid = QGridLayout(formats)
        for i, (key, label, on) in enumerate(REPORT_FORMATS + EXPORT_FORMATS):
            box = QCheckBox(label, self)
            box.setChecked(on)
            self.checks[key] = box
            grid.addWidget(box, i // 2, i % 2)
        sections = QGroupBox("Sections and details", self)
        form = QFormLayout(sections)
        self.annex = QCheckBox("Image annex (blurred, restricted)", self)
        self.unblurred = QCheckBox("Annex images unblurred (explicit choice)", self)
        self.unblurred.setEnabled(False)
        self.annex.toggled.connect(self.unblurred.setEnabled)
        self.reviewer = QLineEdit(self)
        self.request = QLineEdit(self)
        self.authority = QLineEdit(self)
        self.note = QLineEdit(self)
        form.addRow(self.annex)
        form.addRow(self.unblurred)
        form.addRow("Reviewer", self.reviewer)
        form.addRow("Request", self.request)
        form.addRow("Authority (warrant)", self.authority)
        form.addRow("Examiner note", self.note)
        self.status = QLabel("", self)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumHeight(120)
        self.generate_button = QPushButton("&Generate", self)
        self.generate_button.setDefault(True)
        self.generate_button.clicked.connect(self.generate)
        self.open_button = QPushButton("&Open folder", self)
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_folder)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.generate_button, self.open_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        folder_row = QFormLayout()
        folder_row.addRow("Output folder", self.folder)
        layout.addLayout(folder_row)
        layout.addWidget(formats)
        layout.addWidget(sections)
        layout.addWidget(self.log)
        layout.addLayout(buttons)

    def commands(self) -> list[JobStep]:
        """One job step per chosen output: the report (PDF and/or HTML), then each export."""
        case, folder = self.session.case_dir, Path(self.folder.text())
        request = jobs.ReportRequest(
            pdf=folder / "report.pdf" if self.checks["pdf"].isChecked() else None,
            html=folder / "report.html" if self.checks["html"].isChecked() else None,
            annex=self.annex.isChecked(),
            unblurred_annex=self.unblurred.isChecked(),
            reviewer=self.reviewer.text(),
            request=self.request.text(),
            authority=self.authority.text(),
            note=self.note.text(),
        )
        report = jobs.report(case, request)
        commands = [report] if report is not None else []
        for key, _label, _on in EXPORT_FORMATS:
            if self.checks[key].isChecked():
                target = folder if key == "csv" else folder / EXPORT_FILES[key]
                commands.append(jobs.export(case, key, target))
        return commands

    def generate(self) -> None:
        self.queue = self.commands()
        if not self.queue:
            self.status.setText("Choose at least one format.")
            return
        self.ok = True
        self.generate_button.setEnabled(False)
        self.status.setText("Generating…")
        self._next()

    def _next(self) -> None:
        if not self.queue:
            self.generate_button.setEnabled(True)
            self.open_button.setEnabled(self.ok)
            self.status.setText("Done: every file is recorded in the custody log." if self.ok else "Failed.")
            self.generated.emit(self.ok)
            return
        step = self.queue.pop(0)
        self.runner = CommandRunner(step, self.session.job_environment(), self)
        self.runner.message.connect(self.log.appendPlainText)
        self.runner.finished.connect(self._finished)
        self.runner.start()

    def _finished(self, code: int) -> None:
        if code != 0:
            self.ok = False
            self.queue.clear()
        self._next()

    def open_folder(self) -> None:
        """Show the output folder in the system's file manager (a local path, never a network address)."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(self.folder.text()))
