"""The start screen: recent cases, new case, open case."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget


class StartPage(QWidget):
    """Emits ``create_requested`` or ``open_requested(path)`` ("" = choose a folder)."""

    create_requested = Signal()
    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Custos", self)
        title.setObjectName("startTitle")
        subtitle = QLabel("Offline triage of seized device images. Evidence is opened read-only.", self)
        subtitle.setObjectName("startSubtitle")
        self.recent = QListWidget(self)
        self.recent.itemActivated.connect(
            lambda item: self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        new_button = QPushButton("&New case…", self)
        new_button.clicked.connect(self.create_requested.emit)
        open_button = QPushButton("&Open case…", self)
        open_button.clicked.connect(lambda: self.open_requested.emit(""))
        buttons = QHBoxLayout()
        buttons.addWidget(new_button)
        buttons.addWidget(open_button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(subtitle)
        column.addSpacing(16)
        column.addLayout(buttons)
        column.addSpacing(8)
        column.addWidget(QLabel("Recent cases (Enter opens)", self))
        column.addWidget(self.recent, 1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 3)
        outer.addStretch(1)

    def set_recent(self, cases: list[tuple[str, str]]) -> None:
        """(path, label) pairs, newest first."""
        from PySide6.QtWidgets import QListWidgetItem

        self.recent.clear()
        for path, label in cases:
            item = QListWidgetItem(f"{label}\n{path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)
        if cases:
            self.recent.setCurrentRow(0)
