"""vPDQ hash lists: Meta's reference output and ThreatExchange signals imported, regrouped, matched."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from sqlalchemy import select

from forensics.analysis.vpdq import FrameHash, compare_videos, format_te_signal, parse_vpdq_text
from forensics.hashsets.formats.detect import detect_format
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.mih import MultiIndexHashIndex
from forensics.hashsets.models import HashEntry
from forensics.hashsets.video_index import VideoListIndex, load_listed_videos
from tests.fixtures import assert_unchanged

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "ThreatExchange" / "vpdq-sample-hashes"
CHAIR = REFERENCE / "chair-22-sd-sepia-bar.txt"
PATTERN = REFERENCE / "pattern-sd-grey-bar.txt"


def test_reference_output_is_detected_and_imported_frame_by_frame(library: HashSetLibrary) -> None:
    with assert_unchanged([CHAIR]):
        assert detect_format(CHAIR) == "vpdq"
        report = import_hash_set(library, CHAIR, ImportOptions())
    frames = parse_vpdq_text(CHAIR.read_text())
    unique = len({f.pdq for f in frames})
    assert report.format == "vpdq" and report.set.kind == "alert"
    assert report.set.pdq_count == unique and report.duplicates == len(frames) - unique
    with library.session() as session:
        first = session.scalars(select(HashEntry).where(HashEntry.set_id == report.set.id).limit(1)).one()
    assert first.media_id == CHAIR.name and first.pdq == frames[0].pdq and first.pdq_quality == 100
    assert json.loads(first.raw_json) == {"video": CHAIR.name, "frame": 0, "timestamp": 0.0}
    [(key, listed)] = load_listed_videos(library, [report.set.id])
    assert key == (report.set.id, CHAIR.name) and len(listed) == unique
    assert compare_videos(frames, listed).listed_percent == 100.0


def test_threatexchange_signal_file_and_csv_export(library: HashSetLibrary, tmp_path: Path) -> None:
    chair, pattern = parse_vpdq_text(CHAIR.read_text()), parse_vpdq_text(PATTERN.read_text())
    signal = tmp_path / "signal.json"
    signal.write_text(format_te_signal(chair[::30]))
    assert detect_format(signal) == "vpdq"
    one = import_hash_set(library, signal, ImportOptions(name="signal"))
    assert one.set.pdq_count == len({f.pdq for f in chair[::30]})

    export = tmp_path / "te.csv"
    shared = pattern[0]  # one frame in both listed videos: kept in each (per-video duplicates only)
    with open(export, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["signal_type", "signal_str", "collab", "category", "tags"])
        writer.writerow(["vpdq", format_te_signal(chair[::30] + [shared]), "Collab A", "", "video"])
        writer.writerow(["vpdq", format_te_signal(pattern[::30]), "Collab A", "", "video"])
        writer.writerow(["pdq", chair[0].hex, "Collab A", "", "photo"])
        writer.writerow(["vpdq", '["not,a,feature"]', "Collab A", "", ""])
    report = import_hash_set(library, export, ImportOptions(name="te"))
    assert report.format == "te-csv" and report.malformed == 1
    videos = dict(load_listed_videos(library, [report.set.id]))
    assert sorted(videos) == [(report.set.id, "te.csv#2"), (report.set.id, "te.csv#3")]
    assert shared.pdq in {f.pdq for f in videos[(report.set.id, "te.csv#2")]}
    assert shared.pdq in {f.pdq for f in videos[(report.set.id, "te.csv#3")]}


def test_malformed_reference_lines_are_counted(library: HashSetLibrary, tmp_path: Path) -> None:
    lines = CHAIR.read_text().splitlines()[:5]
    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join([*lines, "5,100,nothex,0.167", "6,101," + "a" * 64 + ",0.2", "7,90"]) + "\n")
    report = import_hash_set(library, bad, ImportOptions(format="vpdq"))
    assert report.malformed == 3 and report.set.pdq_count == len({line.split(",")[2] for line in lines})
    assert [p["record"] for p in report.problems] == [6, 7, 8]


def test_list_scale_index_is_exact_and_uses_multi_index_hashing() -> None:
    rng = np.random.default_rng(7)
    references = {p.stem: parse_vpdq_text(p.read_text()) for p in sorted(REFERENCE.glob("*.txt"))}

    def random_video(n: int) -> list[FrameHash]:
        codes = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
        return [FrameHash(i, float(i), 100, codes[i].tobytes()) for i in range(n)]

    listed = [(f"random-{i}", random_video(100)) for i in range(150)] + list(references.items())
    index = VideoListIndex(listed)
    assert isinstance(index.index, MultiIndexHashIndex) and index.frame_count > 10_000
    results = dict(index.match_many(references.items()))
    for query, frames in references.items():
        expected = {name for name, other in references.items() if compare_videos(frames, other).is_match}
        assert {m.listed_key for m in results[query]} == expected, query
