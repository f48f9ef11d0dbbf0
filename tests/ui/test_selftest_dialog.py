"""Help > Validate this installation: the self-test runs as a child process and its verdict is shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

from ui.main_window import MainWindow


@pytest.mark.slow
def test_selftest_from_the_help_menu_passes_and_writes_its_report(qtbot, tmp_path, monkeypatch):
    QStandardPaths.setTestModeEnabled(True)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    labels = [a.text() for a in window.menuBar().actions()[-1].menu().actions()]
    assert "&Validate this installation (self-test)…" in labels
    run = window.run_selftest()
    qtbot.waitUntil(lambda: run.exit_code is not None, timeout=120000)
    assert run.exit_code == 0, run.output.toPlainText()
    assert run.status.text().startswith("PASSED")
    assert sorted(p.suffix for p in run.folder.iterdir()) == [".html", ".pdf"]
    run.close()
