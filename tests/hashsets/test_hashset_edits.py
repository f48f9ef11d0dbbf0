"""Edited copies of listed pictures: lists that say what they are, picture lists with crop and turn variants,
region and variant findings end to end (real test photos, edited in memory)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from forensics.analysis.api import HEAD_SIZE, AnalysisOptions, analyze
from forensics.case.analysis_store import store_analyses
from forensics.hashsets.calibration import ALGORITHM_NAMES
from forensics.hashsets.errors import HashSetError
from forensics.hashsets.findings import iter_findings
from forensics.hashsets.formats.detect import detect_format
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import MatchSettings, match_case
from forensics.hashsets.models import HashEntryVariant
from forensics.hashsets.picture_list import build_picture_list, picture_record

DATA = Path(__file__).resolve().parents[1] / "data"
PHOTOS = [
    DATA / "exif-py/jpg/gps/DSCN0010.jpg",
    DATA / "exif-py/jpg/gps/DSCN0042.jpg",
    DATA / "exif-py/jpg/orientation/landscape_1.jpg",
]
UNRELATED = DATA / "pdqhash-python/images/image3.jpg"
HEX64 = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
MD5 = "0123456789abcdef0123456789abcdef"

CUES = {
    "quality column": ("list.txt", f"{HEX64},87\n{HEX64[::-1]},100\n", "pdq"),
    "threatexchange form": ("list.txt", f"pdq {HEX64}\n", "pdq"),
    "comment naming pdq": ("list.txt", f"# PDQ hashes, exported 2026-01-02\n{HEX64}\n", "pdq"),
    "comment naming sha-256": ("list.txt", f"# SHA-256 of the seized files\n{HEX64}\n", "sha256"),
    "file name pdq": ("known_pdq.txt", f"{HEX64}\n{HEX64[::-1]}\n", "pdq"),
    "file name sha256": ("case-sha256.txt", f"{HEX64}\n", "sha256"),
    "shorter hashes beside": ("list.txt", f"{MD5}\n{HEX64}\n", "plain"),
}


@pytest.mark.parametrize("cue", sorted(CUES))
def test_a_64hex_list_says_what_it_is(tmp_path: Path, library: HashSetLibrary, cue: str) -> None:
    name, content, expected = CUES[cue]
    path = tmp_path / name
    path.write_text(content)
    assert detect_format(path) == expected
    info = import_hash_set(library, path, ImportOptions()).set
    if expected == "pdq":
        assert info.pdq_count >= 1 and info.sha256_count == 0
    else:
        assert info.sha256_count >= 1 and info.pdq_count == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [("list.txt", f"{HEX64}\n{HEX64[::-1]}\n"), ("pdq.txt", f"# sha256 of files\n{HEX64}\n")],
    ids=["no cue", "cues disagree"],
)
def test_an_ambiguous_64hex_list_is_refused_naming_both_choices(
    tmp_path: Path, library: HashSetLibrary, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(HashSetError) as refused:
        import_hash_set(library, path, ImportOptions())
    assert "--format sha256" in str(refused.value) and "--format pdq" in str(refused.value)
    assert library.sets(include_incomplete=True) == []
    sha = import_hash_set(library, path, ImportOptions(name="as sha256", format="sha256")).set
    pdq = import_hash_set(library, path, ImportOptions(name="as pdq", format="pdq")).set
    assert sha.sha256_count >= 1 and sha.pdq_count == 0 and pdq.pdq_count >= 1 and pdq.sha256_count == 0


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def test_picture_list_is_built_detected_and_imported_with_variants(
    tmp_path: Path, library: HashSetLibrary
) -> None:
    before = [p.read_bytes() for p in PHOTOS]
    count, problems = build_picture_list(
        [*PHOTOS, DATA / "imagehash" / "EXPECTED.md"], tmp_path / "lab.jsonl"
    )
    assert count == len(PHOTOS) and len(problems) == 1 and "EXPECTED.md" in problems[0]
    assert [p.read_bytes() for p in PHOTOS] == before  # the pictures are only read
    header = json.loads((tmp_path / "lab.jsonl").read_text().splitlines()[0])
    assert header["format"] == "custos-picture-list"
    assert detect_format(tmp_path / "lab.jsonl") == "custos"
    report = import_hash_set(library, tmp_path / "lab.jsonl", ImportOptions(name="lab"))
    info = report.set
    assert (info.entry_count, info.pdq_count, info.phash_count, info.sha256_count) == (3, 3, 3, 3)
    with library.session() as session:
        variants = session.scalar(select(func.count()).select_from(HashEntryVariant))
        labels = set(session.scalars(select(HashEntryVariant.label)))
    assert variants == report.facts["variants"] and variants >= 3 * 60  # 21-22 crops x 3 hashes each
    assert {"crop90", "crop80", "square", "crop80_tl", "crop90_br"} <= labels
    library.remove("lab")
    with library.session() as session:
        assert session.scalar(select(func.count()).select_from(HashEntryVariant)) == 0


def _screenshot(photo: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", (540, 1170), (236, 229, 221))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 540, 110), fill=(7, 94, 84))
    draw.text((60, 65), "Contact name", fill=(255, 255, 255))
    h = round(photo.height * 440 / photo.width)
    draw.rounded_rectangle((64, 294, 516, 340 + h), radius=14, fill=(220, 248, 198))
    canvas.paste(photo.resize((440, h), Image.Resampling.LANCZOS), (70, 300))
    draw.rectangle((0, 1110, 540, 1170), fill=(0, 0, 0))
    return canvas


def _central(photo: Image.Image, keep: float) -> Image.Image:
    w, h = photo.size
    kw, kh = round(w * keep), round(h * keep)
    return photo.crop(((w - kw) // 2, (h - kh) // 2, (w - kw) // 2 + kw, (h - kh) // 2 + kh))


def _analyse_into(case, path: str, data: bytes) -> int:
    options = AnalysisOptions(tasks=frozenset({"perceptual"}), reduced_decode=True)
    result = analyze(path, len(data), data[:HEAD_SIZE], data, options)
    file_id = case.add_file(path, data)
    with case.db.session() as session:
        store_analyses(session, [(file_id, result)], fresh=True)
    return file_id


def test_edited_copies_are_found_with_the_region_or_list_variant_that_matched(
    tmp_path: Path, library: HashSetLibrary, case
) -> None:
    with open(tmp_path / "lab.jsonl", "w") as stream:
        from forensics.hashsets.picture_list import write_picture_list

        write_picture_list((picture_record(p.name, p.read_bytes()) for p in PHOTOS), stream)
    import_hash_set(library, tmp_path / "lab.jsonl", ImportOptions(name="lab", kind="alert"))
    photo = Image.open(PHOTOS[0]).convert("RGB")
    screenshot = _analyse_into(case, "/chat/screenshot.jpg", _jpeg(_screenshot(photo), 85))
    cropped = _analyse_into(case, "/dcim/crop.jpg", _jpeg(_central(photo, 0.8)))
    turned = _analyse_into(case, "/dcim/turned.jpg", _jpeg(photo.transpose(Image.Transpose.ROTATE_270)))
    unrelated = _analyse_into(case, "/dcim/other.jpg", UNRELATED.read_bytes())
    # pHash and dHash with explicit thresholds (they are off by default: docs/matching.md)
    summary = match_case(case.db, library, settings=MatchSettings(phash_threshold=8, dhash_threshold=10))
    assert summary.findings_added > 0
    findings = list(iter_findings(case.db))
    assert all(f["false_match_rate"].startswith(f"{ALGORITHM_NAMES[f['algorithm']]} threshold ")
               for f in findings)  # fmt: skip
    by_file: dict[int, list[dict]] = {}
    paths = {screenshot: "/chat/screenshot.jpg", cropped: "/dcim/crop.jpg", turned: "/dcim/turned.jpg"}
    for finding in findings:
        by_file.setdefault(next(k for k, v in paths.items() if v == finding["path"]), []).append(finding)
    assert unrelated not in by_file and set(by_file) == {screenshot, cropped, turned}
    assert all(f["entry"]["record_no"] == 2 for group in by_file.values() for f in group)  # PHOTOS[0]
    shot = [f for f in by_file[screenshot] if f["algorithm"] == "pdq"]
    assert shot and shot[0]["region"]["kind"] == "photo"
    assert abs(shot[0]["region"]["x"] - 70) <= 2 and abs(shot[0]["region"]["w"] - 440) <= 4
    crop = [f for f in by_file[cropped] if f["algorithm"] == "pdq"]
    assert crop and crop[0]["list_variant"] == "crop80" and crop[0]["region"] is None
    assert crop[0]["matched_hash"] != json.loads((tmp_path / "lab.jsonl").read_text().splitlines()[1])["pdq"]
    rotated = {f["algorithm"]: f for f in by_file[turned]}
    assert rotated["pdq"]["variant"] == "rot90" and rotated["pdq"]["list_variant"] is None
    # pHash: a turned query code or a turned list code (both sides carry them), never the plain pair.
    assert (rotated["phash"]["variant"], rotated["phash"]["list_variant"]) != ("original", None)


def test_the_quality_gate_keeps_low_texture_pictures_from_64bit_matches(
    tmp_path: Path, library: HashSetLibrary, case
) -> None:
    flat = Image.linear_gradient("L").resize((400, 300)).convert("RGB")  # smooth, no texture
    (tmp_path / "phash.txt").write_text(
        json.dumps({"format": "custos-picture-list", "version": 1})
        + "\n"
        + json.dumps(picture_record("flat.jpg", _jpeg(flat)))
        + "\n"
    )
    import_hash_set(library, tmp_path / "phash.txt", ImportOptions(name="flat"))
    _analyse_into(case, "/flat-copy.jpg", _jpeg(flat, 80))
    on = {"phash_threshold": 8, "dhash_threshold": 10}
    match_case(case.db, library, settings=MatchSettings(**on))
    assert not any(f["algorithm"] in ("phash", "dhash") for f in iter_findings(case.db))
    match_case(case.db, library, settings=MatchSettings(**on, gate_64bit=False))
    assert any(f["algorithm"] in ("phash", "dhash") for f in iter_findings(case.db))
