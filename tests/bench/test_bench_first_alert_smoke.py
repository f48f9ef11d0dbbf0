"""The first-alert benchmark at smoke size: every listed photo is alerted during the ``triage`` job, and
the ratios are reported. No timing assertions: the machine is shared."""

from __future__ import annotations

import json
from pathlib import Path

from bench import bench_first_alert, results

CACHE = Path(__file__).resolve().parents[2] / "tests" / ".cache" / "bench"


def test_alerts_of_the_listed_photos_are_timed(tmp_path, monkeypatch) -> None:
    for key in ("CUSTOS_HOME", "CUSTOS_PASSPHRASE", "CUSTOS_EXAMINER", "CUSTOS_HASHSET_LIBRARY"):
        monkeypatch.setenv(key, "")  # the benchmark sets them: restored after
    result = bench_first_alert.run("smoke", CACHE, tmp_path / "work", tmp_path, workers=2)
    assert json.loads((tmp_path / "bench_first_alert.json").read_text(encoding="utf-8")) == result
    assert result["all_listed_found"], (result["found"], result["library"]["listed"])
    assert len(result["library"]["listed"]) == 3 and result["library"]["entries"] == 1003
    ratios = result["ratios"]
    assert 0 < ratios["first_alert_share"] <= ratios["all_alerts_share"] <= 1
    assert ratios["triage_over_hashes"] > 0
    assert "first alert" in bench_first_alert.markdown(result)
    page = bench_first_alert.page_result(results.Run("first_alert", "t", "smoke"), result)
    assert [row[0] for row in page["rows"]][:2] == ["whole triage job (process start to exit)", "first alert"]
