"""Alerts while the ingest runs (issue 26): the GUI counts them, tells of the first one, and the Findings
tab fills before the job ends. Evidence: the phone-like volume of real photos with stand-in lists."""

from __future__ import annotations

import os
import sqlite3

from forensics.pipeline.processing_profiles import DEFAULT_PROFILE
from forensics.services import jobs
from tests.pipeline.first_alert_image import first_alert_image  # noqa: F401 - a fixture
from tests.ui.conftest import EXAMINER, PASSPHRASE, run_cli
from ui.adapter import CaseSession
from ui.dialogs.add_evidence import AddEvidenceDialog
from ui.main_window import FINDINGS_TAB, MainWindow


def test_first_alert_is_told_and_findings_fill_while_the_job_runs(
    qtbot,
    gui_settings,
    tmp_path,
    monkeypatch,
    screenshot_dir,
    first_alert_image,  # noqa: F811
) -> None:
    image, vics, pdq, _facts = first_alert_image
    home, case_dir, library = tmp_path / "home", tmp_path / "case", tmp_path / "library.db"
    monkeypatch.setenv("CUSTOS_HASHSET_LIBRARY", str(library))
    for args in (
        ("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "T-3"),
        ("case", "create", str(case_dir), "--number", "LIVE-1", "--title", "live alerts"),
        ("hashset", "import", str(vics), "--name", "stand-ins", "--format", "vics"),
        ("hashset", "import", str(pdq), "--name", "stand-ins-pdq", "--format", "pdq"),
    ):
        done = run_cli(home, *args)
        assert done.returncode == 0, done.stderr
    monkeypatch.setenv("CUSTOS_HOME", str(home))
    monkeypatch.setenv("CUSTOS_TEST_ITEM_DELAY", "0.3")  # read by the workers: a job long enough to watch
    dialog = AddEvidenceDialog(None, default_item="")
    qtbot.addWidget(dialog)
    assert dialog.profile.currentText() == DEFAULT_PROFILE == "triage"
    assert "gallery thumbnails" in dialog.profile_text.text() and "Skips:" in dialog.profile_text.text()

    window = MainWindow(gui_settings)
    qtbot.addWidget(window)
    window.set_session(CaseSession.open(case_dir, EXAMINER, PASSPHRASE))
    steps = jobs.evidence_intake(str(case_dir), str(image), "PHONE", {}, DEFAULT_PROFILE, None)
    job = window.start_job("PHONE", steps)
    assert job is not None
    qtbot.waitUntil(lambda: window.alert_count >= 1, timeout=180000)
    assert job.state.running, "the first alert came only after the job"
    assert window.alert_note is not None and window.alert_note.isVisible()
    assert "Known material" in window.alert_note.windowTitle()
    assert "Findings (" in window.tabs.tabText(FINDINGS_TAB)
    shots = os.environ.get("CUSTOS_SHOTS", str(screenshot_dir))
    window.alert_note.grab().save(f"{shots}/first-alert-note.png")
    window.alert_note.close()
    window.show_tab(FINDINGS_TAB)
    qtbot.waitUntil(lambda: window.findings.model.rowCount() > 0, timeout=30000)
    with sqlite3.connect(f"file:{case_dir / 'case.db'}?mode=ro", uri=True) as conn:
        pending = conn.execute("SELECT count(*) FROM files WHERE status = 'pending'").fetchone()[0]
    assert pending > 0 and job.state.running  # filled while the job still runs
    window.grab().save(f"{shots}/findings-tab-during-ingest.png")
    window.show_tab(3)
    window.progress.grab().save(f"{shots}/progress-with-alerts.png")
    qtbot.waitUntil(lambda: not job.state.running, timeout=240000)
    assert job.state.outcome == "done", job.state.messages
    assert window.alert_count == 5 and job.state.alerts == 5
    window.set_session(None)
