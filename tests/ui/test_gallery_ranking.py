"""Hit-density ranking of gallery groups (computed in SQL) and categorising a whole group from its header.

The case is the GUI fixture's photo folder (``conftest.build_photo_folder``): /docs/copy.jpg (a copy of
Canon_40D.jpg), /photos/Canon_40D.jpg and three GPS photos in /photos/gps/. An alert list holding the MD5
of DSCN0010.jpg (computed here from the test data) is imported and matched through the ``custos`` CLI,
as the hash-set manager does.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import Qt

from forensics.case.queries.cursor import raw_cursor
from tests.ui.conftest import EXIF_DATA, run_cli
from ui.views.gallery_view import GalleryView


def _match_alert_list(case_dir: Path, tmp_path: Path) -> None:
    """Import a one-entry alert list (the MD5 of DSCN0010.jpg) and match the case against it."""
    md5 = hashlib.md5((EXIF_DATA / "gps" / "DSCN0010.jpg").read_bytes()).hexdigest()
    alert_list = tmp_path / "alert.txt"
    alert_list.write_text(md5 + "\n", encoding="ascii")
    home = Path(os.environ["CUSTOS_HOME"])
    for args in (
        ("hashset", "import", str(alert_list), "--name", "Test alert list", "--kind", "alert"),
        ("match", str(case_dir)),
    ):
        done = run_cli(home, *args)
        assert done.returncode == 0, f"custos {' '.join(args)}: {done.stderr}"


def _order(entries) -> list[tuple[str, int, int, int]]:
    """(group, files, hits, categorised) per group, in display order."""
    seen: dict[str, tuple[str, int, int, int]] = {}
    for e in entries:
        seen.setdefault(e.group, (e.group, e.summary.files, e.summary.hits, e.summary.categorised))
    return list(seen.values())


def _file_id(session, path: str) -> int:
    with raw_cursor(session.db) as cur:
        cur.execute("SELECT id FROM files WHERE path = ?", (path,))
        return cur.fetchone()[0]


def test_groups_rank_by_share_of_alerts_and_categorised_material(session, ingested_case, tmp_path):
    by_name = session.gallery("folder", stack_identical=False)
    assert _order(by_name) == [("/docs/", 1, 0, 0), ("/photos/", 1, 0, 0), ("/photos/gps/", 3, 0, 0)]
    assert session.gallery("folder", False, rank_by_hits=True) == by_name  # no hits: ties keep name order

    _match_alert_list(ingested_case, tmp_path)
    ranked = session.gallery("folder", stack_identical=False, rank_by_hits=True)
    assert _order(ranked) == [("/photos/gps/", 3, 1, 0), ("/docs/", 1, 0, 0), ("/photos/", 1, 0, 0)]
    assert [e.name for e in ranked if e.hit] == ["DSCN0010.jpg"]

    # Category 1 (an alert kind in the US scheme) counts as material; 0 (Non-Pertinent, "known") does not.
    session.categorise([_file_id(session, "/photos/Canon_40D.jpg")], 1, "US")
    session.categorise([_file_id(session, "/photos/gps/DSCN0025.jpg")], 0, "US")
    ranked = session.gallery("folder", stack_identical=False, rank_by_hits=True)
    assert _order(ranked) == [("/photos/", 1, 0, 1), ("/photos/gps/", 3, 1, 0), ("/docs/", 1, 0, 0)]
    assert ranked[0].summary.share == 1.0 and abs(ranked[1].summary.share - 1 / 3) < 1e-9
    # Grouped by matched set: the set's group is all hits, so it comes before "(no match)".
    by_set = session.gallery("set", stack_identical=False, rank_by_hits=True)
    assert _order(by_set)[0] == ("Test alert list", 1, 1, 0)
    # Stacked: the identical copy joins the tile of the higher-ranked folder.
    stacked = session.gallery("folder", stack_identical=True, rank_by_hits=True)
    assert [(e.group, e.name, e.stacked) for e in stacked][0] == ("/photos/", "Canon_40D.jpg", 2)


def test_header_selects_a_group_and_one_key_categorises_every_file(qtbot, session, ingested_case, tmp_path):
    _match_alert_list(ingested_case, tmp_path)
    view = GalleryView()
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.set_session(session)
    view.rank.setChecked(True)
    view.load_now()
    spans = view.model.spans
    assert [s.name for s in spans] == ["/photos/gps/", "/docs/"]  # /photos/Canon_40D.jpg stacked under /docs/
    assert view.groups.item(1).text() == "/photos/gps/  (3, 1 hit)"
    before = len(session.custody_entries())

    grid = view.grid
    header = grid.grid_layout().header_rect(0).translated(0, -grid.verticalOffset())
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=header.center())
    assert view.selected_rows() == [0, 1, 2]
    with qtbot.waitSignal(view.status, timeout=15000):
        qtbot.keyClick(grid, "2")
    qtbot.waitUntil(lambda: view.model.spans[0].summary.categorised == 3, timeout=15000)

    events = [e for e in session.custody_entries()[before:] if e["action"] == "file_categorised"]
    assert sorted(e["target"]["path"] for e in events) == [
        "/photos/gps/DSCN0010.jpg",
        "/photos/gps/DSCN0025.jpg",
        "/photos/gps/DSCN0042.jpg",
    ]
    assert all(e["details"]["category"] == 2 for e in events)
    # Counts refresh in place: no reload, the groups keep their positions.
    assert [s.name for s in view.model.spans] == ["/photos/gps/", "/docs/"]
    # The whole-group path by name, as the side list's double-click uses it.
    assert view.select_group("/docs/") == 1 and len(view.selected_file_ids()) == 2
