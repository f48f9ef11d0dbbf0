"""The keyboard shortcuts help dialog, listed from the window's own actions (never out of date)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

GALLERY_KEYS = [
    ("0 – 9", "Gallery: give the selected images that category (region scheme)"),
    ("R", "Gallery: reveal the selected images (recorded in custody)"),
    ("T", "Gallery: tag the selected images"),
    ("N", "Gallery: add a note to the selected images"),
    ("G", "Gallery: select every tile of the current tile's group"),
    ("Click header", "Gallery: select that group (Ctrl+click adds a group)"),
]


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    rows = [
        (a.shortcut().toString(), a.text().replace("&", "")) for a in actions if not a.shortcut().isEmpty()
    ]
    return rows + GALLERY_KEYS


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(actions)
        table = QTableWidget(len(rows), 2, self)
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().hide()
        for row, (keys, text) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 480)
