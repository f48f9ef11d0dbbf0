"""The carving benchmark at smoke size (CI): PhotoRec and Custos on the same wiped FAT32 volume.

No timing assertions (CI machines vary); the counts are checked: every original file PhotoRec recovers,
Custos recovers too, and Custos reports no file that is not one of the originals.
"""

from __future__ import annotations

import json
import shutil

import pytest

from bench import bench_carving


@pytest.mark.skipif(shutil.which("photorec") is None, reason="needs photorec (Debian testdisk)")
def test_carving_benchmark_smoke(tmp_path):
    out = tmp_path / "bench_carving.json"
    assert bench_carving.main(["--smoke", "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    carving = result["carving"]
    assert carving["custos"]["instances"] == carving["expected_contiguous"]
    found, total = (int(n) for n in carving["photorec_md5_that_are_original_files"].split("/"))
    also, _ = (int(n) for n in carving["photorec_md5_also_found_by_custos"].split("/"))
    assert also >= found  # every original file PhotoRec recovers, Custos recovers too
    assert (
        carving["custos_md5_that_are_original_files"].split("/")[0]
        == carving["custos_md5_that_are_original_files"].split("/")[1]
    )
    assert result["nested"]["nested_items"] > 50
