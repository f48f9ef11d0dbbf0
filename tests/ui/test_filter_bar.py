"""Review filters of the file table (category N, any, none; tag) in SQL, and the table's remembered layout.

Counts are checked against the case database itself (``sqlite3`` on ``case.db``), not against the model.
"""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.ui.screens import shoot
from ui import adapter
from ui.adapter import FileFilter
from ui.main_window import MainWindow
from ui.models.file_table import COLUMNS, FileTableModel
from ui.views.file_browser import HEADER_KEY, FileBrowser, FilterBar
from ui.workers import wait_for_background


def _ids(session, *names: str) -> list[int]:
    return [session.file_ids(FileFilter(text=name))[0] for name in names]


@pytest.fixture
def reviewed(session):
    """DSCN0010 and DSCN0025 category 1, Canon_40D category 2; DSCN0010 and readme.txt tagged ``beach``."""
    session.categorise(_ids(session, "DSCN0010.jpg", "DSCN0025.jpg"), 1, "US")
    session.categorise(_ids(session, "Canon_40D.jpg"), 2, "US")
    session.tag(_ids(session, "DSCN0010.jpg", "readme.txt"), "beach")
    session.tag(_ids(session, "readme.txt"), "note")
    return session


def _db_count(session, sql: str, *params) -> int:
    with sqlite3.connect(session.case_dir / "case.db") as conn:
        return conn.execute(sql, params).fetchone()[0]


def _names(model: FileTableModel) -> list[str]:
    return sorted(model.index(r, 0).data() for r in range(model.rowCount()))


@pytest.mark.parametrize(
    ("flt", "sql"),
    [
        (FileFilter(review_category=1), "SELECT count(*) FROM review_categories WHERE category = 1"),
        (FileFilter(reviewed=True), "SELECT count(*) FROM review_categories"),
        (
            FileFilter(reviewed=False),
            "SELECT count(*) FROM files WHERE id NOT IN (SELECT file_id FROM review_categories)",
        ),
        (FileFilter(tag="beach"), "SELECT count(*) FROM review_tags WHERE tag = 'beach'"),
        (
            FileFilter(tag="beach", reviewed=True),
            "SELECT count(*) FROM review_tags JOIN review_categories USING (file_id) WHERE tag = 'beach'",
        ),
    ],
    ids=["category-1", "any-category", "uncategorised", "tag", "tag-and-categorised"],
)
def test_review_filters_match_the_database(qtmodeltester, reviewed, flt, sql) -> None:
    model = FileTableModel()
    model.set_session(reviewed, flt)
    model.load_now()
    assert model.rowCount() == _db_count(reviewed, sql) > 0
    qtmodeltester.check(model, force_py=True)


def test_review_filters_keep_the_right_files(reviewed) -> None:
    model = FileTableModel()
    model.session = reviewed
    for flt, expected in (
        (FileFilter(review_category=1), ["DSCN0010.jpg", "DSCN0025.jpg"]),
        (FileFilter(review_category=2, files_only=True), ["Canon_40D.jpg"]),
        (FileFilter(reviewed=False, files_only=True), ["DSCN0042.jpg", "copy.jpg", "readme.txt"]),
        (FileFilter(tag="note"), ["readme.txt"]),
        (FileFilter(tag="beach", review_category=1), ["DSCN0010.jpg"]),
    ):
        model.filter = flt
        model.load_now()
        assert _names(model) == expected, flt
    model.filter, model.sort_key = FileFilter(reviewed=True), "review"
    model.load_now()
    assert [model.index(r, 6).data() for r in range(model.rowCount())][0] == model.index(0, 6).data()


def test_filter_bar_offers_the_case_region_and_tags(qtbot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_region("UK")
    labels = [bar.review.itemText(i) for i in range(bar.review.count())]
    assert labels[:3] == ["any review", "categorised (any)", "not categorised yet"]
    uk = adapter.scheme("UK").categories
    assert labels[3:] == [f"category {n}: {uk[n].label}" for n in sorted(uk)]
    bar.set_tags(["beach", "note"])
    bar.tag.setCurrentIndex(bar.tag.findData("note"))
    bar.review.setCurrentIndex(bar.review.findData("2"))
    flt = bar.apply_to(FileFilter())
    assert (flt.review_category, flt.reviewed, flt.tag) == (2, None, "note")
    with qtbot.assertNotEmitted(bar.changed):
        bar.set_tags(["beach", "new", "note"])  # the chosen tag is still offered: nothing changes
    assert bar.tag.currentData() == "note"
    with qtbot.waitSignal(bar.changed, timeout=1000):
        bar.set_tags(["beach"])  # the chosen tag is gone: back to "any tag", and the table reloads
    assert bar.apply_to(FileFilter()).tag is None
    bar.review.setCurrentIndex(bar.review.findData("none"))
    assert bar.apply_to(FileFilter()).reviewed is False


def test_browser_counts_review_filter_and_remembers_columns(
    qtbot, reviewed, tmp_path, screenshot_dir
) -> None:
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    browser = FileBrowser()
    qtbot.addWidget(browser)
    browser.set_session(reviewed)
    assert [browser.filters.tag.itemData(i) for i in range(browser.filters.tag.count())] == [
        "",
        "beach",
        "note",
    ]
    browser.filters.review.setCurrentIndex(browser.filters.review.findData("any"))
    expected = _db_count(reviewed, "SELECT count(*) FROM review_categories")
    qtbot.waitUntil(lambda: browser.filters.count.text() == f"{expected:,} items", timeout=10000)
    shoot(browser, screenshot_dir, "file-table-review-filter", sizes=((1366, 768),))

    browser.table.setColumnWidth(0, 333)
    browser.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # size, largest first
    assert wait_for_background()
    qtbot.wait(50)  # deliver the reload's answers while the browser still exists
    browser.save_layout(settings)
    assert settings.value(HEADER_KEY) is not None

    again = FileBrowser()
    qtbot.addWidget(again)
    assert again.restore_layout(settings)
    header = again.table.horizontalHeader()
    assert again.table.columnWidth(0) == 333
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (2, Qt.SortOrder.DescendingOrder)
    assert (again.model.sort_key, again.model.descending) == (COLUMNS[2][2], True)
    assert not FileBrowser().restore_layout(
        QSettings(str(tmp_path / "empty.ini"), QSettings.Format.IniFormat)
    )


def test_main_window_keeps_the_table_layout_between_runs(qtbot, gui_settings) -> None:
    window = MainWindow(gui_settings)
    qtbot.addWidget(window)
    window.files.table.setColumnWidth(7, 444)
    window.files.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    window.close()
    again = MainWindow(gui_settings)
    qtbot.addWidget(again)
    assert again.files.table.columnWidth(7) == 444
    assert (again.files.model.sort_key, again.files.model.descending) == ("name", True)
