"""The custody log of the case and a verify button with a clear intact/broken verdict."""

from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.adapter import CaseSession
from ui.models.records import RecordTableModel
from ui.workers import run_in_background


def _short(value: object, limit: int = 120) -> str:
    text = (
        json.dumps(value, ensure_ascii=False, sort_keys=True)
        if isinstance(value, dict | list)
        else str(value)
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


CUSTODY_COLUMNS = [
    ("#", lambda e: e["seq"]),
    ("Time (UTC)", lambda e: e["ts"][:19].replace("T", " ")),
    ("Examiner", lambda e: e["examiner"]),
    ("Action", lambda e: e["action"]),
    ("Item", lambda e: e["item"] or ""),
    ("Target", lambda e: (e["target"] or {}).get("path", "")),
    ("Details", lambda e: _short(e["details"])),
]


class CustodyView(QWidget):
    """Log table, Verify button, and a status line that says INTACT or BROKEN."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.model = RecordTableModel(CUSTODY_COLUMNS, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate([50, 150, 140, 140, 70, 240]):
            self.table.setColumnWidth(column, width)
        self.verify_button = QPushButton("&Verify chain", self)
        self.verify_button.clicked.connect(self.verify)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.reload)
        self.status = QLabel("Not verified yet.", self)
        self.status.setObjectName("custodyStatus")
        self.last_result: dict | None = None
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def set_session(self, session: CaseSession | None) -> None:
        self.session = session
        self.status.setText("Not verified yet.")
        self.status.setProperty("state", "")
        self.reload()

    def reload(self) -> None:
        if self.session is None:
            self.model.set_records([])
            return
        session = self.session
        run_in_background(session.custody_entries, self.model.set_records)

    def verify(self) -> None:
        if self.session is None:
            return
        self.status.setText("Verifying…")
        session = self.session
        run_in_background(session.verify_custody, self.show_result, lambda m: self.show_result({"error": m}))

    def show_result(self, result: dict) -> None:
        self.last_result = result
        if result.get("ok"):
            text = f"INTACT — {result['entries']} entries, head {result['head_hash'][:16]}…"
            state = "ok"
        elif "error" in result:
            text, state = f"Could not verify: {result['error']}", "broken"
        else:
            brk = result.get("break") or {}
            text = f"BROKEN at entry {brk.get('seq')}: {brk.get('kind')} — {brk.get('message')}"
            state = "broken"
        self.status.setText(text)
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
