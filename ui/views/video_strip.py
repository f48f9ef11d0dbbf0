"""A video's frame strip: the frames in a row, the chosen one large, blurred until the examiner reveals it.

The strip comes from the case database (frames picked at ingest, never a loose file); the frames are as
blurred as gallery tiles until the file is revealed, and revealing is the caller's recorded action
(:meth:`VideoStripView.reveal_requested`). A finding on a frame opens the strip at that frame
(:meth:`VideoStripView.show_at`); the frames nearest to matched timestamps are marked.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from forensics.case.queries.video import StripPicture, nearest_position
from ui.models.gallery import obscure
from ui.theme import ALERT_COLOR

STRIP_ICON = 96
FRAME_SIDE = 480


def clock(seconds: float) -> str:
    """``m:ss.s`` (or ``h:mm:ss``) of a position in a video."""
    whole = int(seconds)
    if whole >= 3600:
        return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{seconds % 60:04.1f}"


def _marked(image: QImage) -> QImage:
    """The frame with an alert border (it is the strip frame nearest to a matched frame)."""
    marked = image.convertToFormat(QImage.Format.Format_RGB32)
    painter = QPainter(marked)
    painter.setPen(QPen(QColor(ALERT_COLOR), max(3, marked.width() // 40)))
    painter.drawRect(marked.rect().adjusted(1, 1, -2, -2))
    painter.end()
    return marked


class VideoStripView(QWidget):
    """The strip of one video; ``revealed`` decides whether frames are shown sharp."""

    reveal_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_id: int | None = None
        self.pictures: list[StripPicture] = []
        self.images: list[QImage] = []
        self.revealed = False
        self.marks: set[int] = set()
        self.frame = QLabel("Select a video.", self)
        self.frame.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frame.setMinimumHeight(200)
        self.caption = QLabel(self)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._position_changed)
        self.strip = QListWidget(self)
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setFlow(QListWidget.Flow.LeftToRight)
        self.strip.setWrapping(False)
        self.strip.setIconSize(QSize(STRIP_ICON, STRIP_ICON))
        self.strip.setFixedHeight(STRIP_ICON + 44)
        self.strip.setMovement(QListWidget.Movement.Static)
        self.strip.currentRowChanged.connect(self._row_changed)
        self.reveal_button = QPushButton("Reveal video frames (recorded in custody)", self)
        self.reveal_button.clicked.connect(self._reveal)
        self.reveal_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
        row.addWidget(self.reveal_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.frame, 1)
        layout.addWidget(self.slider)
        layout.addLayout(row)
        layout.addWidget(self.strip)

    # -- content ---------------------------------------------------------------------------------------
    def clear(self, text: str = "Select a video.") -> None:
        self.file_id = None
        self.pictures, self.images, self.marks = [], [], set()
        self.strip.clear()
        self.frame.setPixmap(QPixmap())
        self.frame.setText(text)
        self.caption.setText("")
        self.slider.setEnabled(False)
        self.reveal_button.setEnabled(False)

    def set_strip(self, file_id: int, pictures: list[StripPicture], revealed: bool) -> None:
        """Show ``pictures`` (in time order) of ``file_id``; blurred unless ``revealed``."""
        self.clear()
        self.file_id = file_id
        if not pictures:
            self.frame.setText(
                "No frame strip for this file (not a video, or processed without strips: the full profile "
                "keeps 20 frames per video)."
            )
            return
        self.pictures = pictures
        self.images = [QImage.fromData(p.data) for p in pictures]
        self.revealed = revealed
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(pictures) - 1)
        self.slider.setValue(0)
        self.slider.setEnabled(True)
        self.slider.blockSignals(False)
        self._fill_strip()
        self.strip.setCurrentRow(0)
        self._show(0)

    def set_marks(self, timestamps: list[float]) -> None:
        """Mark the strip frames nearest to matched frames (a finding's timestamps)."""
        self.marks = {nearest_position(self.pictures, t) for t in timestamps} - {-1}
        self._fill_strip()
        self._show(self.slider.value())

    def set_revealed(self, revealed: bool) -> None:
        self.revealed = revealed
        self._fill_strip()
        self._show(self.slider.value())

    def show_at(self, timestamp_s: float) -> int:
        """Open the strip at the frame shown closest to ``timestamp_s``; returns its position (-1: none)."""
        position = nearest_position(self.pictures, timestamp_s)
        if position >= 0:
            self.slider.setValue(position)
            self._show(position)
        return position

    # -- drawing ---------------------------------------------------------------------------------------
    def _shown(self, position: int) -> QImage:
        image = self.images[position]
        if not self.revealed:
            image = obscure(image, False, True)
        return _marked(image) if position in self.marks else image

    def _fill_strip(self) -> None:
        current = self.strip.currentRow()
        self.strip.blockSignals(True)
        self.strip.clear()
        for position, picture in enumerate(self.pictures):
            icon = QPixmap.fromImage(self._shown(position))
            text = ("● " if position in self.marks else "") + clock(picture.timestamp_s)
            item = QListWidgetItem(icon, text)
            item.setToolTip(f"frame {picture.frame_number} at {picture.timestamp_s:.3f} s")
            self.strip.addItem(item)
        if 0 <= current < self.strip.count():
            self.strip.setCurrentRow(current)
        self.strip.blockSignals(False)

    def _show(self, position: int) -> None:
        if not 0 <= position < len(self.pictures):
            return
        picture = self.pictures[position]
        image = self._shown(position).scaled(
            FRAME_SIDE,
            FRAME_SIDE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.frame.setPixmap(QPixmap.fromImage(image))
        mark = "  — nearest strip frame to a matched frame" if position in self.marks else ""
        state = "" if self.revealed else "  (blurred)"
        self.caption.setText(
            f"Frame {picture.frame_number} at {clock(picture.timestamp_s)} "
            f"({position + 1} of {len(self.pictures)}){mark}{state}"
        )
        self.reveal_button.setEnabled(not self.revealed)
        if self.strip.currentRow() != position:
            self.strip.blockSignals(True)
            self.strip.setCurrentRow(position)
            self.strip.scrollToItem(self.strip.item(position))
            self.strip.blockSignals(False)

    def _position_changed(self, position: int) -> None:
        self._show(position)

    def _row_changed(self, row: int) -> None:
        if row >= 0 and row != self.slider.value():
            self.slider.setValue(row)

    def _reveal(self) -> None:
        if self.file_id is not None and not self.revealed:
            self.reveal_requested.emit(self.file_id)
