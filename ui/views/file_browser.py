"""The review workspace: evidence tree, filter bar, the virtual file table and the detail panel."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, QModelIndex, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ui import adapter
from ui.adapter import CaseSession, FileFilter
from ui.models.evidence_tree import NODE_ROLE, EvidenceTreeModel
from ui.models.file_table import COLUMNS, FileTableModel
from ui.views.detail_panel import DetailPanel

CATEGORIES = ["", *adapter.FILE_CATEGORIES]  # "" is "any type"
FLAG_BOXES = [
    ("deleted", "&Deleted"),
    ("orphan", "Orp&han"),
    ("extension_mismatch", "E&xt ≠ type"),
    ("hashset_hit", "Hash-set &hit"),
    ("hide_known", "Hide &known"),
    ("has_gps", "Has &GPS"),
    ("files_only", "Files only"),
    ("nested", "&Inside others"),
    ("carved", "Car&ved"),
]
# The review filter's choices besides one category number: (label, value).
REVIEW_STATES = [("any review", ""), ("categorised (any)", "any"), ("not categorised yet", "none")]
# Column widths, order and the sort of the file table; the column count makes a changed table start afresh.
HEADER_KEY = f"files/table_header_{len(COLUMNS)}"


def _date_ns(date: QDate, end: bool) -> int:
    value = datetime(date.year(), date.month(), date.day(), tzinfo=UTC)
    ns = int(value.timestamp()) * 1_000_000_000
    return ns + 86_400 * 1_000_000_000 if end else ns


def _refill(combo: QComboBox, choices: list[tuple[str, str]]) -> bool:
    """Replace a combo box's (label, value) items, keeping the chosen value if offered again (else the
    first), without signals; returns whether the chosen value changed. The same choices again are a no-op
    (a live refresh must not close an open popup)."""
    if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] == choices:
        return False
    before = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for label, value in choices:
        combo.addItem(label, value)
    combo.setCurrentIndex(max(combo.findData(before), 0) if before is not None else 0)
    combo.blockSignals(False)
    return before is not None and combo.currentData() != before


class FilterBar(QWidget):
    """Search, type, review category, tag, flags, camera and date range; emits ``changed`` (debounced for
    typing)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search name or path  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.category = QComboBox(self)
        self.category.addItems([c or "any type" for c in CATEGORIES])
        self.camera = QLineEdit(self)
        self.camera.setPlaceholderText("Camera make/model")
        self.camera.setClearButtonEnabled(True)
        self.review = QComboBox(self)
        self.review.setToolTip("The examiner's category (VICS scheme of the case's region)")
        self.tag = QComboBox(self)
        self.tag.setToolTip("Files the examiners tagged so")
        self.set_region("US")
        self.set_tags([])
        self.use_dates = QCheckBox("Modified", self)
        self.date_from = QDateEdit(QDate.currentDate().addYears(-1), self)
        self.date_to = QDateEdit(QDate.currentDate(), self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.boxes = {key: QCheckBox(label, self) for key, label in FLAG_BOXES}
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 3)
        top.addWidget(self.camera, 1)
        top.addWidget(self.use_dates)
        top.addWidget(self.date_from)
        top.addWidget(QLabel("–", self))
        top.addWidget(self.date_to)
        kinds = QHBoxLayout()  # what the file is, and what the examiners made of it
        kinds.setContentsMargins(0, 0, 0, 0)
        for combo, stretch in ((self.category, 1), (self.review, 2), (self.tag, 1)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
            kinds.addWidget(combo, stretch)
        self.count = QLabel(self)
        kinds.addStretch(1)
        kinds.addWidget(self.count)
        flags = QHBoxLayout()
        flags.setContentsMargins(0, 0, 0, 0)
        for box in self.boxes.values():
            flags.addWidget(box)
        flags.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(kinds)
        layout.addLayout(flags)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.changed.emit)
        self.search.textChanged.connect(self._debounce.start)
        self.camera.textChanged.connect(self._debounce.start)
        for combo in (self.category, self.review, self.tag):  # the index argument is not ours to pass on
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.use_dates.toggled.connect(self.changed.emit)
        self.date_from.dateChanged.connect(self._debounce.start)
        self.date_to.dateChanged.connect(self._debounce.start)
        for box in self.boxes.values():
            box.toggled.connect(self.changed.emit)

    def set_region(self, region: str) -> None:
        """Offer the categories of ``region``'s scheme; the current choice stays when it still exists."""
        scheme = adapter.scheme(region)
        choices = [
            *REVIEW_STATES,
            *((f"category {n}: {c.label}", str(n)) for n, c in sorted(scheme.categories.items())),
        ]
        if _refill(self.review, choices):
            self.changed.emit()

    def set_tags(self, tags: list[str]) -> None:
        """Offer the case's tags; the current choice stays when it still exists."""
        if _refill(self.tag, [("any tag", ""), *((f"tag: {t}", t) for t in tags)]):
            self.changed.emit()

    def apply_to(self, flt: FileFilter) -> FileFilter:
        flt.text = self.search.text().strip() or None
        flt.category = CATEGORIES[self.category.currentIndex()] or None
        flt.camera = self.camera.text().strip() or None
        review = self.review.currentData() or ""
        flt.reviewed = {"any": True, "none": False}.get(review)
        flt.review_category = int(review) if review.isdigit() else None
        flt.tag = self.tag.currentData() or None
        for key, box in self.boxes.items():
            setattr(flt, key, box.isChecked())
        if self.use_dates.isChecked():
            flt.mtime_from_ns = _date_ns(self.date_from.date(), end=False)
            flt.mtime_to_ns = _date_ns(self.date_to.date(), end=True)
        else:
            flt.mtime_from_ns = flt.mtime_to_ns = None
        return flt


