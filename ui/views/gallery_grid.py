"""The gallery grid: tiles in rows under an in-grid header band per group, drawn only where visible.

An item view over :class:`~ui.models.gallery.GalleryModel` (rows are tiles). Headers are not items:
they are drawn from the model's group spans, and clicking one (or pressing G on a tile) selects the
whole group, so one category key categorises it all. Geometry comes from :class:`GalleryLayout`, so
layout and scrolling cost nothing per tile and thumbnails are fetched only for tiles on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QRegion
from PySide6.QtWidgets import QAbstractItemView, QApplication, QStyle, QStyleOptionViewItem, QWidget

from ui.models.gallery import TILE, GalleryModel, GroupSpan
from ui.theme import ALERT_COLOR
from ui.views.gallery_delegate import PAD, GalleryTileDelegate
from ui.views.gallery_layout import GalleryLayout, GridMetrics

Cursor = QAbstractItemView.CursorAction
SelectionFlag = QItemSelectionModel.SelectionFlag
ScrollHint = QAbstractItemView.ScrollHint
NAVIGATION_KEYS = {
    Qt.Key.Key_Left: Cursor.MoveLeft,
    Qt.Key.Key_Right: Cursor.MoveRight,
    Qt.Key.Key_Up: Cursor.MoveUp,
    Qt.Key.Key_Down: Cursor.MoveDown,
    Qt.Key.Key_PageUp: Cursor.MovePageUp,
    Qt.Key.Key_PageDown: Cursor.MovePageDown,
    Qt.Key.Key_Home: Cursor.MoveHome,
    Qt.Key.Key_End: Cursor.MoveEnd,
}


def header_text(span: GroupSpan) -> tuple[str, str]:
    """(name, counts) shown in a group's header band."""
    counts = f"{span.count} tile{'s' if span.count != 1 else ''}"
    summary = span.summary
    if summary is not None:
        counts += f" · {summary.files} file{'s' if summary.files != 1 else ''}"
        counts += f" · {summary.hits} hash-set hit{'s' if summary.hits != 1 else ''}"
        if summary.categorised:
            counts += f" · {summary.categorised} categorised"
        if summary.flagged:
            counts += f" · {summary.share:.0%} flagged"
    return span.name, counts


