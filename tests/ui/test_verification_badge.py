"""The evidence tree shows each item's latest media verification: verdict, damaged chunks, details."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyewf
import pytest
from PySide6.QtGui import QColor

from forensics.reports.model import HashCheck, VerificationRun
from forensics.reports.sections import damaged_chunk_line
from tests.app.cli_helpers import EXAMINER, PASSPHRASE, cli, examiner_env, new_case
from tests.evidence.damaged_ewf import CHUNK, damaged_e01
from tests.fixtures import FixtureImage, assert_unchanged
from tests.ui.screens import settle
from ui.models.evidence_tree import EvidenceTreeModel
from ui.models.verification_badge import MAX_DAMAGED_LINES, verification_badge
from ui.theme import ALERT_COLOR


def _run(result: str, *, checks=(), damaged=(), error=None) -> VerificationRun:
    return VerificationRun(
        started_at="2026-11-22T10:00:00Z",
        finished_at="2026-11-22T10:01:00Z",
        bytes_hashed=1_048_576,
        result=result,
        md5="0" * 32,
        sha1=None,
        sha256=None,
        checks=tuple(checks),
        segment_sha256=(),
        error=error,
        damaged_sectors=tuple(damaged),
    )


def test_badge_words_for_each_verdict() -> None:
    never = verification_badge(None)
    assert (never.text, never.alert) == ("not verified", False)
    stored = HashCheck("md5", "a" * 32, "ewf-stored", "a" * 32, True)
    match = verification_badge(_run("match", checks=[stored]))
    assert (match.text, match.alert, match.verified) == ("verified", False, True)
    assert "MD5 (stored in the image): MATCH" in match.details and "over 1,048,576 bytes" in match.details
    entered = HashCheck("sha1", "b" * 40, "examiner", "c" * 40, False)
    mismatch = verification_badge(_run("mismatch", checks=[entered], damaged=[(128, 64)]))
    assert mismatch.text == "HASH MISMATCH, 1 damaged chunk range"
    assert (mismatch.alert, mismatch.verified) == (True, False)
    assert "SHA1 (entered by the examiner): MISMATCH" in mismatch.details
    assert damaged_chunk_line(128, 64) in mismatch.details
    damaged_match = verification_badge(_run("match", checks=[stored], damaged=[(0, 64)]))
    assert (damaged_match.alert, damaged_match.verified) == (True, False)  # zeros hashed: look at it
    unchecked = verification_badge(_run("no-reference"))
    assert (unchecked.alert, unchecked.verified) == (False, False)
    failed = verification_badge(_run("error", error="media ends at byte 4096"))
    assert failed.alert and "media ends at byte 4096" in failed.details


def test_many_damaged_ranges_are_counted_not_all_listed() -> None:
    ranges = [(i * 64, 64) for i in range(MAX_DAMAGED_LINES + 5)]
    badge = verification_badge(_run("mismatch", damaged=ranges))
    assert badge.text == f"HASH MISMATCH, {len(ranges)} damaged chunk ranges"
    assert badge.details.count("Damaged EWF chunk") == MAX_DAMAGED_LINES
    assert "… and 5 more damaged ranges" in badge.details


@pytest.mark.skipif(not hasattr(pyewf.handle, "get_checksum_errors"), reason="stock libewf-python")
def test_tree_shows_a_damaged_e01_a_verified_raw_and_an_unverified_item(
    qtbot, tmp_path: Path, capsys, monkeypatch, fixture_ext4_deleted: FixtureImage, screenshot_dir: Path
) -> None:
    examiner_env(monkeypatch)
    raw = fixture_ext4_deleted.image
    segment, index = damaged_e01(tmp_path, raw, "deflated")
    first = index * CHUNK // 512
    case = new_case(capsys, tmp_path / "case")
    md5 = hashlib.md5(raw.read_bytes()).hexdigest()
    with assert_unchanged([segment, raw]):
        # evidence add verifies: the damaged item is added and its add exits 1; LATER is not verified
        assert cli(capsys, "evidence", "add", case, segment, "--item", "DAMAGED").code == 1
        assert cli(capsys, "evidence", "add", case, raw, "--item", "GOOD", "--no-verify").code == 0
        assert cli(capsys, "evidence", "add", case, raw, "--item", "LATER", "--no-verify").code == 0
        assert cli(capsys, "verify", case, "--item", "DAMAGED").code == 1
        assert cli(capsys, "verify", case, "--item", "GOOD", "--md5", md5).code == 0
    from ui.adapter import CaseSession
    from ui.views.file_browser import FileBrowser

    session = CaseSession.open(case, EXAMINER, PASSPHRASE)
    try:
        model = EvidenceTreeModel()
        model.set_session(session)
        rows = {model.item(r).text().split(" ·")[0]: model.item(r) for r in range(model.rowCount())}
        damaged, good, later = rows["DAMAGED"], rows["GOOD"], rows["LATER"]
        assert damaged.text() == "DAMAGED · VERIFICATION FAILURE (damaged chunks), 1 damaged chunk range"
        assert damaged_chunk_line(first, 64) in damaged.toolTip()
        assert damaged.foreground().color() == QColor(ALERT_COLOR)
        assert good.text() == "GOOD · verified"
        assert "MD5 (entered by the examiner): MATCH" in good.toolTip()
        assert good.foreground().color() != QColor(ALERT_COLOR)
        assert later.text() == "LATER · not verified"
        assert not damaged.icon().isNull() and not good.icon().isNull() and later.icon().isNull()

        browser = FileBrowser()
        qtbot.addWidget(browser)
        browser.set_session(session)
        browser.resize(1100, 500)
        browser.show()
        settle()
        assert browser.grab().save(str(screenshot_dir / "evidence-tree-verification.png"))
    finally:
        session.close()
