"""The carving benchmark at smoke size (CI): PhotoRec and Custos on the same wiped FAT32 volume.

No timing assertions (CI machines vary); the counts are checked: every original file PhotoRec recovers,
Custos recovers too, and Custos reports no file that is not one of the originals.
"""

from __future__ import annotations

import shutil

import pytest

from bench import bench_carving, results


@pytest.mark.skipif(shutil.which("photorec") is None, reason="needs photorec (Debian testdisk)")
def test_carving_benchmark_smoke():
    run = results.Run("carving", "Carving", "smoke")
    result = bench_carving.measure("smoke")
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
    page = bench_carving.page_result(run, result)  # the page's shape, timed against PhotoRec
    photorec, custos, bare = page["rows"]
    assert photorec[-2] == 1.0 and bare[-1] == 1.0
    assert custos[3:6] == [carving["custos"]["instances"].get(f, 0) for f in ("jpeg", "png", "mp4")]
    share = result["full_profile"]
    assert share["items"] > 0 and share["full_cpu_s"] > 0 and share["filesystems"] >= 1
    assert share["carve_share_cpu"] == round(share["carve_cpu_s"] / share["full_cpu_s"], 4)
    assert any("Share of the full profile" in note for note in page["notes"])
