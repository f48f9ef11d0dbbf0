"""The evidence tree marks a file system whose listing met problems (here: a damaged inode table)."""

from __future__ import annotations

from pathlib import Path

import pyewf
import pytest
from PySide6.QtGui import QColor

from tests.app.cli_helpers import EXAMINER, PASSPHRASE, cli, examiner_env, new_case
from tests.app.test_ingest_damaged_listing import _root_inode_chunk
from tests.evidence.damaged_ewf import damaged_e01
from tests.fixtures import FixtureImage, assert_unchanged
from tests.ui.screens import settle
from ui.models.evidence_tree import MAX_PROBLEM_LINES, EvidenceTreeModel
from ui.theme import ALERT_COLOR


def test_many_problems_are_counted_not_all_listed(qapp) -> None:
    problems = [f"problem {n}" for n in range(MAX_PROBLEM_LINES + 3)]
    fs = {"id": 1, "offset": 1048576, "fs_type": "ext4", "status": "ok", "listing_problems": problems}
    item = EvidenceTreeModel._filesystem_item(fs)
    assert item.text() == f"ext4 @ 1048576 · listing may be incomplete ({len(problems)} problems)"
    assert item.toolTip().count("problem ") == MAX_PROBLEM_LINES and "… and 3 more" in item.toolTip()


@pytest.mark.skipif(not hasattr(pyewf.handle, "get_checksum_errors"), reason="stock libewf-python")
def test_tree_marks_the_file_system_whose_listing_read_a_damaged_chunk(
    qtbot, tmp_path: Path, capsys, monkeypatch, fixture_ext4_deleted: FixtureImage, screenshot_dir: Path
) -> None:
    examiner_env(monkeypatch)
    raw = fixture_ext4_deleted.image
    segment, _ = damaged_e01(tmp_path, raw, "deflated", index=_root_inode_chunk(raw))
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged([segment, raw]):
        # the damaged item is added, and its add exits 1: its verification failed
        for path, item, code in ((segment, "DAMAGED", 1), (raw, "GOOD", 0)):
            assert cli(capsys, "evidence", "add", case, path, "--item", item, "-q").code == code
        assert cli(capsys, "ingest", case, "--workers", "1", "--profile", "hashes", "-q").code == 0
    from ui.adapter import CaseSession
    from ui.views.file_browser import FileBrowser

    session = CaseSession.open(case, EXAMINER, PASSPHRASE)
    try:
        model = EvidenceTreeModel()
        model.set_session(session)
        items = {model.item(r).text().split(" ·")[0]: model.item(r) for r in range(model.rowCount())}
        [damaged_fs] = [items["DAMAGED"].child(r) for r in range(items["DAMAGED"].rowCount())]
        [good_fs] = [items["GOOD"].child(r) for r in range(items["GOOD"].rowCount())]
        # TSK's own error for the zeroed root inode, then the damaged chunk the walk read
        assert damaged_fs.text() == "ext4 · listing may be incomplete (2 problems)"
        tooltip = " ".join(damaged_fs.toolTip().split())
        assert "/: cannot open directory (inode 2)" in tooltip
        assert "the listing read a damaged EWF chunk" in tooltip
        assert max(len(line) for line in damaged_fs.toolTip().splitlines()) <= 100
        assert damaged_fs.foreground().color() == QColor(ALERT_COLOR) and not damaged_fs.icon().isNull()
        assert good_fs.text() == "ext4" and good_fs.icon().isNull() and not good_fs.toolTip()

        browser = FileBrowser()
        qtbot.addWidget(browser)
        browser.set_session(session)
        browser.resize(1100, 500)
        browser.show()
        browser.tree.expandToDepth(0)  # the items open: their file systems show
        settle()
        assert browser.grab().save(str(screenshot_dir / "evidence-tree-listing-problem.png"))
    finally:
        session.close()
