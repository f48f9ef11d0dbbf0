"""``custos demo`` (what ``scripts/start.sh`` runs without a display): real pictures, a live alert, a
finding with its provenance, a report and an intact custody log."""

from __future__ import annotations

import time

from tests.app.cli_helpers import cli


def test_demo_alerts_on_the_bundled_pictures_and_reports(tmp_path, capsys, monkeypatch) -> None:
    for key in ("CUSTOS_HOME", "CUSTOS_PASSPHRASE", "CUSTOS_HASHSET_LIBRARY"):  # set by the demo: restored
        monkeypatch.setenv(key, "")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    started = time.monotonic()
    run = cli(capsys, "demo", "--out", tmp_path / "case")
    seconds = time.monotonic() - started
    assert run.code == 0, run.err
    alerts = [line for line in run.out.splitlines() if line.startswith("ALERT DEMO-1: ")]
    media_first = ("/DCIM/Camera/IMG_0001.jpg — ", "/Pictures/old/_MG_0042.jpg — ")  # by two workers
    assert alerts[0].removeprefix("ALERT DEMO-1: ").startswith(media_first)
    assert len(alerts) == 5 and any("demo-known-pdq (PDQ distance" in line for line in alerts)
    assert "profile triage:" in run.out
    report = (tmp_path / "demo-report.html").read_text(encoding="utf-8")
    assert "IMG_0001.jpg" in report and "demo-known" in report
    assert "INTACT" in run.out
    print(f"demo took {seconds:.1f} s")  # the issue asks for under a minute (not asserted: shared machine)
