"""GUI file-table benchmark: a generated case of N file rows (default 1,000,000) opens its first page.

Measures what the examiner waits for: the id query of the virtual table model plus the first visible page
of rows (50 rows x every column through ``FileTableModel.data``), unfiltered and with filters/sorts that
need SQL work. The baseline, measured in the same run, is the plain ``SELECT id FROM files`` scan: the
floor of any table that knows its row count.
Run: ``.venv/bin/python bench/bench_gui_table.py [N] [GALLERY_N] [--size S] [--json PATH]`` (N and
GALLERY_N override the size's counts).

The gallery part gives GALLERY_N of the files (default 20,000) a thumbnail and scrolls the real gallery
view (1366x768) from top to bottom a screenful at a time, reporting the slowest repaint: what the examiner
feels as smooth or not.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench import results  # noqa: E402
from forensics.case.db import CaseDatabase  # noqa: E402
from forensics.services.context import CaseContext  # noqa: E402
from ui.adapter import CaseSession, FileFilter  # noqa: E402
from ui.models.file_table import COLUMNS, FileTableModel  # noqa: E402

VISIBLE_ROWS = 50
SIZES = {"smoke": (20_000, 2_000), "standard": (200_000, 5_000), "full": (1_000_000, 20_000)}
EXTENSIONS = ("jpg", "png", "txt", "docx", "pdf", "exe", "dll", "mp4", "zip", "html")
CATEGORIES = (
    "image",
    "image",
    "text",
    "document",
    "document",
    "executable",
    "executable",
    "video",
    "archive",
    "text",
)


def generate_case(case_dir: Path, rows: int) -> CaseDatabase:
    """A case database with one evidence item, one file system and ``rows`` files (1 in 4 analysed)."""
    db = CaseDatabase(case_dir, create=True)
    conn = db.engine.raw_connection()
    cur = conn.cursor()
    cur.execute(
        "INSERT INTO evidence (id, item, path, segments_json, container, added_at) "
        "VALUES (1, 'BENCH-1', '/nonexistent.E01', '[]', 'ewf', '2026-01-01T00:00:00Z')"
    )
    cur.execute(
        'INSERT INTO filesystems (id, evidence_id, "offset", fs_type, status, enumerated) '
        "VALUES (1, 1, 1048576, 'ntfs', 'ok', 1)"
    )
    batch = 50_000
    for start in range(0, rows, batch):
        values = []
        for i in range(start, min(rows, start + batch)):
            ext = EXTENSIONS[i % len(EXTENSIONS)]
            folder = f"/Users/user{i % 7}/folder{i // 1000}"
            values.append(
                (
                    i + 1,
                    1,
                    1,
                    i,
                    f"{folder}/file{i}.{ext}",
                    f"file{i}.{ext}",
                    ext,
                    i + 100,
                    (i * 37) % 5_000_000,
                    "file",
                    1,
                    int(i % 50 == 0),
                    int(i % 500 == 0),
                    1_600_000_000_000_000_000 + i * 1_000_000_000,
                    f"{i:032x}",
                    "done",
                )
            )
        cur.executemany(
            "INSERT INTO files (id, evidence_id, filesystem_id, seq, path, name, extension, inode, size, "
            "kind, allocated, deleted, orphan, mtime_ns, md5, status, meta_reallocated, has_metadata) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1)",
            values,
        )
        cur.executemany(
            "INSERT INTO file_analysis (file_id, mime, category, extension_mismatch, truncated, too_large, "
            "too_small, blank, low_quality) VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0)",
            [
                (v[0], f"x/{v[6]}", CATEGORIES[v[0] % len(CATEGORIES)], int(v[0] % 97 == 0))
                for v in values[::4]
            ],
        )
    conn.commit()
    cur.close()
    conn.close()
    return db


def first_page(
    session: CaseSession, flt: FileFilter, sort: str = "id", descending: bool = False
) -> tuple[float, float, int]:
    """Seconds until the first VISIBLE_ROWS rows are on screen; seconds until every id is known; rows."""
    model = FileTableModel()
    model.session = session
    model.filter, model.sort_key, model.descending = flt, sort, descending
    started = time.perf_counter()
    model.load_now(first_page_only=True)
    for row in range(min(VISIBLE_ROWS, model.rowCount())):
        for column in range(len(COLUMNS)):
            model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
    shown = time.perf_counter() - started
    started = time.perf_counter()
    model.load_now()
    return shown, time.perf_counter() - started, model.rowCount()


def add_thumbnails(db: CaseDatabase, count: int) -> None:
    """Give the first ``count`` files a distinct small JPEG thumbnail (so no two stack)."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage

    conn = db.engine.raw_connection()
    cur = conn.cursor()
    values = []
    for i in range(count):
        image = QImage(96, 72, QImage.Format.Format_RGB32)
        image.fill(QColor((i * 37) % 256, (i * 91) % 256, (i * 53) % 256))
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "JPEG", 70)
        values.append((i + 1, "image/jpeg", 96, 72, bytes(buffer.data())))
    cur.executemany(
        "INSERT INTO thumbnails (file_id, mime, width, height, data) VALUES (?, ?, ?, ?, ?)", values
    )
    cur.execute("UPDATE files SET md5 = printf('%032x', id + 7777777) WHERE id <= ?", (count,))
    conn.commit()
    cur.close()
    conn.close()


