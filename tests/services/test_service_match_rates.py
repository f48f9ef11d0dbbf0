"""Matching states each perceptual threshold with its measured false-match rate (docs/matching.md).

A folder of real photos (pdqhash-python's test images) is ingested with perceptual hashes and content
regions; a picture list that Custos builds from the same photos is matched. PDQ is compared by default
(calibrated threshold), pHash only when the examiner names a threshold, dHash not at all: the custody
entry, the findings and the report's methodology say so, each with the measured rate.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.hashsets.calibration import rate_statement
from forensics.hashsets.findings import iter_findings
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import MatchSettings
from forensics.hashsets.picture_list import build_picture_list
from forensics.pipeline.processing_profiles import load_profile
from forensics.reports.collect_case import collect_methodology
from forensics.services import cases, evidence, ingest, matching

DATA = Path(__file__).resolve().parents[1] / "data"
PHOTOS = [DATA / "pdqhash-python" / "images" / f"image{n}.jpg" for n in (1, 2, 3)]
EXAMINER = "Rita Rates"
PASSPHRASE = "rates passphrase"


@pytest.fixture
def ctx(tmp_path: Path):
    create_examiner(EXAMINER, "Lab", "R-1", PASSPHRASE)
    context = cases.create_case(
        tmp_path / "case", number="R-1", title="rates", agency=None, examiner=EXAMINER, passphrase=PASSPHRASE
    )
    yield context
    context.close()


def _ingested(ctx, tmp_path: Path) -> None:
    folder = tmp_path / "seized"
    folder.mkdir()
    for photo in PHOTOS[:2]:
        shutil.copyfile(photo, folder / photo.name)
    turned = Image.open(PHOTOS[2]).convert("RGB").transpose(Image.Transpose.ROTATE_90)
    turned.save(folder / "turned.jpg", quality=90)
    evidence.add_evidence(ctx, folder, "EXH-1", {"seal_number": "S-1"})
    profile = load_profile("full")
    profile = replace(
        profile, tasks=profile.tasks - {"match"}, nested=None, embedded=False, carve=frozenset()
    )
    ingest.ingest_item(ctx, "EXH-1", profile, 1)


def _library(tmp_path: Path) -> Path:
    listed = tmp_path / "lab-list.jsonl"
    count, problems = build_picture_list(PHOTOS, listed, created_by=EXAMINER)
    assert (count, problems) == (3, [])
    library = tmp_path / "library.db"
    with HashSetLibrary(library) as lib:
        import_hash_set(lib, listed, ImportOptions(name="lab", kind="alert"))
    return library


def test_thresholds_and_measured_rates_are_signed_listed_and_reported(ctx, tmp_path):
    _ingested(ctx, tmp_path)
    library = _library(tmp_path)
    before = len(list(read_entries(ctx.db)))
    summary = matching.match(ctx, str(library), settings=MatchSettings(phash_threshold=6))
    assert any(w.startswith("dHash entries were not compared") for w in summary.warnings)

    added = list(read_entries(ctx.db))[before:]
    assert [e.action for e in added] == ["hashset_used", "results_sealed"]
    entry = added[0]
    details = entry.details
    assert details["thresholds"] == {"pdq": 27, "phash": 6, "pdq_min_quality": 50}
    assert details["false_match_rates"] == {
        "pdq": rate_statement("pdq", 27),
        "phash": rate_statement("phash", 6),
    }
    assert details["not_compared"] == ["dhash"]

    findings = list(iter_findings(ctx.db))
    by_path: dict[str, set[str]] = {}
    for finding in findings:
        by_path.setdefault(finding["path"], set()).add(finding["algorithm"])
        if finding["algorithm"] in ("md5", "sha1", "sha256"):
            assert finding["false_match_rate"] is None and finding["threshold"] is None
        else:
            assert finding["false_match_rate"] == rate_statement(finding["algorithm"], finding["threshold"])
    # Each photo matched by PDQ and pHash (the turned copy through a dihedral variant), never by dHash.
    assert set(by_path) == {"/image1.jpg", "/image2.jpg", "/turned.jpg"}
    assert all({"pdq", "phash"} <= algorithms for algorithms in by_path.values()), by_path
    assert not any(f["algorithm"] == "dhash" for f in findings)
    turned = [f for f in findings if f["path"] == "/turned.jpg" and f["algorithm"] in ("pdq", "phash")]
    assert turned and all(f["variant"] != "original" for f in turned)

    with ctx.db.session() as session:
        runs = collect_methodology(ctx.db, session).match_runs
    assert runs[-1]["rates"] == [
        rate_statement("pdq", 27),
        rate_statement("phash", 6),
        "dHash: not compared (no dHash threshold was set)",
    ]
    assert runs[-1]["settings"]["dhash_threshold"] == "off" and runs[-1]["settings"]["phash_threshold"] == 6
