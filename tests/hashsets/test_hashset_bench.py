"""The benchmark's --smoke size runs end to end (no timing asserts), so the script cannot rot unnoticed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_hashsets.py"


def test_smoke_benchmark_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_hashsets", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--smoke", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "| VICS 2.0 JSON | 20,000 |" in out and "| RDS v3 minimal | 20,000 |" in out
    assert "(10,000 of 20,000 found)" in out  # half of the looked-up MD5s were listed
    assert "| 50,000 |" in out and "| 1.00 |" in out  # multi-index hashing as exact as the flat index
