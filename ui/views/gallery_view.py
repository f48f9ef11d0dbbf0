"""The gallery: a virtualised, blurred-by-default thumbnail grid with category hotkeys, tags and notes.

Keys 0–9 give the selected tiles that category of the region's VICS scheme; every file of a stacked
tile is categorised. Revealing (R) is deliberate and recorded; each review action is a custody event.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import adapter
from ui.adapter import CaseSession
from ui.models.gallery import TILE, GalleryModel
from ui.workers import run_in_background


class GalleryView(QWidget):
    """Group list on the left, grid on the right, review actions in a toolbar row."""

    status = Signal(str)
    _generation = 0

    def __init__(self, parent: QWidget | None = None, region: str = "US") -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.region = region
        self.model = GalleryModel(self)
        self.grid = QListView(self)
        self.grid.setModel(self.model)
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setLayoutMode(QListView.LayoutMode.Batched)
        self.grid.setBatchSize(200)
        self.grid.setIconSize(QSize(TILE, TILE))
        self.grid.setGridSize(QSize(TILE + 24, TILE + 44))
        self.grid.setSpacing(4)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setWordWrap(True)
        self.groups = QListWidget(self)
        self.groups.currentItemChanged.connect(self._group_chosen)
        self.group_by = QComboBox(self)
        self.group_by.addItem("Group by folder", "folder")
        self.group_by.addItem("Group by matched set", "set")
        self.group_by.currentIndexChanged.connect(self.reload)
        self.stack = QCheckBox("Stack identical", self)
        self.stack.setChecked(True)
        self.stack.toggled.connect(self.reload)
        self.gray = QCheckBox("Grayscale", self)
        self.gray.toggled.connect(self.model.set_grayscale)
        self.reveal_button = QPushButton("&Reveal (R)", self)
        self.reveal_button.clicked.connect(self.reveal_selected)
        self.tag_button = QPushButton("&Tag… (T)", self)
        self.tag_button.clicked.connect(self.tag_selected)
        self.note_button = QPushButton("&Note… (N)", self)
        self.note_button.clicked.connect(self.note_selected)
        self.legend = QLabel(self)
        self.legend.setWordWrap(True)
        self.legend.setObjectName("legend")
        bar = QHBoxLayout()
        for widget in (self.group_by, self.stack, self.gray):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.reveal_button, self.tag_button, self.note_button):
            bar.addWidget(widget)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.groups)
        splitter.addWidget(self.grid)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([240, 1000])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.legend)
        self._shortcuts()
        self.set_region(region)

    def _shortcuts(self) -> None:
        """Hotkeys work whenever the grid has focus (a key filter, not window shortcuts)."""
        self._keys = {
            Qt.Key.Key_R: self.reveal_selected,
            Qt.Key.Key_T: self.tag_selected,
            Qt.Key.Key_N: self.note_selected,
        }
        self.grid.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt name)
        if (
            watched is self.grid
            and event.type() == QEvent.Type.KeyPress
            and not event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier)
        ):
            key = event.key()
            if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
                self.categorise_selected(key - Qt.Key.Key_0)
                return True
            if key in self._keys:
                self._keys[key]()
                return True
        return super().eventFilter(watched, event)

    def set_region(self, region: str) -> None:
        self.region = region
        scheme = adapter.scheme(region)
        keys = "   ".join(f"{n} = {c.label}" for n, c in sorted(scheme.categories.items()))
        self.legend.setText(f"Category keys ({scheme.region}): {keys}")

    def set_session(self, session: CaseSession | None) -> None:
        self.session = session
        self.model.revealed.clear()
        self.reload()

    def reload(self) -> None:
        """Re-read the tiles in the background; a newer load wins over an older one still running."""
        self._generation += 1
        session = self.session
        if session is None:
            self.model.set_entries(None, [])
            self.groups.clear()
            return
        generation = self._generation
        group_by, stack = self.group_by.currentData(), self.stack.isChecked()
        run_in_background(
            lambda: session.gallery(group_by, stack), lambda e: self._loaded(session, e, generation)
        )

    def load_now(self) -> None:
        """Synchronous reload (tests)."""
        self._generation += 1
        if self.session is not None:
            entries = self.session.gallery(self.group_by.currentData(), self.stack.isChecked())
            self._loaded(self.session, entries, self._generation)

    def _loaded(self, session: CaseSession, entries: list, generation: int) -> None:
        if generation != self._generation or session is not self.session:
            return
        selected = set(self.selected_file_ids(stacked=False))
        self.model.set_entries(session, entries)
        for row, entry in enumerate(entries):
            if entry.file_id in selected:
                self.grid.selectionModel().select(
                    self.model.index(row), QItemSelectionModel.SelectionFlag.Select
                )
        self.groups.clear()
        all_item = QListWidgetItem(f"All images ({len(entries)})")
        self.groups.addItem(all_item)
        for group, count in self.model.groups():
            item = QListWidgetItem(f"{group}  ({count})")
            item.setData(Qt.ItemDataRole.UserRole, group)
            self.groups.addItem(item)

    def _group_chosen(self, current: QListWidgetItem | None, _previous) -> None:
        group = current.data(Qt.ItemDataRole.UserRole) if current else None
        row = self.model.first_row_of_group(group) if group else 0
        if row >= 0 and self.model.rowCount():
            self.grid.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.PositionAtTop)

    # -- review actions -------------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())

    def selected_file_ids(self, *, stacked: bool = True) -> list[int]:
        """Selected tiles' files; with ``stacked`` every identical file behind a tile too."""
        ids = [self.model.entries[r].file_id for r in self.selected_rows()]
        if stacked and self.session is not None:
            ids = self.session.identical_files(ids)
        return ids

    def reveal_selected(self) -> None:
        if self.session is None:
            return
        ids = [self.model.entries[r].file_id for r in self.selected_rows()]
        fresh = [i for i in ids if i not in self.model.revealed]
        if not fresh:
            return
        self.model.reveal(fresh)
        session = self.session
        run_in_background(lambda: [session.reveal(i) for i in fresh])
        self.status.emit(f"Revealed {len(fresh)} image(s); recorded in the custody log.")

    def categorise_selected(self, number: int) -> None:
        if self.session is None or number not in adapter.scheme(self.region).categories:
            return
        ids = self.selected_file_ids()
        if not ids:
            return
        session, region = self.session, self.region
        run_in_background(
            lambda: session.categorise(ids, number, region),
            lambda n: self._done(f"Category {number} given to {n} file(s)."),
            lambda message: self.status.emit(f"Categorising failed: {message}"),
        )

    def tag_selected(self) -> None:
        ids = self.selected_file_ids()
        if self.session is None or not ids:
            return
        tag, ok = QInputDialog.getText(self, "Tag", f"Tag for {len(ids)} file(s):")
        if ok and tag.strip():
            session = self.session
            run_in_background(lambda: session.tag(ids, tag), lambda n: self._done(f"Tagged {n} file(s)."))

    def note_selected(self) -> None:
        ids = self.selected_file_ids()
        if self.session is None or not ids:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Note", f"Note for {len(ids)} file(s):")
        if ok and text.strip():
            session = self.session
            run_in_background(lambda: session.note(ids, text), lambda n: self._done(f"Noted {n} file(s)."))

    def _done(self, message: str) -> None:
        self.model.refresh_categories()
        self.status.emit(message + " Recorded in the custody log.")
