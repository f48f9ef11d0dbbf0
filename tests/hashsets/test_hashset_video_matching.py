"""Video matching of a case against the library, on Meta's reference hashes as the case's sampled frames:
vPDQ findings by Meta's rule with both shares, frames against picture entries only (never the frames of
listed videos), nothing twice on a re-run, copies of one clip grouped."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from hashset_case import CaseBuilder
from sqlalchemy import text

from forensics.analysis.vpdq import FrameHash, format_te_signal, parse_vpdq_text
from forensics.hashsets.findings import iter_findings
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import MatchSettings, match_case

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "ThreatExchange" / "vpdq-sample-hashes"


def _frames(name: str, every: int = 30) -> list[FrameHash]:
    """Meta's hashes of a clip, one frame a second (as the ingest samples a 30 fps clip)."""
    return parse_vpdq_text((REFERENCE / f"{name}.txt").read_text())[::every]


def _add_video(case: CaseBuilder, path: str, frames: list[FrameHash]) -> int:
    file_id = case.add_file(path, data=path.encode())
    with case.db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO video_frames (file_id, frame_number, inside_bars, timestamp_s, quality, pdq) "
                "VALUES (:f, :n, 0, :t, :q, :p)"
            ),
            [{"f": file_id, "n": x.number, "t": x.timestamp_s, "q": x.quality, "p": x.pdq} for x in frames],
        )
    return file_id


def test_videos_frames_and_copies(case: CaseBuilder, library: HashSetLibrary, tmp_path: Path) -> None:
    chair = _add_video(case, "/v/chair.mp4", _frames("chair-20-sd-bar"))
    copy = _add_video(case, "/v/chair-grey.mp4", _frames("chair-22-sd-grey-bar"))
    pattern = _add_video(case, "/v/pattern.mp4", _frames("pattern-sd-grey-bar"))
    shown = _frames("pattern-sd-grey-bar")[3]  # a frame of the pattern clip, listed as a picture below

    import_hash_set(library, REFERENCE / "chair-22-sd-sepia-bar.txt", ImportOptions(name="chair"))
    export = tmp_path / "te.csv"
    with open(export, "w", newline="") as stream:
        rows = csv.writer(stream)
        rows.writerow(["signal_type", "signal_str", "collab", "category", "tags"])
        rows.writerow(["pdq", shown.hex, "Collab", "", "picture"])
        # a listed video holding the same frame: its frames are matched as a video, never as pictures
        rows.writerow(["vpdq", format_te_signal(_frames("pattern-sd-grey-bar", every=10)), "Collab", "", ""])
    import_hash_set(library, export, ImportOptions(name="te"))

    settings = MatchSettings(vpdq_listed_share=0.0, vpdq_query_share=80.0)  # python-threatexchange's way
    summary = match_case(case.db, library, settings=settings)
    assert summary.video_copy_groups == 1
    findings = list(iter_findings(case.db))
    found = {(f["path"], f["set"]["name"], f["algorithm"]): f for f in findings}
    assert len(findings) == len(found) == 4  # one pdq-frame finding: the picture entry, no listed frame
    assert set(found) == {
        ("/v/chair.mp4", "chair", "vpdq"),
        ("/v/chair-grey.mp4", "chair", "vpdq"),
        ("/v/pattern.mp4", "te", "vpdq"),
        ("/v/pattern.mp4", "te", "pdq-frame"),
    }
    video = found[("/v/chair.mp4", "chair", "vpdq")]
    basis = video["video"]
    assert basis["query_frames"] == len({f.pdq for f in _frames("chair-20-sd-bar")})
    assert basis["query_percent"] >= 80.0 and 0 < basis["listed_percent"] < 80.0
    assert basis["listed_video"] == "chair-22-sd-sepia-bar.txt" == video["entry"]["media_id"]
    assert video["entry"]["record_no"] == 1 and video["threshold"] == 31
    assert [f["timestamp_s"] for f in basis["frames"]] == sorted(f["timestamp_s"] for f in basis["frames"])
    picture = found[("/v/pattern.mp4", "te", "pdq-frame")]
    assert picture["entry"]["raw"]["signal_type"] == "pdq" and picture["distance"] == 0
    assert picture["video"]["first_timestamp_s"] == shown.timestamp_s
    assert shown.timestamp_s in [f["timestamp_s"] for f in picture["video"]["frames"]]

    again = match_case(case.db, library, settings=settings)  # nothing new twice
    assert again.findings_added == 0
    with case.db.engine.connect() as connection:
        groups = connection.execute(text("SELECT file_id, group_id FROM video_copies ORDER BY 1")).all()
        runs = json.loads(connection.execute(text("SELECT settings_json FROM match_runs")).scalars().first())
    assert groups == [(chair, chair), (copy, chair)] and pattern not in dict(groups)
    assert (runs["vpdq_listed_share"], runs["vpdq_query_share"], runs["vpdq_threshold"]) == (0.0, 80.0, 31)


def test_meta_default_rule_asks_for_most_of_the_listed_frames(case: CaseBuilder, library) -> None:
    _add_video(case, "/v/chair.mp4", _frames("chair-20-sd-bar"))
    _add_video(case, "/v/dense.mp4", _frames("chair-20-sd-bar", every=1))  # hashed like Meta's list
    import_hash_set(library, REFERENCE / "chair-20-sd-bar.txt", ImportOptions(name="chair"))
    match_case(case.db, library)  # Meta's README rule: 80 % of the listed video, 0 % of the case video
    found = [(f["path"], f["algorithm"]) for f in iter_findings(case.db)]
    assert found == [("/v/dense.mp4", "vpdq")]  # 1 frame a second covers about a fifth of a dense list
