"""Progress of every evidence item's jobs: phase, items and bytes, MB/s, time left, errors; cancel, resume."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from forensics.core.progress import video_text
from ui.jobs import ItemJob, JobState
from ui.models.file_table import human_size

HEADERS = ["Item", "Phase", "Items", "Bytes", "MB/s", "Time left", "Errors", "Alerts"]


def eta_text(seconds: float | None) -> str:
    """``H:MM:SS`` of a time left, or empty when it cannot be told."""
    if seconds is None:
        return ""
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def state_cells(s: JobState) -> list[str]:
    items = f"{s.items_done:,} / {s.items_total:,}" if s.items_total else f"{s.items_done:,}"
    if s.hashed_ahead:
        items += f" ({s.hashed_ahead:,} hashed ahead)"
    if s.videos:
        items += f" ({video_text(s.videos, s.frames)})"
    total = f" / {human_size(s.bytes_total)}" if s.bytes_total else ""
    rate = f"{s.rate_bytes / 1e6:.1f}" if s.running and s.rate_bytes else ""
    phase = f"{s.phase} ({s.stage})" if s.stage and s.running else s.phase
    return [
        s.item,
        phase,
        items,
        human_size(s.bytes_done) + total,
        rate,
        eta_text(s.eta_seconds) if s.running else "",
        str(s.errors),
        str(s.alerts),
    ]


class ProgressView(QWidget):
    """One row per evidence item being processed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.jobs: dict[str, ItemJob] = {}
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.resume_button = QPushButton("Resume", self)
        self.resume_button.clicked.connect(self.resume_selected)
        self.summary = QLabel("No jobs yet. Add evidence to start one.", self)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setPlaceholderText("Messages from the jobs appear here.")
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addLayout(buttons)
        layout.addWidget(self.log, 1)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def add_job(self, job: ItemJob) -> None:
        self.jobs[job.state.item] = job
        job.changed.connect(self._refresh)
        self.table.insertRow(self.table.rowCount())
        self._refresh(job.state.item)
        self.table.selectRow(self.table.rowCount() - 1)

    def _row_of(self, item: str) -> int:
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.text() == item:
                return row
        return list(self.jobs).index(item)

    def _refresh(self, item: str) -> None:
        job = self.jobs[item]
        row = self._row_of(item)
        for column, text in enumerate(state_cells(job.state)):
            cell = self.table.item(row, column)
            if cell is None:
                cell = QTableWidgetItem()
                if column >= 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, cell)
            cell.setText(text)
        if job.state.messages:
            message = job.state.messages[-1]
            last = message if message.startswith(f"{item}: ") else f"{item}: {message}"
            if self.log.toPlainText().rsplit("\n", 1)[-1] != last:
                self.log.appendPlainText(last)
        running = sum(1 for j in self.jobs.values() if j.state.running)
        self.summary.setText(f"{running} running, {len(self.jobs) - running} stopped")
        self._update_buttons()

    def selected_job(self) -> ItemJob | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        cell = self.table.item(rows[0].row(), 0)
        return self.jobs.get(cell.text()) if cell else None

    def _update_buttons(self) -> None:
        job = self.selected_job()
        self.cancel_button.setEnabled(bool(job and job.state.running))
        resumable = job and not job.state.running and job.ingest_step and job.state.outcome != "done"
        self.resume_button.setEnabled(bool(resumable))

    def cancel_selected(self) -> None:
        job = self.selected_job()
        if job:
            job.cancel()

    def resume_selected(self) -> None:
        job = self.selected_job()
        if job:
            job.resume()
