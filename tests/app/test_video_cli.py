"""Videos end to end through the command line: ingest, the video facts listed, matching, findings, exports.

The evidence is a folder of real clips (Meta's samples, a smaller re-encoded copy, a photo cut into a
clip with ffmpeg), an animated GIF, an MP3 and a text file; the lists are a PDQ list of the photo and
Meta's own reference vPDQ hashes of one chair and one pattern variant.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from forensics.analysis.vpdq import parse_vpdq_text
from forensics.case.queries.gallery import gallery, identical_files
from tests.app.cli_helpers import case_db, cli, custos_process, files_jsonl, new_case
from tests.fixtures import assert_unchanged
from tests.video_case import (
    CHAIR_LIST,
    PATTERN_LIST,
    STILL_SECONDS,
    build_hostile_videos,
    build_video_evidence,
    still_pdq_list,
)

# Address space allowed to the ingest process and each worker while hostile videos are decoded.
INGEST_MEMORY_LIMIT = 3 * 1024**3


def _findings(capsys, case: Path) -> list[dict]:
    run = cli(capsys, "findings", case, "--jsonl")
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.out.splitlines()]


def _by_name(records: list[dict]) -> dict[str, dict]:
    return {r["name"]: r for r in records}


def test_videos_are_listed_matched_and_exported(tmp_path: Path, capsys) -> None:
    evidence = build_video_evidence(tmp_path / "evidence")
    inputs = [p for p in evidence.rglob("*") if p.is_file()]
    with assert_unchanged([*inputs, CHAIR_LIST, PATTERN_LIST]):
        case = new_case(capsys, tmp_path / "case")
        assert cli(capsys, "evidence", "add", case, evidence, "--item", "VID-1").code == 0
        stills = still_pdq_list(tmp_path / "stills.txt")
        for source, extra in ((stills, ["--format", "pdq"]), (CHAIR_LIST, []), (PATTERN_LIST, [])):
            run = cli(capsys, "hashset", "import", source, *extra)
            assert run.code == 0, run.err
        run = cli(capsys, "ingest", case, "--profile", "full", "--workers", "2")
        assert run.code == 0, run.err

        files = _by_name(files_jsonl(capsys, case))
        chair = files["chair-20-sd-bar.mp4"]["video"]
        assert (
            chair["kind"] == "video" and chair["video_codec"] == "h264" and chair["audio_codecs"] == ["aac"]
        )
        assert (chair["width"], chair["height"], chair["frame_rate"]) == (480, 720, 30.0)
        assert chair["duration_s"] == pytest.approx(20.48, abs=0.05) and chair["frames_decoded"] == 614
        assert chair["frames_hashed"] >= 21 and chair["keyframes"] and chair["strip_frames"] == 20
        assert chair["complete"] and chair["warnings"] == []
        gif = files["anim.gif"]["video"]
        assert gif["kind"] == "video" and gif["frames_hashed"] >= 2
        audio = files["audio.mp3"]["video"]
        assert audio["kind"] == "audio" and audio["frames_hashed"] == 0 and audio["audio_codecs"] == ["mp3"]
        assert files["note.txt"]["video"] is None

        # Meta's default rule (80 % of the listed frames): the photo inside a clip is found by the picture
        # list; no clip matches Meta's every-frame lists, of which 1 frame a second covers about a fifth.
        assert cli(capsys, "match", case).code == 0
        findings = _findings(capsys, case)
        assert [(f["name"] if "name" in f else f["path"], f["algorithm"]) for f in findings] == [
            ("/clips/still_in_video.mp4", "pdq-frame")
        ]
        still = findings[0]
        assert still["set"]["name"] == "stills" and still["distance"] <= 31
        basis = still["video"]
        assert basis["basis"] == "frame" and basis["view"] == "frames"
        assert [frame["timestamp_s"] for frame in basis["frames"]] == list(STILL_SECONDS)
        assert basis["first_timestamp_s"] == STILL_SECONDS[0] and basis["query_matched"] == 3

        # python-threatexchange's convention (80 % of the query's frames, 0 % of the listed): every chair
        # clip matches the chair list, the pattern clip the pattern list (inside its black bars), nothing
        # crosses families. The shares are recorded with the run and in each finding.
        run = cli(capsys, "match", case, "--vpdq-listed-share", "0", "--vpdq-query-share", "80")
        assert run.code == 0, run.err
        assert "group(s) of videos that are copies of one clip" in run.out
        videos = [f for f in _findings(capsys, case) if f["algorithm"] == "vpdq"]
        pairs = {(f["path"], f["set"]["name"]) for f in videos}
        assert pairs == {
            ("/clips/chair-20-sd-bar.mp4", CHAIR_LIST.stem),
            ("/clips/chair-copy-small.mp4", CHAIR_LIST.stem),
            ("/clips/pattern-sd-grey-bar.mp4", PATTERN_LIST.stem),
        }
        for finding in videos:
            basis = finding["video"]
            assert basis["basis"] == "vpdq" and basis["query_percent"] >= 80.0
            assert basis["query_share"] == 80.0 and basis["listed_share"] == 0.0 and basis["quality"] == 50
            assert basis["listed_video"] == finding["entry"]["media_id"]
            assert 0 < basis["listed_matched"] < basis["listed_frames"]  # 1 fps against every frame
            assert basis["query_matched"] == len(basis["frames"]) and basis["frames"]
            assert all(frame["distance"] <= 31 for frame in basis["frames"])
        pattern = next(f for f in videos if f["path"] == "/clips/pattern-sd-grey-bar.mp4")
        assert pattern["variant"] == "inside_bars" and pattern["video"]["view"] == "inside_bars"

        # The two encodings of the chair clip are one stack in the gallery; the others stand alone.
        with case_db(case) as db:
            ids = {r["name"]: r["id"] for r in files_jsonl(capsys, case)}
            stacked = identical_files(db, [ids["chair-20-sd-bar.mp4"]])
            assert stacked == sorted([ids["chair-20-sd-bar.mp4"], ids["chair-copy-small.mp4"]])
            tiles = {entry.name: entry for entry in gallery(db)}
            chair_tile = tiles.get("chair-20-sd-bar.mp4") or tiles["chair-copy-small.mp4"]
            assert chair_tile.stacked == 2 and chair_tile.duration_s == pytest.approx(20.48, abs=0.05)
            assert tiles["still_in_video.mp4"].stacked == 1

        # Exports: the video findings' basis in the CSV, vPDQ hashes in CSV and CASE/UCO, MD5/SHA-1 in VICS.
        out = tmp_path / "exports"
        for flag, target in (("--csv", "csv"), ("--case-uco", "case.json"), ("--vics", "vics.json")):
            run = cli(capsys, "export", case, flag, out / target)
            assert run.code == 0, run.err
        rows = list(csv.DictReader(io.StringIO((out / "csv" / "findings.csv").read_text(encoding="utf-8"))))
        frame_row = next(r for r in rows if r["algorithm"] == "pdq-frame")
        assert "3 of" in frame_row["basis"] and "0:03" in frame_row["basis"]
        hashes = list(
            csv.DictReader(io.StringIO((out / "csv" / "video_hashes.csv").read_text(encoding="utf-8")))
        )
        chair_frames = [
            r for r in hashes if r["path"] == "/clips/chair-20-sd-bar.mp4" and r["inside_bars"] == "0"
        ]
        assert len(chair_frames) == chair["frames_hashed"] and all(len(r["pdq"]) == 64 for r in chair_frames)
        graph = json.loads((out / "case.json").read_text(encoding="utf-8"))["@graph"]
        vpdq = {n["uco-core:name"]: n for n in graph if n.get("uco-core:tag") == ["vPDQ"]}
        chair_hash = parse_vpdq_text(vpdq["vPDQ of /clips/chair-20-sd-bar.mp4"]["uco-core:description"])
        assert [f.hex for f in chair_hash] == [r["pdq"] for r in chair_frames]  # Meta's text, every frame
        assert len(vpdq) == 4  # the videos with findings: both chair encodings, the pattern, the photo's clip
        validator = Path(sys.executable).parent / "case_validate"
        if validator.exists():  # case-utils (a dev dependency): the graph conforms to CASE 1.4
            checked = subprocess.run(
                [str(validator), "--built-version", "case-1.4.0", str(out / "case.json")],
                capture_output=True,
                text=True,
            )
            assert "Conforms: True" in checked.stdout, checked.stdout[-2000:]
        media = json.loads((out / "vics.json").read_text(encoding="utf-8"))["value"][0]["Media"]
        assert {m["MD5"].lower() for m in media} >= {f["md5"] for f in videos}
        assert all(m["SHA1"] for m in media)


def _limit_memory() -> None:
    import resource  # POSIX only (the test that uses it is skipped elsewhere)

    resource.setrlimit(resource.RLIMIT_AS, (INGEST_MEMORY_LIMIT, INGEST_MEMORY_LIMIT))


@pytest.mark.skipif(sys.platform == "win32", reason="address-space limits are POSIX only")
def test_bad_videos_are_notes_and_the_job_goes_on_in_bounded_memory(tmp_path: Path, capsys) -> None:
    evidence = build_hostile_videos(tmp_path / "hostile")
    inputs = [p for p in evidence.rglob("*") if p.is_file()]
    with assert_unchanged(inputs):
        case = new_case(capsys, tmp_path / "case")
        assert cli(capsys, "evidence", "add", case, evidence, "--item", "BAD-1").code == 0
        env = {"CUSTOS_HOME": os.environ["CUSTOS_HOME"]}
        process = custos_process(
            "ingest", case, "--profile", "full", "--workers", "2", env=env, preexec_fn=_limit_memory
        )
        try:
            out, err = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        assert process.returncode == 0, err.decode(errors="replace")

        files = _by_name(files_jsonl(capsys, case))
        assert all(r["status"] == "done" for r in files.values()), {n: r["error"] for n, r in files.items()}
        good = files["good.mp4"]["video"]
        assert good["complete"] and good["frames_hashed"] >= 7 and good["warnings"] == []
        truncated = files["truncated.mp4"]["video"]
        assert not truncated["complete"] and 0 < truncated["frames_decoded"] < 206 and truncated["warnings"]
        corrupt = files["corrupt-middle.mp4"]["video"]
        assert not corrupt["complete"] and corrupt["warnings"] and corrupt["frames_hashed"] >= 5
        billion = files["billion-frames.mp4"]["video"]
        assert billion["declared_frames"] == 10**9 and billion["frames_decoded"] == 206
        assert any("of the 1000000000 frames the container declares" in w for w in billion["warnings"])
        refused = files["billion-samples.mp4"]["video"]
        assert refused["kind"] == "none" and refused["warnings"][0].startswith("not a readable video")
        huge = files["huge-header.y4m"]["video"]
        assert huge["frames_decoded"] == 0 and huge["warnings"] and not huge["complete"]
        gif = files["zero-delay.gif"]["video"]
        assert gif["kind"] == "video" and gif["frames_decoded"] >= 1 and gif["frames_hashed"] >= 1
        assert gif["strip_frames"] >= 1  # every delay 0: FFmpeg's default delay times the frames