UNLOCK_ACTION = "Supply password and re-run…"


class FileBrowser(QWidget):
    """Tree on the left, filters and table in the middle, details on the right.

    The table's context menu offers "Supply password and re-run…" on an archive that lists encrypted
    members not read yet: ``unlock_requested(file_id, label)`` asks the window to run it.
    """

    unlock_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.tree_model = EvidenceTreeModel(self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(True)
        self.tree.expanded.connect(self.tree_model.expand)
        self.tree.selectionModel().currentChanged.connect(self._scope_changed)
        self.filters = FilterBar(self)
        self.filters.changed.connect(self.apply_filters)
        self.model = FileTableModel(self)
        self.model.loaded.connect(self._loaded)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate([220, 70, 80, 120, 140, 110, 130, 320, 260]):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(self._open_item)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        # Showing what one item holds (an archive's members): its name and the way back.
        self.inside: int | None = None
        self.inside_bar = QWidget(self)
        self.inside_label = QLabel(self.inside_bar)
        back = QPushButton("Back", self.inside_bar)
        back.clicked.connect(lambda: self.show_inside(None))
        inside_layout = QHBoxLayout(self.inside_bar)
        inside_layout.setContentsMargins(0, 0, 0, 0)
        inside_layout.addWidget(self.inside_label, 1)
        inside_layout.addWidget(back)
        self.inside_bar.hide()
        self.detail = DetailPanel(self)
        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self.filters)
        middle_layout.addWidget(self.inside_bar)
        middle_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([200, 700, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    def set_session(self, session: CaseSession | None) -> None:
        self.session = session
        self.tree_model.set_session(session)
        self.tree.expandToDepth(0)
        self.detail.set_session(session)
        if session is not None:
            self.filters.blockSignals(True)  # the model loads once, below
            self.filters.set_region(session.region())
            self.filters.set_tags(session.tags())
            self.filters.blockSignals(False)
        self.model.set_session(session, self.filters.apply_to(self._scope()))

    def set_region(self, region: str) -> None:
        """The case's category region changed: the review filter offers that scheme's categories."""
        self.filters.set_region(region)

    def refresh(self) -> None:
        """Re-read items (e.g. while ingest adds rows or after tagging) keeping the current filter."""
        if self.session is not None:
            self.filters.set_tags(self.session.tags())
            self.model.reload()

    def review_changed(self, file_ids: frozenset[int], everything: bool = False) -> None:
        """Marks of ``file_ids`` changed elsewhere: the rows show them; a filter on review marks is run
        again (the files it keeps may differ); the detail panel re-reads a file shown among them."""
        if self.session is None:
            return
        self.filters.set_tags(self.session.tags())
        flt = self.model.filter
        on_review = flt.review_category is not None or flt.reviewed is not None or flt.tag is not None
        if everything or on_review:
            self.model.reload()
        else:
            self.model.refresh_rows()
        if self.detail.file_id is not None and (everything or self.detail.file_id in file_ids):
            self.detail.refresh_detail()

    def save_layout(self, settings: QSettings) -> None:
        """Remember the table's column widths, order and sort."""
        settings.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def restore_layout(self, settings: QSettings) -> bool:
        """Restore what :meth:`save_layout` remembered (the sort is applied to the model too)."""
        state = settings.value(HEADER_KEY)
        header = self.table.horizontalHeader()
        if state is None or not header.restoreState(state):
            return False
        if header.sortIndicatorSection() >= 0:
            self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        return True

    def reload_tree(self) -> None:
        self.tree_model.set_session(self.session)
        self.tree.expandToDepth(0)

    def show_inside(self, file_id: int | None, label: str = "") -> None:
        """List what one item holds (None: back to the tree's scope)."""
        self.inside = file_id
        self.inside_label.setText(f"Inside {label}" if file_id is not None else "")
        self.inside_bar.setVisible(file_id is not None)
        self.apply_filters()

    def _open_item(self, index: QModelIndex) -> None:
        """Double-click on an item that holds others (archive, document, $Unallocated): list them."""
        row = self.model.row_data(index.row()) if index.isValid() else None
        if row and row.get("children"):
            self.show_inside(row["id"], row["path"])

    def context_menu_for(self, row: int) -> QMenu | None:
        """The context menu of a table row (None when it offers nothing)."""
        data = self.model.row_data(row) if row >= 0 else None
        if self.session is None or not data:
            return None
        menu = QMenu(self)
        unlock = menu.addAction(UNLOCK_ACTION)
        unlock.setEnabled(self.session.has_encrypted_members(data["id"]))
        unlock.setToolTip("Encrypted members of this archive are listed but not opened")
        unlock.triggered.connect(lambda: self.unlock_requested.emit(data["id"], data["path"]))
        return menu

    def _context_menu(self, position: QPoint) -> None:
        menu = self.context_menu_for(self.table.indexAt(position).row())
        if menu is not None:
            menu.exec(self.table.viewport().mapToGlobal(position))

    def _scope(self) -> FileFilter:
        flt = FileFilter()
        if self.inside is not None:
            flt.inside = self.inside
            return flt
        node = self.tree.currentIndex().data(NODE_ROLE) if self.tree.currentIndex().isValid() else None
        if node is not None:
            if node[0] == "item":
                flt.evidence_id = node[1]
            elif node[0] == "fs":
                flt.filesystem_id = node[1]
                flt.folder = "/"
            else:
                flt.filesystem_id, flt.folder = node[1], node[2]
        return flt

    def apply_filters(self) -> None:
        self.model.set_filter(self.filters.apply_to(self._scope()))

    def _scope_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self.apply_filters()

    def _loaded(self, count: int) -> None:
        more = "" if self.model.complete else "+ (counting…)"
        self.filters.count.setText(f"{count:,}{more} items")

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.detail.set_file(self.model.file_id(current.row()) if current.isValid() else None)

    def selected_file_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [fid for fid in (self.model.file_id(r) for r in rows) if fid is not None]
