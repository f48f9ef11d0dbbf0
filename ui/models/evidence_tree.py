"""The evidence tree: item → file system (partition) → folders, folders loaded level by level."""

from __future__ import annotations

import textwrap

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyle

from ui.adapter import CaseSession
from ui.models.verification_badge import verification_badge
from ui.theme import ALERT_COLOR
from ui.workers import run_in_background

NODE_ROLE = Qt.ItemDataRole.UserRole + 1  # ("item", evidence_id) | ("fs", fs_id) | ("folder", fs_id, path)
_PLACEHOLDER = "…"
MAX_PROBLEM_LINES = 8  # listing problems named in a file-system node's tooltip
TOOLTIP_WIDTH = 100  # characters per tooltip line (a plain-text tooltip does not wrap by itself)
# (alert, verified) → icon beside the item: a warning for a mismatch, failure or damage, a tick when verified
_BADGE_ICONS = {
    (True, False): QStyle.StandardPixmap.SP_MessageBoxWarning,
    (False, True): QStyle.StandardPixmap.SP_DialogApplyButton,
}


def child_folders(paths: list[str]) -> dict[str, list[str]]:
    """parent path → direct sub-folder paths, from a sorted list of folder paths."""
    children: dict[str, list[str]] = {}
    for path in paths:
        parent = path.rsplit("/", 1)[0] or "/"
        if path != "/":
            children.setdefault(parent, []).append(path)
    return children


class EvidenceTreeModel(QStandardItemModel):
    """Built from the case's items; call :meth:`expand` when the view expands a node."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Evidence"])
        self.session: CaseSession | None = None
        self._folders: dict[int, dict[str, list[str]]] = {}

    def set_session(self, session: CaseSession | None) -> None:
        self.session = session
        self._folders.clear()
        self.removeRows(0, self.rowCount())
        if session is None:
            return
        for ev in session.evidence_items():
            badge = verification_badge(ev.get("verification"))
            label = ev["item"] + (f" — {ev['description']}" if ev.get("description") else "")
            item = QStandardItem(f"{label} · {badge.text}")
            item.setEditable(False)
            item.setData(("item", ev["id"]), NODE_ROLE)
            item.setToolTip(f"{ev['item']} ({ev['container']})\n{badge.details}")
            if badge.alert:
                item.setForeground(QBrush(QColor(ALERT_COLOR)))
            icon = _BADGE_ICONS.get((badge.alert, badge.verified))
            if icon is not None:  # the verdict stays visible when a narrow tree elides the words
                item.setIcon(QApplication.style().standardIcon(icon))
            for fs in ev["filesystems"]:
                fs_item = self._filesystem_item(fs)
                if fs["status"] == "ok":
                    fs_item.appendRow(self._placeholder())
                item.appendRow(fs_item)
            self.appendRow(item)

    @staticmethod
    def _filesystem_item(fs: dict) -> QStandardItem:
        """A file-system node; one whose listing met problems (damaged chunk, unreadable folder) says so."""
        name = fs["fs_type"] or fs["status"]
        label = f"{name} @ {fs['offset']}" if fs["offset"] else name
        problems = fs.get("listing_problems") or []
        if problems:
            plural = "s" if len(problems) > 1 else ""
            label += f" · listing may be incomplete ({len(problems)} problem{plural})"
        fs_item = QStandardItem(label)
        fs_item.setEditable(False)
        fs_item.setData(("fs", fs["id"]), NODE_ROLE)
        if problems:
            shown = problems[:MAX_PROBLEM_LINES]
            more = len(problems) - len(shown)
            lines = [textwrap.fill(problem, TOOLTIP_WIDTH) for problem in shown]
            fs_item.setToolTip("\n".join([*lines, *([f"… and {more} more"] if more else [])]))
            fs_item.setForeground(QBrush(QColor(ALERT_COLOR)))
            fs_item.setIcon(QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
        return fs_item

    @staticmethod
    def _placeholder() -> QStandardItem:
        placeholder = QStandardItem(_PLACEHOLDER)
        placeholder.setEditable(False)
        placeholder.setEnabled(False)
        return placeholder

    def expand(self, index: QModelIndex, *, wait: bool = False) -> None:
        """Fill the children of an expanded file-system or folder node (folders come from SQL)."""
        item = self.itemFromIndex(index)
        node = index.data(NODE_ROLE)
        if item is None or node is None or node[0] == "item" or self.session is None:
            return
        if not (item.rowCount() == 1 and item.child(0).text() == _PLACEHOLDER):
            return
        fs_id = node[1]
        path = "/" if node[0] == "fs" else node[2]
        if fs_id in self._folders:
            self._fill(item, fs_id, path)
            return
        session = self.session
        if wait:
            self._loaded(item, fs_id, path, session.folders(fs_id))
            return
        run_in_background(
            lambda: session.folders(fs_id), lambda paths: self._loaded(item, fs_id, path, paths)
        )

    def _loaded(self, item: QStandardItem, fs_id: int, path: str, paths: list[str]) -> None:
        self._folders[fs_id] = child_folders(paths)
        self._fill(item, fs_id, path)

    def _fill(self, item: QStandardItem, fs_id: int, path: str) -> None:
        children = self._folders[fs_id]
        item.removeRows(0, item.rowCount())
        for sub in children.get(path, []):
            child = QStandardItem(sub.rsplit("/", 1)[-1])
            child.setEditable(False)
            child.setData(("folder", fs_id, sub), NODE_ROLE)
            if children.get(sub):
                child.appendRow(self._placeholder())
            item.appendRow(child)
