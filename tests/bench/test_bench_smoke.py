"""The ingest benchmark at smoke size (CI): it runs to the end, computes every ratio, and Custos lists every
file the image builder put in with the builder's MD5. No timing assertions: CI machines vary."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
from pathlib import Path

import exifread
import pytest

from bench import bench_ingest
from bench.build_bench_image import build
from scripts.fixtures.tsk_cli import fls

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE = REPO_ROOT / "tests" / ".cache" / "bench"
# Every run a target ratio needs, and the full profile; E01 triage only adds an informational ratio.
SMOKE_RUNS = ("raw:hashes", "raw:triage", "raw:full", "e01:hashes")
REPEAT = 2  # the bare limit and the `hashes` runs, interleaved (medians)


@pytest.fixture(scope="module")
def smoke_result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bench-work")
    out = tmp_path_factory.mktemp("bench-out")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("CUSTOS_HOME", "CUSTOS_PASSPHRASE", "CUSTOS_EXAMINER", "CUSTOS_HASHSET_LIBRARY"):
            patch.setenv(name, "")  # the benchmark sets its own; restored afterwards
        bench_ingest.run("smoke", CACHE, work, out, 2, list(SMOKE_RUNS), repeat=REPEAT)
    return json.loads((out / "bench_ingest.json").read_text(encoding="utf-8"))


def test_image_has_the_issue_contents() -> None:
    image = build("smoke", CACHE)
    assert {f["fs"] for f in image.files} == {"ext4", "fat32", "ntfs"}
    assert any(f["deleted"] for f in image.files if f["fs"] == "ext4")
    assert any(f["deleted"] for f in image.files if f["fs"] == "fat32")
    assert any(f["kind"] == "large" for f in image.files)
    assert image.e01.name == "disk.E01"


def test_photos_carry_camera_exif_read_back_by_the_sleuth_kit_and_exifread() -> None:
    image = build("smoke", CACHE)
    ext4 = next(fs for fs in image.manifest["filesystems"] if fs["type"] == "ext4")
    listing = fls([image.raw], ext4["offset"])
    photos = [f for f in ext4["files"] if f["kind"] == "photo" and not f["deleted"]]
    assert len(photos) >= 4
    with_gps = 0
    for photo in photos:
        address = listing[photo["path"]].address
        data = subprocess.run(
            ["icat", "-o", str(ext4["offset"] // 512), image.raw, address], capture_output=True, check=True
        ).stdout
        assert hashlib.md5(data).hexdigest() == photo["md5"]
        tags = exifread.process_file(io.BytesIO(data), details=False)
        assert str(tags["Image Make"]) and str(tags["Image Model"])
        assert str(tags["EXIF DateTimeOriginal"]).startswith("20")
        with_gps += "GPS GPSLatitude" in tags
    assert with_gps >= 1


def test_every_step_ran_and_every_ratio_is_computed(smoke_result: dict) -> None:
    for key in SMOKE_RUNS:
        step = smoke_result["steps"][key]
        assert step["detail"]["exit_code"] == 0, step["detail"]["stderr_tail"]
        assert step["detail"]["errors"] == 0
        assert step["seconds"] > 0 and step["bytes"] > 0
        assert step["detail"]["peak_rss_tree_bytes"] > 0
        assert step["detail"]["processes"] >= 3  # the ingest process and its two workers were sampled
    for key in ("peer_raw", "peer_e01", "bare_hash", "bare_decode"):
        assert smoke_result["steps"][key]["seconds"] > 0
    wanted = [*bench_ingest.TARGETS, "full_added_vs_bare_decode"]
    assert all(smoke_result["ratios"][key] is not None for key in wanted), smoke_result["ratios"]
    assert set(smoke_result["verdicts"]) == set(bench_ingest.TARGETS)


def test_peer_and_bare_steps_cover_every_file(smoke_result: dict) -> None:
    image = smoke_result["image"]
    alive = image["files"] - image["deleted"]
    # tsk_recover -e writes the allocated files and whatever deleted ones still have a name.
    assert alive <= smoke_result["steps"]["peer_raw"]["items"] <= image["files"]
    assert smoke_result["steps"]["bare_hash"]["items"] == smoke_result["steps"]["peer_raw"]["items"]
    assert smoke_result["steps"]["bare_decode"]["items"] >= image["photos"] - image["deleted"]


@pytest.mark.parametrize("run", SMOKE_RUNS)
def test_listing_has_every_file_of_the_image(smoke_result: dict, run: str) -> None:
    check = smoke_result["listing"][run]
    assert check["missing_count"] == 0, check["missing"]
    assert check["wrong_md5_count"] == 0, check["wrong_md5"]
    assert check["deleted_missing_count"] == 0, check["deleted_missing"]
    assert check["expected_files"] == smoke_result["image"]["files"] - smoke_result["image"]["deleted"]


def test_perceptual_profiles_hash_the_photos(smoke_result: dict) -> None:
    photos = smoke_result["image"]["photos"]
    assert smoke_result["steps"]["raw:hashes"]["detail"]["images_hashed"] == 0
    for run in ("raw:triage", "raw:full"):
        assert (
            smoke_result["steps"][run]["detail"]["images_hashed"] >= photos - smoke_result["image"]["deleted"]
        )


def test_hashing_ratio_steps_are_repeated_and_keep_their_median(smoke_result: dict) -> None:
    for key in ("bare_hash", "raw:hashes", "e01:hashes"):
        step = smoke_result["steps"][key]
        runs = step["detail"]["repeats"]
        assert len(runs) == REPEAT
        assert all(run["seconds"] > 0 and run["cpu_seconds"] is not None for run in runs)
        assert round(step["seconds"], 3) == sorted(run["seconds"] for run in runs)[REPEAT // 2]
    for key in ("peer_raw", "bare_decode", "raw:triage", "raw:full"):
        assert "repeats" not in smoke_result["steps"][key]["detail"]
    for key in ("raw:hashes", "e01:hashes"):  # memory from a run of its own, outside the timing
        assert smoke_result["steps"][key]["detail"]["memory_run_seconds"] > 0
    for key in ("raw:triage", "raw:full"):
        assert "memory_run_seconds" not in smoke_result["steps"][key]["detail"]


def test_median_run_is_the_middle_one_and_shows_any_wrong_listing() -> None:
    ok = {"missing_count": 0, "wrong_md5_count": 0, "deleted_missing_count": 0}
    bad = {**ok, "missing_count": 3}
    runs = [(bench_ingest.Timed(f"run {s}", s, 1, 1, {"cpu_seconds": s}), ok) for s in (3.0, 1.0, 2.0)]
    timed, check = bench_ingest.median_run(runs)
    assert timed.seconds == 2.0 and check is ok
    assert [r["seconds"] for r in timed.detail["repeats"]] == [3.0, 1.0, 2.0]
    runs[0] = (runs[0][0], bad)
    assert bench_ingest.median_run(runs)[1] is bad
