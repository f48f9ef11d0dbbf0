"""The gallery: a virtualised, blurred-by-default thumbnail grid with category hotkeys, tags and notes.

Groups (folders or matched sets) are header bands inside the grid; clicking a header or pressing G
selects the whole group. Keys 0–9 give the selected tiles that category of the region's VICS scheme;
every file of a stacked tile is categorised. Revealing (R) is deliberate and recorded; each review
action is a custody event. "Rank by hits" puts the groups most loaded with material first.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import adapter
from ui.adapter import CaseSession
from ui.models.gallery import GalleryModel
from ui.views.gallery_grid import GalleryGrid, header_text
from ui.workers import run_in_background


class GalleryView(QWidget):
    """A jump list of groups on the left, the grouped grid on the right, review actions in a toolbar row."""

    status = Signal(str)
    _generation = 0

    def __init__(self, parent: QWidget | None = None, region: str = "US") -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.region = region
        self.model = GalleryModel(self)
        self.grid = GalleryGrid(self)
        self.grid.setModel(self.model)
        self.grid.group_selected.connect(
            lambda name, n: self.status.emit(
                f"Selected the {n} tile(s) of {name}; a category key categorises all."
            )
        )
        self.groups = QListWidget(self)
        self.groups.setToolTip("Jump to a group; double-click selects all its tiles")
        self.groups.currentItemChanged.connect(self._group_chosen)
        self.groups.itemDoubleClicked.connect(self._group_double_clicked)
        self.group_by = QComboBox(self)
        self.group_by.addItem("Group by folder", "folder")
        self.group_by.addItem("Group by matched set", "set")
        self.group_by.addItem("Group by WhatsApp chat", "chat")
        self.group_by.currentIndexChanged.connect(self.reload)
        self.stack = QCheckBox("Stack identical", self)
        self.stack.setChecked(True)
        self.stack.toggled.connect(self.reload)
        self.rank = QCheckBox("Rank by hits", self)
        self.rank.setToolTip(
            "Groups with the largest share of hash-set alerts and categorised material first"
        )
        self.rank.toggled.connect(self.reload)
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
        for widget in (self.group_by, self.stack, self.rank, self.gray):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.reveal_button, self.tag_button, self.note_button):
            bar.addWidget(widget)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.groups)
        splitter.addWidget(self.grid)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([200, 1100])
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
            Qt.Key.Key_G: self.grid.select_current_group,
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
        options = self._options()
        run_in_background(
            lambda: session.gallery(*options),
            lambda e: self._loaded(session, e, generation),
            lambda message: self.status.emit(f"The gallery could not be loaded: {message}"),
        )

    def load_now(self) -> None:
        """Synchronous reload (tests)."""
        self._generation += 1
        if self.session is not None:
            entries = self.session.gallery(*self._options())
            self._loaded(self.session, entries, self._generation)

    def _options(self) -> tuple[str, bool, bool]:
        """Arguments of ``CaseSession.gallery``: grouping, stacking, ranking by hits."""
        return self.group_by.currentData(), self.stack.isChecked(), self.rank.isChecked()

    def _loaded(self, session: CaseSession, entries: list, generation: int) -> None:
        if generation != self._generation or session is not self.session:
            return
        selected = set(self.selected_file_ids(stacked=False))
        self.model.set_entries(session, entries)
        keep = QItemSelection()
        for row, entry in enumerate(entries):
            if entry.file_id in selected:
                keep.select(self.model.index(row), self.model.index(row))
        self.grid.selectionModel().select(keep, QItemSelectionModel.SelectionFlag.Select)
        self._fill_jump_list()

    def _fill_jump_list(self, keep_current: bool = False) -> None:
        """The side list: every group with its counts, in the grid's order (a quick way to jump)."""
        self.groups.blockSignals(True)
        current = self.groups.currentRow() if keep_current else -1
        self.groups.clear()
        self.groups.addItem(QListWidgetItem(f"All images ({self.model.rowCount()})"))
        for number, span in enumerate(self.model.spans):
            name, counts = header_text(span)
            hits = span.summary.hits if span.summary else 0
            hit_text = f", {hits} hit{'s' if hits > 1 else ''}" if hits else ""
            item = QListWidgetItem(f"{name}  ({span.count}{hit_text})")
            item.setToolTip(f"{name}\n{counts}")
            item.setData(Qt.ItemDataRole.UserRole, number)
            self.groups.addItem(item)
        if 0 <= current < self.groups.count():
            self.groups.setCurrentRow(current)
        self.groups.blockSignals(False)

    def _group_chosen(self, current: QListWidgetItem | None, _previous) -> None:
        group = current.data(Qt.ItemDataRole.UserRole) if current else None
        if group is None:
            self.grid.verticalScrollBar().setValue(0)
        else:
            self.grid.scroll_to_group(group)

    def _group_double_clicked(self, item: QListWidgetItem) -> None:
        group = item.data(Qt.ItemDataRole.UserRole)
        if group is not None:
            self.grid.select_group(group)
            self.grid.setFocus()

    # -- review actions -------------------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())

    def select_group(self, name: str) -> int:
        """Select every tile of the named group (as clicking its header does); returns the tile count."""
        number = next((i for i, span in enumerate(self.model.spans) if span.name == name), -1)
        self.grid.select_group(number)
        return self.model.spans[number].count if number >= 0 else 0

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
        self._refresh_counts()

    def review_changed(self) -> None:
        """Marks changed elsewhere: repaint the tiles' categories and re-count the groups."""
        if self.session is None:
            return
        self.model.refresh_categories()
        self._refresh_counts()

    def _refresh_counts(self) -> None:
        """Re-read the groups' hit and category counts; tiles and groups stay where they are."""
        session, generation, options = self.session, self._generation, self._options()
        if session is None:
            return

        def apply(entries: list) -> None:
            if generation == self._generation and session is self.session:
                self.model.update_summaries(entries)
                self._fill_jump_list(keep_current=True)

        run_in_background(lambda: session.gallery(*options), apply)
