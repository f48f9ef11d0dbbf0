"""The gallery model: one tile per image (identical files stacked), thumbnails blurred by default.

Only the entries (ids, group, stack count) are held; thumbnail bytes are read from the case database
page by page as tiles scroll into view, and turned into small pixmaps on demand. An image is shown
sharp only after the examiner deliberately reveals it (the view records that in the custody log).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from ui.adapter import CaseSession, GalleryEntry

PAGE = 96
CACHED_PAGES = 20
TILE = 150
FILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
GROUP_ROLE = Qt.ItemDataRole.UserRole + 3
REVEALED_ROLE = Qt.ItemDataRole.UserRole + 4
AnyIndex = QModelIndex | QPersistentModelIndex


def obscure(image: QImage, grayscale: bool, blurred: bool) -> QImage:
    """A blurred and/or grayscale version: shrunk hard and scaled back up (no detail survives)."""
    if grayscale:
        image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    if blurred and not image.isNull():
        small = image.scaled(
            max(1, image.width() // 16),
            max(1, image.height() // 16),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        image = small.scaled(
            image.width(),
            image.height(),
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


def tile_pixmap(image: QImage, size: int = TILE) -> QPixmap:
    """The image fitted into a square tile, centred on a neutral background."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(128, 128, 128, 40))
    if image.isNull():
        return pixmap
    fitted = image.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    painter = QPainter(pixmap)
    painter.drawImage((size - fitted.width()) // 2, (size - fitted.height()) // 2, fitted)
    painter.end()
    return pixmap


class GalleryModel(QAbstractListModel):
    """Tiles of the case's images; ``revealed`` ids are shown sharp, all others blurred."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.entries: list[GalleryEntry] = []
        self.revealed: set[int] = set()
        self.grayscale = False
        self.blur = True
        self.categories: dict[int, int] = {}
        self._pages: OrderedDict[int, dict[int, bytes]] = OrderedDict()
        self._pixmaps: OrderedDict[tuple[int, bool, bool], QPixmap] = OrderedDict()

    def set_entries(self, session: CaseSession | None, entries: list[GalleryEntry]) -> None:
        self.beginResetModel()
        self.session = session
        self.entries = entries
        self._pages.clear()
        self._pixmaps.clear()
        self.categories = session.categorised() if session else {}
        self.endResetModel()

    def set_grayscale(self, on: bool) -> None:
        self.grayscale = on
        self._repaint()

    def reveal(self, file_ids: list[int]) -> None:
        self.revealed.update(file_ids)
        self._repaint()

    def refresh_categories(self) -> None:
        self.categories = self.session.categorised() if self.session else {}
        self._repaint()

    def _repaint(self) -> None:
        if self.entries:
            self.dataChanged.emit(self.index(0), self.index(len(self.entries) - 1))

    def file_id(self, row: int) -> int | None:
        return self.entries[row].file_id if 0 <= row < len(self.entries) else None

    def groups(self) -> list[tuple[str, int]]:
        """(group, tiles) in display order."""
        counts: OrderedDict[str, int] = OrderedDict()
        for entry in self.entries:
            counts[entry.group] = counts.get(entry.group, 0) + 1
        return list(counts.items())

    def first_row_of_group(self, group: str) -> int:
        return next((i for i, e in enumerate(self.entries) if e.group == group), -1)

    # -- Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        if role == FILE_ID_ROLE:
            return entry.file_id
        if role == GROUP_ROLE:
            return entry.group
        if role == REVEALED_ROLE:
            return entry.file_id in self.revealed
        if role == Qt.ItemDataRole.DisplayRole:
            return self._caption(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{entry.group}{entry.name}\n{entry.stacked} identical file(s)"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(index.row(), entry)
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(TILE + 16, TILE + 40)
        return None

    def _caption(self, entry: GalleryEntry) -> str:
        name = entry.name if len(entry.name) <= 20 else entry.name[:18] + "…"
        parts = [name]
        if entry.stacked > 1:
            parts.append(f"×{entry.stacked}")
        category = self.categories.get(entry.file_id)
        if category is not None:
            parts.append(f"[C{category}]")
        return " ".join(parts)

    def _thumbnail(self, row: int, file_id: int) -> bytes | None:
        page = row // PAGE
        cached = self._pages.get(page)
        if cached is None:
            if self.session is None:
                return None
            ids = [e.file_id for e in self.entries[page * PAGE : (page + 1) * PAGE]]
            cached = self.session.thumbnails(ids)
            self._pages[page] = cached
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        return cached.get(file_id)

    def _pixmap(self, row: int, entry: GalleryEntry) -> QPixmap:
        blurred = self.blur and entry.file_id not in self.revealed
        key = (entry.file_id, blurred, self.grayscale)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            data = self._thumbnail(row, entry.file_id)
            image = QImage.fromData(data) if data else QImage()
            pixmap = tile_pixmap(obscure(image, self.grayscale, blurred))
            self._pixmaps[key] = pixmap
            while len(self._pixmaps) > PAGE * 6:
                self._pixmaps.popitem(last=False)
        return pixmap
