"""How one gallery tile is drawn: thumbnail at device resolution, two caption lines, alert and category marks.

The thumbnail pixmap carries the screen's device pixel ratio (see ``tile_pixmap``), so drawing it at its
logical size puts every real pixel on screen. Names are elided in the middle (extensions stay visible).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.models.gallery import CATEGORY_ROLE, CELL, HIT_ROLE, TILE, VIDEO_ROLE
from ui.theme import ALERT_COLOR

PAD = 6


def thumbnail_rect(cell: QRect) -> QRect:
    """Where a tile's thumbnail goes inside its cell (logical pixels): centred, ``PAD`` below the top."""
    inner = cell.adjusted(2, 2, -2, -2)
    return QRect(inner.x() + (inner.width() - TILE) // 2, inner.y() + PAD, TILE, TILE)


class GalleryTileDelegate(QStyledItemDelegate):
    """Paints a tile cell; sizes are logical pixels, so a high-DPI screen scales them all alike."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(CELL)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect = option.rect.adjusted(2, 2, -2, -2)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.highlight())
            painter.drawRoundedRect(rect, 4, 4)
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(palette.highlight().color().darker(130), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 4, 4)
        image = thumbnail_rect(option.rect)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            painter.drawPixmap(image, pixmap)
        if index.data(HIT_ROLE):
            painter.setPen(QPen(QColor(ALERT_COLOR), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(image.adjusted(1, 1, -2, -2))
        category = index.data(CATEGORY_ROLE)
        if category is not None:
            self._badge(painter, image, f"C{category}")
        duration = index.data(VIDEO_ROLE)
        if duration is not None:
            self._badge(painter, image, f"▶ {int(duration) // 60}:{int(duration) % 60:02d}", bottom=True)
        self._caption(painter, option, rect, image.bottom() + 2, selected, str(index.data() or ""))
        painter.restore()

    @staticmethod
    def _badge(painter: QPainter, image: QRect, text: str, bottom: bool = False) -> None:
        metrics = painter.fontMetrics()
        top = image.bottom() - metrics.height() - 4 if bottom else image.y() + 3
        badge = QRect(image.x() + 3, top, metrics.horizontalAdvance(text) + 8, metrics.height() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _caption(
        painter: QPainter, option: QStyleOptionViewItem, rect: QRect, top: int, selected: bool, text: str
    ) -> None:
        palette = option.palette
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        metrics = painter.fontMetrics()
        line = QRect(rect.x() + 2, top, rect.width() - 4, metrics.height())
        for part in text.split("\n")[:2]:
            elided = metrics.elidedText(part, Qt.TextElideMode.ElideMiddle, line.width())
            painter.drawText(line, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, elided)
            line.translate(0, metrics.height())
