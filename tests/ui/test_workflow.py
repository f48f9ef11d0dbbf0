"""The scripted end-to-end run through the GUI: create a case, add a folder of photos, ingest, open the
gallery, reveal one, categorise several; then assert on the case database and the custody log.

Screens are saved along the way (see ``screens.shoot``). The event loop's latency is measured while the
ingest child process runs: the window must stay responsive.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time

from PySide6.QtCore import QItemSelectionModel, QTimer

from forensics.custody.verify import verify_case
from tests.ui.conftest import EXAMINER, PASSPHRASE, REVIEW_PROFILE, build_photo_folder
from tests.ui.screens import shoot
from ui.main_window import MainWindow

MAX_UI_STALL_S = 0.5  # 2 cores shared with the ingest child: the OS may pause us briefly


class LatencyProbe:
    """Ticks every 10 ms; the largest gap between ticks is how long the UI thread was blocked."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.last = time.monotonic()
        self.worst = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = time.monotonic()
        self.worst = max(self.worst, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.last = time.monotonic()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def _custody(case_dir) -> list[dict]:
    with sqlite3.connect(case_dir / "case.db") as conn:
        rows = conn.execute(
            "SELECT action, item, target_json, details_json FROM custody_log ORDER BY seq"
        ).fetchall()
    return [
        {"action": a, "item": i, "target": json.loads(t) if t else None, "details": json.loads(d)}
        for a, i, t, d in rows
    ]


def _select_tiles(gallery, names: list[str]) -> list[int]:
    view, model = gallery.grid, gallery.model
    view.selectionModel().clearSelection()
    rows = [i for i, e in enumerate(model.entries) if e.name in names]
    for row in rows:
        view.selectionModel().select(model.index(row), QItemSelectionModel.SelectionFlag.Select)
    return rows


def test_end_to_end_review(qtbot, gui_settings, review_resources, tmp_path, screenshot_dir):
    window = MainWindow(gui_settings)
    qtbot.addWidget(window)
    window.show()
    shoot(window, screenshot_dir, "01-start")

    # Create the case; the examiner is new on this workstation, so the dialog creates their key too.
    dialog = window.create_case()
    case_dir = tmp_path / "case"
    dialog.number.setText("2026-0042")
    dialog.title_edit.setText("Operation Harbour")
    dialog.agency.setText("Test Lab")
    dialog.folder.setText(str(case_dir))
    dialog.examiner.setCurrentText(EXAMINER)
    dialog.badge.setText("T-1")
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE)
    assert dialog.problem() is None
    dialog.grab().save(str(screenshot_dir / "01b-new-case-dialog.png"))
    dialog._check()
    qtbot.waitUntil(lambda: window.session is not None, timeout=30000)
    assert window.stack.currentWidget() is window.tabs

    # Add evidence: the survey runs in a child process and fills the dialog.
    evidence = build_photo_folder(tmp_path / "evidence")
    add = window.add_evidence()
    add.set_path(str(evidence))
    qtbot.waitUntil(lambda: add.survey is not None, timeout=30000)
    assert add.survey["ok"] and add.survey["container"] == "folder"
    add.item.setText("EV1")
    add.profile.setCurrentText(REVIEW_PROFILE)
    add.fields["seal"].setText("SEAL-7")
    add.fields["description"].setText("Photos folder from the suspect's laptop")
    shoot(add, screenshot_dir, "02-add-evidence", sizes=((1000, 640),))

    probe = LatencyProbe()
    probe.start()
    add._check()
    job = window.progress.jobs["EV1"]
    qtbot.waitUntil(lambda: job.state.phase not in ("adding", "verifying", "waiting"), timeout=60000)
    # Review starts while ingest is still running: the file table is usable now.
    window.show_tab(0)
    window.files.refresh()
    window.show_tab(3)
    qtbot.waitUntil(lambda: not job.state.running, timeout=120000)
    probe.stop()
    assert job.state.outcome == "done", job.state.messages
    assert probe.ticks > 20
    assert probe.worst < MAX_UI_STALL_S, f"UI thread blocked for {probe.worst:.3f} s during ingest"
    shoot(window, screenshot_dir, "03-progress")

    # File table and detail panel.
    window.show_tab(0)
    window.files.refresh()
    qtbot.waitUntil(lambda: window.files.model.rowCount() == 9, timeout=15000)
    row = next(r for r in range(9) if window.files.model.index(r, 0).data() == "DSCN0010.jpg")
    window.files.table.selectRow(row)
    qtbot.waitUntil(lambda: "GPS" in window.files.detail.meta.toPlainText(), timeout=15000)
    shoot(window, screenshot_dir, "04-file-table")

    # Gallery: blurred, then one revealed, then several categorised with the hotkey.
    window.show_tab(1)
    window.gallery.load_now()
    assert window.gallery.model.rowCount() == 4
    shoot(window, screenshot_dir, "05-gallery-blurred")
    _select_tiles(window.gallery, ["DSCN0010.jpg"])
    window.gallery.reveal_selected()
    shoot(window, screenshot_dir, "06-gallery-revealed")
    rows = _select_tiles(window.gallery, ["DSCN0025.jpg", "DSCN0042.jpg", "copy.jpg"])
    assert len(rows) == 3
    window.gallery.grid.setFocus()
    qtbot.keyClick(window.gallery.grid, "1")
    with sqlite3.connect(case_dir / "case.db") as conn:
        count = lambda: conn.execute("SELECT count(*) FROM review_categories").fetchone()[0]  # noqa: E731
        # Three tiles; copy.jpg's tile stacks Canon_40D.jpg (same bytes): four files categorised.
        qtbot.waitUntil(lambda: count() == 4, timeout=15000)
        categorised = conn.execute(
            "SELECT f.path, r.category, r.region FROM review_categories r JOIN files f ON f.id = r.file_id "
            "ORDER BY f.path"
        ).fetchall()
    assert categorised == [
        ("/docs/copy.jpg", 1, "US"),
        ("/photos/Canon_40D.jpg", 1, "US"),
        ("/photos/gps/DSCN0025.jpg", 1, "US"),
        ("/photos/gps/DSCN0042.jpg", 1, "US"),
    ]

    # Hash-set manager: import a one-entry alert list (the MD5 of DSCN0010.jpg), then match the case.
    window.show_tab(5)
    alert_list = tmp_path / "alert.txt"
    alert_list.write_text("97fdc6ae077d8165f3cb4aa494ddb7d4\n", encoding="ascii")
    window.hashsets.start_import(str(alert_list), "Test alert list", "alert")
    qtbot.waitUntil(lambda: window.hashsets.sets.count() == 1, timeout=30000)
    assert window.hashsets.checked_sets() == ["Test alert list"]
    shoot(window, screenshot_dir, "09-hash-sets")
    window.hashsets.match()
    window.show_tab(2)
    qtbot.waitUntil(lambda: window.findings.model.rowCount() == 1, timeout=30000)
    window.findings.table.selectRow(0)
    finding = window.findings.model.record(0)
    assert finding["path"] == "/photos/gps/DSCN0010.jpg" and finding["algorithm"] == "md5"
    assert finding["set"]["name"] == "Test alert list" and finding["distance"] == 0
    in_detail = window.session.file_detail(finding["file_id"])["findings"]
    assert [(f["finding_id"], f["matched_hash"]) for f in in_detail] == [
        (finding["finding_id"], finding["md5"])
    ]
    shoot(window, screenshot_dir, "07-findings")
    window.show_tab(4)
    window.custody.verify()
    qtbot.waitUntil(lambda: window.custody.last_result is not None, timeout=15000)
    assert window.custody.last_result["ok"]
    qtbot.waitUntil(lambda: window.custody.model.rowCount() >= 11, timeout=15000)
    shoot(window, screenshot_dir, "08-custody")

    # Report: HTML and the VICS export, through the report dialog.
    report = window.open_report()
    report.checks["pdf"].setChecked(False)
    report.checks["vics"].setChecked(True)
    report.folder.setText(str(tmp_path / "reports"))
    report.grab().save(str(screenshot_dir / "10-report-dialog.png"))
    with qtbot.waitSignal(report.generated, timeout=60000) as generated:
        report.generate()
    assert generated.args == [True], report.log.toPlainText()
    assert report.open_button.isEnabled()
    report.close()
    window.close()

    entries = _custody(case_dir)
    actions = [e["action"] for e in entries]
    assert actions[:3] == ["examiner_added", "case_key_created", "case_created"]
    intake = next(e for e in entries if e["action"] == "evidence_intake")
    assert intake["item"] == "EV1" and intake["details"]["seal_number"] == "SEAL-7"
    assert "ingest_started" in actions and "ingest_finished" in actions and "hashset_used" in actions
    assert "acquisition_verified" not in actions  # a folder source has no media hash to verify
    reveals = [e for e in entries if e["action"] == "file_revealed"]
    assert [r["target"]["path"] for r in reveals] == ["/photos/gps/DSCN0010.jpg"]
    assert reveals[0]["details"]["view"] == "gallery"
    categorised_events = sorted(e["target"]["path"] for e in entries if e["action"] == "file_categorised")
    assert categorised_events == [p for p, _, _ in categorised]
    assert all(e["item"] == "EV1" for e in entries if e["action"].startswith("file_"))
    outputs = [o for e in entries if e["action"] == "report_generated" for o in e["details"]["outputs"]]
    written = {o["name"]: o["sha256"] for o in outputs}
    assert set(written) == {"report.html", "vics.json"}
    for name, digest in written.items():
        assert hashlib.sha256((tmp_path / "reports" / name).read_bytes()).hexdigest() == digest
    assert "Operation Harbour" in (tmp_path / "reports" / "report.html").read_text(encoding="utf-8")
    assert verify_case(case_dir).ok
