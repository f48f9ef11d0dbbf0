"""The file table: a virtual model that holds only row ids and fetches visible rows page by page.

Filtering and sorting happen in SQL (:mod:`forensics.case.queries.file_table`); the id list is fetched
in a worker thread, so a million-row case opens without blocking the window. Display rows come in pages
of ``PAGE`` ids, kept in a small cache (Anki's browser model, in spirit).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from forensics.core.local_times import is_local_time_fs, table_time
from ui.adapter import CaseSession, FileFilter
from ui.workers import run_in_background

PAGE = 200
CACHED_PAGES = 64
FILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

# (key, header, SQL sort key)
COLUMNS: list[tuple[str, str, str]] = [
    ("name", "Name", "name"),
    ("item", "Item", "item"),
    ("size", "Size", "size"),
    ("type", "Type", "type"),
    ("mtime", "Modified (UTC)", "mtime"),
    ("flags", "Flags", "deleted"),
    ("review", "Category", "review"),
    ("path", "Path", "path"),
    ("md5", "MD5", "md5"),
]
DELETED_COLOUR = QColor(200, 60, 60)
HIT_COLOUR = QColor(230, 120, 0)

AnyIndex = QModelIndex | QPersistentModelIndex


def human_size(size: int | None) -> str:
    """``1.5 MB`` style size (decimal units, as examiners' tools show)."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(size)


def flags_text(row: dict[str, Any]) -> str:
    flags = []
    if row["hits"]:
        flags.append("HIT")
    if row["deleted"]:
        flags.append("deleted")
    if row["orphan"]:
        flags.append("orphan")
    if row["extension_mismatch"]:
        flags.append("ext≠type")
    if row["known"]:
        flags.append("known")
    if row.get("link") == "carved":
        flags.append("carved")
    elif row.get("parent_id"):
        flags.append("inside")
    if row.get("encrypted"):  # a member of an encrypted archive: read with the examiner's password or not
        flags.append("decrypted" if row.get("status") == "done" else "encrypted")
    if row.get("children"):
        flags.append(f"holds {row['children']}")
    return " ".join(flags)


class FileTableModel(QAbstractTableModel):
    """Rows are file ids of the current filter and sort; cells are fetched lazily."""

    loaded = Signal(int)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.filter = FileFilter()
        self.sort_key = "id"
        self.descending = False
        self._ids: list[int] = []
        self._pages: OrderedDict[int, dict[int, dict[str, Any]]] = OrderedDict()
        self._generation = 0
        self.complete_generation = -1
        self.complete = True  # False while only the first page of ids is known

    # -- configuration ----------------------------------------------------------------------------
    def set_session(self, session: CaseSession | None, flt: FileFilter | None = None) -> None:
        """Show ``session``'s files that ``flt`` keeps (every file when None)."""
        self.session = session
        self.filter = flt or FileFilter()
        self._set_ids([])
        if session is not None:
            self.reload()

    def set_filter(self, flt: FileFilter) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Re-run the id query in the background, in two steps: the first page (shown at once), then
        every id (scrolling and the row count). The view keeps its old rows until the first answer."""
        if self.session is None:
            return
        self._generation += 1
        generation, session = self._generation, self.session
        flt, sort, desc = self.filter, self.sort_key, self.descending
        run_in_background(
            lambda: session.file_ids(flt, sort, desc, limit=PAGE),
            lambda ids: self._apply(generation, ids, complete=len(ids) < PAGE),
            self.failed.emit,
        )
        run_in_background(
            lambda: session.file_ids(flt, sort, desc),
            lambda ids: self._apply(generation, ids, complete=True),
            self.failed.emit,
        )

    def load_now(self, *, first_page_only: bool = False) -> None:
        """Synchronous reload (benchmarks and tests)."""
        if self.session is not None:
            limit = PAGE if first_page_only else None
            ids = self.session.file_ids(self.filter, self.sort_key, self.descending, limit=limit)
            self.complete = not first_page_only or len(ids) < PAGE
            self._set_ids(ids)

    def _apply(self, generation: int, ids: list[int], *, complete: bool) -> None:
        if generation != self._generation or (self.complete_generation == generation and not complete):
            return  # a newer query was started, or the full list already arrived
        if complete:
            self.complete_generation = generation
        self.complete = complete
        self._set_ids(ids)

    def _set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._pages.clear()
        self.endResetModel()
        self.loaded.emit(len(ids))

    def refresh_rows(self) -> None:
        """Forget cached rows (after a review change) and repaint."""
        self._pages.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def file_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, file_id: int) -> int:
        try:
            return self._ids.index(file_id)
        except ValueError:
            return -1

    # -- Qt model ---------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.sort_key = COLUMNS[column][2]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def row_data(self, row: int) -> dict[str, Any] | None:
        """The display fields of one row (fetched with its page when not cached)."""
        return self._row(row)

    def _row(self, row: int) -> dict[str, Any] | None:
        page = row // PAGE
        cached = self._pages.get(page)
        if cached is None:
            if self.session is None:
                return None
            ids = self._ids[page * PAGE : (page + 1) * PAGE]
            cached = self.session.file_rows(ids)
            self._pages[page] = cached
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        return cached.get(self._ids[row])

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == FILE_ID_ROLE:
            return self._ids[index.row()]
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.TextAlignmentRole,
        ):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key == "size":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row["hits"]:
                return HIT_COLOUR
            return DELETED_COLOUR if row["deleted"] else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return row["path"] if key in ("name", "path") else None
        return self._display(key, row)

    @staticmethod
    def _display(key: str, row: dict[str, Any]) -> str:
        if key == "size":
            return human_size(row["size"]) if row["kind"] != "directory" else ""
        if key == "type":
            return row["mime"] or ("folder" if row["kind"] == "directory" else row["kind"])
        if key == "mtime":
            # FAT/exFAT keep local clock time: converted with the item's zone, else marked local
            local = is_local_time_fs(row.get("fs_type"))
            return table_time(row["mtime_ns"], local=local, zone=row.get("time_zone"))
        if key == "flags":
            return flags_text(row)
        if key == "review":
            return row["review_label"] or ""
        value = row.get(key)
        return "" if value is None else str(value)
