"""The match thresholds dialog: the examiner's distances and vPDQ shares reach ``custos match`` and are
recorded with the run; each perceptual threshold shows its measured false-match rate."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox

from forensics.hashsets.calibration import rate_statement
from forensics.hashsets.hits import MatchSettings
from tests.ui.screens import shoot
from ui.dialogs.match_settings import MatchSettingsDialog
from ui.views.hashset_view import HashSetView

CHOSEN = MatchSettings(
    pdq_threshold=20,
    pdq_min_quality=60,
    phash_threshold=6,
    vpdq_threshold=25,
    vpdq_min_quality=70,
    vpdq_listed_share=50.0,
    vpdq_query_share=40.0,
)


def test_dialog_gives_what_was_set_and_the_measured_rates(qtbot, screenshot_dir) -> None:
    dialog = MatchSettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.settings() == MatchSettings()
    assert rate_statement("pdq", 27) in dialog.rates.text() and "pHash" not in dialog.rates.text()
    dialog.show_settings(CHOSEN)
    assert dialog.settings() == CHOSEN
    assert rate_statement("pdq", 20) in dialog.rates.text()
    assert rate_statement("phash", 6) in dialog.rates.text()
    dialog.dhash.enabled.setChecked(True)
    dialog.dhash.spin.setValue(4)
    assert dialog.settings().dhash_threshold == 4 and rate_statement("dhash", 4) in dialog.rates.text()
    dialog.show()
    shoot(dialog, screenshot_dir, "match-thresholds")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dialog.settings() == MatchSettings()


def test_chosen_thresholds_are_the_match_runs(qtbot, session, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CUSTOS_HASHSET_LIBRARY", str(tmp_path / "library.db"))
    view = HashSetView()
    qtbot.addWidget(view)
    view.set_session(session)
    alert_list = tmp_path / "alert.txt"
    alert_list.write_text("97fdc6ae077d8165f3cb4aa494ddb7d4\n", encoding="ascii")
    view.start_import(str(alert_list), "Alert list", "alert")
    qtbot.waitUntil(lambda: view.sets.count() == 1, timeout=30000)
    view.set_match_settings(CHOSEN)
    assert "listed share >= 50 %" in view.status.text()
    view.match()
    qtbot.waitUntil(lambda: view.runner is not None and not view.runner.running, timeout=60000)
    view.set_match_settings(MatchSettings())  # the defaults again: the next run names none
    assert view.match_settings is None
    view.match()
    qtbot.waitUntil(lambda: view.runner is not None and not view.runner.running, timeout=60000)
    with sqlite3.connect(session.case_dir / "case.db") as conn:
        runs = [json.loads(r[0]) for r in conn.execute("SELECT settings_json FROM match_runs ORDER BY id")]
    assert runs == [CHOSEN.as_dict(), MatchSettings().as_dict()]