def gallery_scroll(session: CaseSession) -> dict:
    """Open the gallery view, paint it, and scroll it to the end a screenful at a time."""
    from ui.views.gallery_view import GalleryView

    view = GalleryView()
    view.resize(1366, 768)
    view.show()
    view.session = session
    started = time.perf_counter()
    view.load_now()
    QApplication.processEvents()
    view.grid.viewport().grab()
    opened = time.perf_counter() - started
    bar = view.grid.verticalScrollBar()
    worst, steps = 0.0, 0
    started = time.perf_counter()
    # The grid lays tiles out in batches between events (it stays responsive while it does), so the
    # scroll range grows as we go: keep scrolling until the last tile is on screen.
    last_row = view.model.index(view.model.rowCount() - 1)
    while not view.grid.viewport().rect().intersects(view.grid.visualRect(last_row)):
        step_start = time.perf_counter()
        QApplication.processEvents()
        bar.setValue(bar.value() + bar.pageStep())
        view.grid.viewport().grab()
        worst = max(worst, time.perf_counter() - step_start)
        steps += 1
    total = time.perf_counter() - started
    gallery = {"tiles": view.model.rowCount(), "opened_s": opened, "screens": steps, "total_s": total}
    gallery["slowest_ms"] = worst * 1000
    print(
        f"gallery: {view.model.rowCount():,} tiles, open + first screen {opened:.3f} s, {steps} screens "
        f"scrolled in {total:.2f} s, slowest screen {worst * 1000:.0f} ms"
    )
    view.close()
    return gallery


def measure(rows: int, gallery_tiles: int) -> dict:
    """Generate the case, time the floor, every table case and the gallery scroll."""
    QApplication.instance() or QApplication([])
    measured: dict = {"cases": []}
    with tempfile.TemporaryDirectory(prefix="custos-bench-gui-") as tmp:
        started = time.perf_counter()
        db = generate_case(Path(tmp) / "case", rows)
        print(f"generated {rows:,} file rows in {time.perf_counter() - started:.1f} s")
        context = CaseContext(Path(tmp) / "case", db, "Bench Examiner", custody=None)  # type: ignore[arg-type]
        session = CaseSession(context, passphrase="")
        conn = db.engine.raw_connection()
        started = time.perf_counter()
        floor_count = len(conn.cursor().execute("SELECT id FROM files").fetchall())
        floor = time.perf_counter() - started
        conn.close()
        measured["floor_s"], measured["floor_rows"] = floor, floor_count
        print(f"floor: SELECT id FROM files ({floor_count:,} ids): {floor:.3f} s")
        cases = [
            ("unfiltered, file order", FileFilter(), "id", False),
            ("sorted by name (descending)", FileFilter(), "name", True),
            ("search 'folder12'", FileFilter(text="folder12"), "id", False),
            ("deleted only", FileFilter(deleted=True), "id", False),
            ("category image, sorted by size", FileFilter(category="image"), "size", False),
        ]
        for label, flt, sort, desc in cases:
            first_page(session, flt, sort, desc)  # warm SQLite's page cache, as any second look would
            shown, every, count = first_page(session, flt, sort, desc)
            measured["cases"].append((label, count, shown, every))
            print(
                f"{label:32s} {count:>9,} rows  first page {shown:6.3f} s  all ids {every:6.3f} s "
                f"({every / floor:4.1f}x floor)"
            )
        add_thumbnails(db, min(gallery_tiles, rows))
        measured["gallery"] = gallery_scroll(session)
        db.close()
    return measured


def page_result(run: results.Run, rows: int, gallery_tiles: int, measured: dict) -> dict:
    floor = measured["floor_s"]
    table = [["floor: SELECT id FROM files", measured["floor_rows"], None, round(floor, 3), 1.0]]
    for label, count, shown, every in measured["cases"]:
        table.append([label, count, round(shown, 3), round(every, 3), results.ratio(every, floor)])
    gallery = measured["gallery"]
    return run.result(
        parameters={
            "file_rows": rows,
            "gallery_tiles": gallery_tiles,
            "visible_rows": VISIBLE_ROWS,
            "window": "1366x768, offscreen",
        },
        baseline="the plain SELECT id FROM files scan of the same case (the floor of any table)",
        columns=["view", "rows", "first page s", "all ids s", "all ids x floor"],
        rows=table,
        notes=[
            f"Gallery: {gallery['tiles']:,} tiles, open + first screen {gallery['opened_s']:.3f} s, "
            f"{gallery['screens']} screens scrolled in {gallery['total_s']:.2f} s, slowest screen "
            f"{gallery['slowest_ms']:.0f} ms.",
            "Each view is loaded twice and the second load is timed (SQLite's page cache warm).",
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", help="file rows of the case (overrides --size)")
    parser.add_argument("gallery", type=int, nargs="?", help="files with a thumbnail (overrides --size)")
    results.add_arguments(parser, default_size="full")
    args = parser.parse_args(argv)
    rows = args.rows or SIZES[args.size][0]
    gallery_tiles = args.gallery or SIZES[args.size][1]
    run = results.Run("gui_table", "GUI: file table first page and gallery scroll", args.size)
    measured = measure(rows, gallery_tiles)
    if args.json:
        results.write(args.json, page_result(run, rows, gallery_tiles, measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