class GalleryGrid(QAbstractItemView):
    """Grouped, virtualised thumbnail grid with keyboard navigation across groups."""

    group_selected = Signal(str, int)  # group name, tiles selected

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout: GalleryLayout | None = None  # first: the setters below call the geometry overrides
        self._anchor = -1  # where a Shift range starts (the tile current before Shift was held)
        self.setItemDelegate(GalleryTileDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    # -- geometry -------------------------------------------------------------------------------------
    def gallery_model(self) -> GalleryModel:
        model = self.model()
        assert isinstance(model, GalleryModel)
        return model

    def metrics(self) -> GridMetrics:
        """Cell and header sizes from the font in force (so they follow the user's font and the DPI)."""
        line = self.fontMetrics().lineSpacing()
        return GridMetrics(
            cell_width=TILE + 24,
            cell_height=TILE + PAD + 10 + 2 * line,
            header_height=QFontMetrics(self.header_font()).lineSpacing() + 14,
        )

    def header_font(self) -> QFont:
        """The view's font, bold and a tenth larger (in points or pixels, whichever the font uses)."""
        font = QFont(self.font())
        font.setBold(True)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.1)
        elif font.pixelSize() > 0:
            font.setPixelSize(round(font.pixelSize() * 1.1))
        return font

    def grid_layout(self) -> GalleryLayout:
        """The layout for the current model and width (rebuilt only when either changes)."""
        if self._layout is None:
            model = self.model()
            counts = [span.count for span in model.spans] if isinstance(model, GalleryModel) else []
            self._layout = GalleryLayout(counts, self.viewport().width(), self.metrics())
        return self._layout

    def invalidate_layout(self) -> None:
        self._layout = None
        self.updateGeometries()
        self.viewport().update()

    def _offset(self) -> QPoint:
        return QPoint(0, self.verticalScrollBar().value())

    # -- QAbstractItemView's geometry contract ---------------------------------------------------------
    def visualRect(self, index: QModelIndex) -> QRect:  # noqa: N802 (Qt name)
        if not index.isValid():
            return QRect()
        return self.grid_layout().tile_rect(index.row()).translated(-self._offset())

    def indexAt(self, point: QPoint) -> QModelIndex:  # noqa: N802
        content = point + self._offset()
        row = self.grid_layout().tile_at(content.x(), content.y())
        return self.model().index(row, 0) if row >= 0 else QModelIndex()

    def header_at(self, point: QPoint) -> int:
        """Index (in the model's spans) of the group header under a viewport point, else -1."""
        content = point + self._offset()
        return self.grid_layout().header_at(content.x(), content.y())

    def scrollTo(self, index: QModelIndex, hint=ScrollHint.EnsureVisible) -> None:  # noqa: N802
        layout = self.grid_layout()
        group = layout.group_of(index.row()) if index.isValid() else -1
        if group < 0:
            return
        rect = layout.tile_rect(index.row())
        # A tile on its group's first line brings the group's header into view with it.
        first_line = rect.top() - layout.tops[group] <= layout.metrics.header_height
        top = layout.tops[group] if first_line else rect.top()
        bar, height = self.verticalScrollBar(), self.viewport().height()
        if hint == ScrollHint.PositionAtTop or (hint == ScrollHint.EnsureVisible and top < bar.value()):
            bar.setValue(top)
        elif hint == ScrollHint.PositionAtBottom or (
            hint == ScrollHint.EnsureVisible and rect.bottom() >= bar.value() + height
        ):
            bar.setValue(rect.bottom() - height + 1)
        elif hint == ScrollHint.PositionAtCenter:
            bar.setValue(rect.center().y() - height // 2)

    def scroll_to_group(self, group: int) -> None:
        """Put a group's header at the top of the view."""
        layout = self.grid_layout()
        if 0 <= group < len(layout.tops):
            self.verticalScrollBar().setValue(layout.tops[group])

    def horizontalOffset(self) -> int:  # noqa: N802
        return 0

    def verticalOffset(self) -> int:  # noqa: N802
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index: QModelIndex) -> bool:  # noqa: N802
        return False

    def moveCursor(self, action: Cursor, modifiers) -> QModelIndex:  # noqa: N802
        model = self.model()
        count = model.rowCount() if model is not None else 0
        if count == 0:
            return QModelIndex()
        current = self.currentIndex()
        if not current.isValid():
            return model.index(0, 0)
        row, layout = current.row(), self.grid_layout()
        if action in (Cursor.MoveLeft, Cursor.MovePrevious):
            row -= 1
        elif action in (Cursor.MoveRight, Cursor.MoveNext):
            row += 1
        elif action == Cursor.MoveUp:
            row = layout.above(row)
        elif action == Cursor.MoveDown:
            row = layout.below(row)
        elif action in (Cursor.MovePageUp, Cursor.MovePageDown):
            rect = layout.tile_rect(row)
            step = self.viewport().height() * (1 if action == Cursor.MovePageDown else -1)
            row = layout.nearest_tile(rect.center().x(), max(0, rect.center().y() + step))
        elif action == Cursor.MoveHome:
            row = 0
        elif action == Cursor.MoveEnd:
            row = count - 1
        return model.index(min(max(row, 0), count - 1), 0)

    def setSelection(self, rect: QRect, command) -> None:  # noqa: N802
        selection = QItemSelection()
        model = self.model()
        for first, last in self.grid_layout().tile_ranges_in(rect.normalized().translated(self._offset())):
            selection.select(model.index(first, 0), model.index(last, 0))
        self.selectionModel().select(selection, command)

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:  # noqa: N802
        region = QRegion()
        visible = self.viewport().rect()
        for selected in selection:
            top = self.visualRect(self.model().index(selected.top(), 0))
            bottom = self.visualRect(self.model().index(selected.bottom(), 0))
            band = top.united(bottom)
            if bottom.top() != top.top():
                band = QRect(0, top.top(), visible.width(), bottom.bottom() - top.top() + 1)
            band = band.intersected(visible)
            if not band.isEmpty():
                region = region.united(band)
        return region

    def updateGeometries(self) -> None:  # noqa: N802
        layout = self.grid_layout()
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, layout.height - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(max(1, layout.metrics.cell_height // 4))
        super().updateGeometries()

    # -- keeping the layout current ------------------------------------------------------------------
    def setModel(self, model) -> None:  # noqa: N802
        super().setModel(model)
        self.invalidate_layout()

    def reset(self) -> None:
        self._layout = None
        super().reset()
        self.updateGeometries()

    def rowsInserted(self, parent: QModelIndex, start: int, end: int) -> None:  # noqa: N802
        super().rowsInserted(parent, start, end)
        self.invalidate_layout()

    def rowsAboutToBeRemoved(self, parent: QModelIndex, start: int, end: int) -> None:  # noqa: N802
        super().rowsAboutToBeRemoved(parent, start, end)
        self._layout = None

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._layout = None
        super().resizeEvent(event)
        self.updateGeometries()

    def changeEvent(self, event) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.invalidate_layout()

    # -- group selection -------------------------------------------------------------------------------
    def select_group(self, group: int, add: bool = False) -> None:
        """Select every tile of a group (adding to the selection with ``add``), the cursor on its first."""
        model = self.gallery_model()
        if not 0 <= group < len(model.spans):
            return
        span = model.spans[group]
        selection = QItemSelection(model.index(span.first, 0), model.index(span.first + span.count - 1, 0))
        self.selectionModel().select(selection, SelectionFlag.Select if add else SelectionFlag.ClearAndSelect)
        self.selectionModel().setCurrentIndex(model.index(span.first, 0), SelectionFlag.NoUpdate)
        self.group_selected.emit(span.name, span.count)

    def select_current_group(self) -> None:
        """Select the whole group of the tile under the cursor (key G)."""
        current = self.currentIndex()
        if current.isValid():
            self.select_group(self.grid_layout().group_of(current.row()))

    # -- Shift ranges run in reading order (tile to tile), not as a rectangle ----------------------------
    def select_range(self, row: int, add: bool = False) -> None:
        """Select the tiles from the anchor to ``row`` in display order; ``row`` becomes current."""
        model = self.model()
        anchor = self._anchor if 0 <= self._anchor < model.rowCount() else row
        first, last = sorted((anchor, row))
        selection = QItemSelection(model.index(first, 0), model.index(last, 0))
        self.selectionModel().select(selection, SelectionFlag.Select if add else SelectionFlag.ClearAndSelect)
        self.selectionModel().setCurrentIndex(model.index(row, 0), SelectionFlag.NoUpdate)
        self.scrollTo(model.index(row, 0))

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:  # noqa: N802
        super().currentChanged(current, previous)
        if not QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier or self._anchor < 0:
            self._anchor = current.row()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        action = NAVIGATION_KEYS.get(Qt.Key(event.key()))
        modifiers = event.modifiers()
        if action is not None and modifiers & Qt.KeyboardModifier.ShiftModifier and self.model() is not None:
            target = self.moveCursor(action, modifiers)
            if target.isValid():
                self.select_range(target.row(), add=bool(modifiers & Qt.KeyboardModifier.ControlModifier))
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        point = event.position().toPoint()
        modifiers = event.modifiers()
        group = self.header_at(point)
        if group >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.select_group(group, add=bool(modifiers & Qt.KeyboardModifier.ControlModifier))
            event.accept()
            return
        tile = self.indexAt(point)
        if tile.isValid() and modifiers & Qt.KeyboardModifier.ShiftModifier and self._anchor >= 0:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.select_range(tile.row(), add=bool(modifiers & Qt.KeyboardModifier.ControlModifier))
            event.accept()
            return
        super().mousePressEvent(event)

    # -- painting ----------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        model = self.model()
        if not isinstance(model, GalleryModel) or not model.spans:
            return
        model.set_device_pixel_ratio(self.viewport().devicePixelRatioF())
        layout, offset = self.grid_layout(), self._offset()
        area = event.rect().translated(offset)
        painter = QPainter(self.viewport())
        painter.translate(-offset)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        selection, current = self.selectionModel(), self.currentIndex()
        delegate = self.itemDelegate()
        for group in layout.groups_between(area.top(), area.bottom()):
            header = layout.header_rect(group)
            if header.intersects(area):
                self._paint_header(painter, header, model.spans[group])
        for first, last in layout.tile_ranges_in(area):
            for row in range(first, last + 1):
                index = model.index(row, 0)
                option.rect = layout.tile_rect(row)
                option.state = self._tile_state(selection.isSelected(index), index == current)
                delegate.paint(painter, option, index)
        painter.end()

    def _tile_state(self, selected: bool, current: bool) -> QStyle.StateFlag:
        state = QStyle.StateFlag.State_Enabled
        if selected:
            state |= QStyle.StateFlag.State_Selected
        if current and self.hasFocus():
            state |= QStyle.StateFlag.State_HasFocus
        return state

    def _paint_header(self, painter: QPainter, rect: QRect, span: GroupSpan) -> None:
        """A band across the grid: the group's name on the left, its counts on the right.

        A group holding alerts or categorised material gets a red bar at its left edge and red counts.
        """
        palette = self.palette()
        flagged = span.summary is not None and span.summary.flagged > 0
        painter.save()
        band = rect.adjusted(0, 2, 0, -4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.alternateBase())
        painter.drawRoundedRect(band, 3, 3)
        if flagged:
            painter.setBrush(QColor(ALERT_COLOR))
            painter.drawRect(QRect(band.left(), band.top(), 5, band.height()))
        name, counts = header_text(span)
        text_rect = band.adjusted(12, 0, -8, 0)
        counts_width = min(self.fontMetrics().horizontalAdvance(counts) + 16, text_rect.width() // 2)
        painter.setPen(palette.text().color())
        painter.setFont(self.header_font())
        name_rect = text_rect.adjusted(0, 0, -counts_width, 0)
        elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, name_rect.width())
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)
        painter.setFont(self.font())
        if flagged:
            painter.setPen(QColor(ALERT_COLOR))
        counts_rect = text_rect.adjusted(text_rect.width() - counts_width, 0, 0, 0)
        shown = painter.fontMetrics().elidedText(counts, Qt.TextElideMode.ElideLeft, counts_rect.width())
        painter.drawText(counts_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
        painter.restore()
