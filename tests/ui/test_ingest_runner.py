"""The ingest runner on a scripted 3,000-file ext4 image: progress, cancel (a ``cancel`` line on the
child's stdin), resume, and a UI thread that keeps ticking while the child process works."""

from __future__ import annotations

import sqlite3

from forensics.services import jobs
from forensics.services.jobs import JobStep
from tests.ui.conftest import EXAMINER, PASSPHRASE, run_cli
from tests.ui.test_workflow import MAX_UI_STALL_S, LatencyProbe
from ui.adapter import job_environment
from ui.jobs import ItemJob
from ui.views.progress_view import ProgressView, state_cells


def test_cancel_and_resume_keep_the_ui_responsive(qtbot, tmp_path, fixture_many_files, monkeypatch):
    home = tmp_path / "home"
    case_dir = tmp_path / "case"
    for args in (
        ("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "T-2"),
        ("case", "create", str(case_dir), "--number", "RUN-1", "--title", "runner"),
    ):
        assert run_cli(home, *args).returncode == 0
    monkeypatch.setenv("CUSTOS_HOME", str(home))
    case = str(case_dir)
    ingest = jobs.ingest(case, "D1", "hashes")
    steps = [
        jobs.add_evidence(case, fixture_many_files.image, "D1", {}),
        jobs.verify(case, "D1"),
        JobStep(ingest.label, (*ingest.command, "--workers", "1")),
    ]
    view = ProgressView()
    qtbot.addWidget(view)
    # Items take a little while each in the first run, so the cancel lands midway however fast the machine.
    env = {**job_environment(EXAMINER, PASSPHRASE), "CUSTOS_TEST_ITEM_DELAY": "0.01"}
    job = ItemJob("D1", steps, env)
    view.add_job(job)
    probe = LatencyProbe()
    probe.start()
    job.start()
    # Cancel once the ingest has hashed some items.
    # (Processing runs beside the enumeration; either phase counts.)
    qtbot.waitUntil(lambda: "processing" in job.state.phase and job.state.items_done > 0, timeout=60000)
    assert job.state.items_total and job.state.bytes_total
    view.table.selectRow(0)
    assert view.cancel_button.isEnabled()
    view.cancel_selected()
    qtbot.waitUntil(lambda: not job.state.running, timeout=60000)
    assert job.state.outcome == "cancelled"
    assert view.resume_button.isEnabled()
    del job.env["CUSTOS_TEST_ITEM_DELAY"]
    view.resume_selected()
    qtbot.waitUntil(lambda: not job.state.running, timeout=120000)
    probe.stop()
    assert job.state.outcome == "done", job.state.messages
    assert state_cells(job.state)[1] == "done"
    assert probe.worst < MAX_UI_STALL_S, f"UI thread blocked for {probe.worst:.3f} s"

    facts = fixture_many_files.facts
    with sqlite3.connect(case_dir / "case.db") as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM custody_log ORDER BY seq")]
        pending = conn.execute("SELECT count(*) FROM files WHERE status = 'pending'").fetchone()[0]
        verdict, media_md5 = conn.execute("SELECT result, md5 FROM verifications").fetchone()
    assert pending == 0
    assert actions.count("ingest_cancelled") == 1 and "ingest_resumed" in actions
    assert actions[-1] == "ingest_finished"
    # A raw image stores no hash: the verification has no reference, but its MD5 is the build's.
    assert verdict == "no-reference"
    assert media_md5 == facts["evidence"]["media_md5"]


def test_progress_row_says_how_many_items_were_hashed_ahead(qtbot, screenshot_dir):
    """While the first rank is hashed ahead of its analysis, the Items cell says so (from the child's
    progress record, as a running ingest sends it)."""
    from forensics.core.progress import ProgressRecord
    from tests.ui.screens import shoot

    view = ProgressView()
    qtbot.addWidget(view)
    job = ItemJob("PHONE-1", [], {})
    view.add_job(job)
    record = ProgressRecord(
        item="PHONE-1",
        phase="processing",
        items_done=3,
        items_total=29032,
        bytes_done=4_000_000,
        bytes_total=4_600_000_000,
        rate_bytes=120e6,
        eta_seconds=80.0,
        stage="pictures and videos in user media folders",
        hashed_ahead=1500,
    )
    job.state.running = True
    job._progress(record)
    assert view.table.item(0, 2).text() == "3 / 29,032 (1,500 hashed ahead)"
    assert view.table.item(0, 1).text() == "processing (pictures and videos in user media folders)"
    shoot(view, screenshot_dir, "progress-hashed-ahead", sizes=((1366, 400),))
    job._progress(ProgressRecord(item="PHONE-1", phase="processing", items_done=40, items_total=29032))
    assert view.table.item(0, 2).text() == "40 / 29,032"
