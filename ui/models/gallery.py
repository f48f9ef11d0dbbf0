"""The gallery model: one tile per image or video (identical files and copies stacked), blurred by default.

A video's tile shows four frames of its strip, two by two (made at ingest, like a picture's thumbnail)
and its length (``VIDEO_ROLE``).

Only the entries (ids, group, stack count) are held; thumbnail bytes are read from the case database
page by page as tiles scroll into view, and turned into small pixmaps on demand. An image is shown
sharp only after the examiner deliberately reveals it (the view records that in the custody log).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap

from forensics.case.queries.gallery import GroupSummary
from ui.adapter import CaseSession, GalleryEntry

PAGE = 96
CACHED_PAGES = 20
TILE = 150
FILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
GROUP_ROLE = Qt.ItemDataRole.UserRole + 3
REVEALED_ROLE = Qt.ItemDataRole.UserRole + 4
HIT_ROLE = Qt.ItemDataRole.UserRole + 5
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 6
VIDEO_ROLE = Qt.ItemDataRole.UserRole + 7  # a video's length in seconds (None for pictures)
CELL = QSize(TILE + 24, TILE + 44)
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


def tile_pixmap(image: QImage, size: int = TILE, ratio: float = 1.0) -> QPixmap:
    """The image fitted into a square tile of ``size`` logical pixels, centred on a neutral background.

    ``ratio`` is the screen's device pixel ratio: the pixmap holds ``size * ratio`` real pixels and says
    so (``devicePixelRatio``), so high-DPI screens draw it sharp (or exactly as blurred as intended).
    """
    pixels = max(1, round(size * ratio))
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(QColor(128, 128, 128, 40))
    if not image.isNull():
        fitted = image.scaled(
            pixels, pixels, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        painter = QPainter(pixmap)
        painter.drawImage((pixels - fitted.width()) // 2, (pixels - fitted.height()) // 2, fitted)
        painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@dataclass(frozen=True)
class GroupSpan:
    """A group as laid out in the grid: its name, its first row, its tile count and file totals."""

    name: str
    first: int
    count: int
    summary: GroupSummary | None

    @property
    def rows(self) -> range:
        return range(self.first, self.first + self.count)


def group_spans(entries: list[GalleryEntry]) -> list[GroupSpan]:
    """Consecutive runs of tiles of one group, in display order (one pass over the entries)."""
    spans: list[GroupSpan] = []
    start = 0
    for row in range(1, len(entries) + 1):
        if row == len(entries) or entries[row].group != entries[start].group:
            spans.append(GroupSpan(entries[start].group, start, row - start, entries[start].summary))
            start = row
    return spans


class GalleryModel(QAbstractListModel):
    """Tiles of the case's images; ``revealed`` ids are shown sharp, all others blurred.

    Rows are tiles only (group headers are drawn by the grid view from :meth:`spans`), so a row is
    always an entry and every selection is a selection of files.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.entries: list[GalleryEntry] = []
        self.spans: list[GroupSpan] = []
        self._span_starts: list[int] = []
        self.revealed: set[int] = set()
        self.grayscale = False
        self.blur = True
        self.ratio = 1.0
        self.categories: dict[int, int] = {}
        self._pages: OrderedDict[int, dict[int, bytes]] = OrderedDict()
        self._pixmaps: OrderedDict[tuple[int, bool, bool], QPixmap] = OrderedDict()

    def set_entries(self, session: CaseSession | None, entries: list[GalleryEntry]) -> None:
        self.beginResetModel()
        self.session = session
        self.entries = entries
        self.spans = group_spans(entries)
        self._span_starts = [span.first for span in self.spans]
        self._pages.clear()
        self._pixmaps.clear()
        self.categories = session.categorised() if session else {}
        self.endResetModel()

    def update_summaries(self, entries: list[GalleryEntry]) -> None:
        """Take the group totals of a fresh query without moving any tile (the examiner keeps their place)."""
        fresh = {entry.group: entry.summary for entry in entries}
        self.spans = [replace(span, summary=fresh.get(span.name, span.summary)) for span in self.spans]
        self._repaint()

    def set_grayscale(self, on: bool) -> None:
        self.grayscale = on
        self._pixmaps.clear()
        self._repaint()

    def set_device_pixel_ratio(self, ratio: float) -> None:
        """Tiles are rendered at the screen's real resolution; a new ratio redraws them."""
        if ratio > 0 and ratio != self.ratio:
            self.ratio = ratio
            self._pixmaps.clear()
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
        return [(span.name, span.count) for span in self.spans]

    def span_of_row(self, row: int) -> int:
        """Index in :attr:`spans` of the group holding ``row`` (-1 outside the model)."""
        if not 0 <= row < len(self.entries):
            return -1
        return bisect_right(self._span_starts, row) - 1

    def first_row_of_group(self, group: str) -> int:
        return next((span.first for span in self.spans if span.name == group), -1)

    def cached_pixmaps(self) -> int:
        """How many tile pixmaps exist right now (bounded: the grid never materialises them all)."""
        return len(self._pixmaps)

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
        if role == HIT_ROLE:
            return entry.hit
        if role == CATEGORY_ROLE:
            return self.categories.get(entry.file_id)
        if role == VIDEO_ROLE:
            return entry.duration_s
        if role == Qt.ItemDataRole.DisplayRole:
            return self._caption(entry)
        if role == Qt.ItemDataRole.ToolTipRole:
            hit = "\nHash-set alert" if entry.hit else ""
            if entry.duration_s is not None:
                return (
                    f"{entry.group}{entry.name}\nvideo, {entry.duration_s:.1f} s (four frames of its strip)\n"
                    f"{entry.stacked} copies (identical or the same clip){hit}"
                )
            return f"{entry.group}{entry.name}\n{entry.stacked} identical file(s){hit}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(index.row(), entry)
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(TILE + 16, TILE + 40)
        return None

    def _caption(self, entry: GalleryEntry) -> str:
        """The name, and on a second line the stack count and category (when there are any)."""
        extras = []
        if entry.stacked > 1:
            extras.append(f"×{entry.stacked}")
        category = self.categories.get(entry.file_id)
        if category is not None:
            extras.append(f"[C{category}]")
        return "\n".join([entry.name, " ".join(extras)]) if extras else entry.name

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
            pixmap = tile_pixmap(obscure(image, self.grayscale, blurred), TILE, self.ratio)
            self._pixmaps[key] = pixmap
            while len(self._pixmaps) > PAGE * 6:
                self._pixmaps.popitem(last=False)
        else:
            self._pixmaps.move_to_end(key)
        return pixmap
