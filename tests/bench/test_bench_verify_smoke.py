"""The verification benchmark at smoke size (CI): every step runs and gives the raw file's MD5.
No timing assertions: CI machines vary."""

from __future__ import annotations

import json
from pathlib import Path

from bench import bench_verify

CACHE = Path(__file__).resolve().parents[2] / "tests" / ".cache" / "bench"


def test_every_step_gives_the_media_md5(tmp_path) -> None:
    result = bench_verify.run("smoke", CACHE, tmp_path)
    assert json.loads((tmp_path / "bench_verify.json").read_text(encoding="utf-8")) == result
    names = [step["name"] for step in result["steps"]]
    assert any("ewfverify" in name for name in names) and any("hash_media, E01" in name for name in names)
    assert all(step["md5_ok"] and len(step["md5"]) == 32 for step in result["steps"])
    assert all(value > 0 for value in result["ratios"].values())
    assert "ewfverify" in bench_verify.markdown(result)
