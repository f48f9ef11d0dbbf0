"""Checks on pictures: PDQ (with quality), imagehash pHash/dHash and EXIF values.

The bytes go through ``forensics.analysis.api.analyze``, the function every ingest worker runs on a
file, so the decode, the hashing and the EXIF reading are exactly those of a real case.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import cast

from forensics.analysis.api import HEAD_SIZE, AnalysisOptions, AnalysisResult, analyze
from forensics.selftest.model import Check
from forensics.selftest.reference import ReferencePicture, ReferenceTypeSample

TASKS = frozenset({"exif", "perceptual"})
# GPS values are published rounded to 6 decimals.
GPS_TOLERANCE = 1e-6
# EXIF Orientation as ExifRead prints it (the published form) -> the tag's number (the engine's form).
ORIENTATION_NUMBER = {
    "Horizontal (normal)": 1,
    "Mirrored horizontal": 2,
    "Rotated 180": 3,
    "Mirrored vertical": 4,
    "Mirrored horizontal then rotated 90 CCW": 5,
    "Rotated 90 CW": 6,
    "Mirrored horizontal then rotated 90 CW": 7,
    "Rotated 90 CCW": 8,
}


def analyse_file(path: Path, tasks: frozenset[str] = TASKS) -> AnalysisResult:
    """The engine's analysis result for a file's bytes (head and whole content, as a worker keeps them)."""
    data = path.read_bytes()
    return analyze(path.name, len(data), data[:HEAD_SIZE], data, AnalysisOptions(tasks=tasks))


def exif_datetime_as_iso(value: str) -> str:
    """``2008:05:30 15:56:01`` (EXIF form) -> ``2008-05-30T15:56:01`` (the engine's ISO form)."""
    date, _, time = value.partition(" ")
    return f"{date.replace(':', '-')}T{time}"


def same_second(expected: str, observed: str | None) -> bool:
    """True when the engine's time (which may add EXIF sub-seconds) falls in the published second."""
    if not observed:
        return False
    try:
        return datetime.fromisoformat(observed).replace(microsecond=0) == datetime.fromisoformat(expected)
    except ValueError:
        return False


def _check(
    picture: ReferencePicture,
    area: str,
    what: str,
    expected: object,
    observed: object,
    passed: bool | None = None,
) -> Check:
    ok = expected == observed if passed is None else passed
    return Check(area, picture.name, what, str(expected), str(observed), ok, picture.source)


def perceptual_checks(picture: ReferencePicture, result: AnalysisResult) -> list[Check]:
    hashes = result.perceptual
    wanted = [
        ("PDQ", "PDQ hash", picture.pdq, "pdq"),
        ("PDQ", "PDQ quality", picture.pdq_quality, "pdq_quality"),
        ("imagehash", "pHash", picture.phash, "phash"),
        ("imagehash", "dHash", picture.dhash, "dhash"),
    ]
    checks = []
    for area, what, expected, attribute in wanted:
        if expected is None:
            continue
        observed = getattr(hashes, attribute) if hashes is not None else _why_missing(result)
        checks.append(_check(picture, area, what, expected, observed))
    return checks


def _why_missing(result: AnalysisResult) -> str:
    return "not computed: " + ("; ".join(result.warnings) or "no result")


def exif_checks(picture: ReferencePicture, result: AnalysisResult) -> list[Check]:
    exif = result.exif
    checks = []
    for field, published in sorted(picture.exif.items()):
        what = f"EXIF {field} (published: {published})"
        if exif is None:
            checks.append(_check(picture, "EXIF", what, published, _why_missing(result), False))
            continue
        observed = getattr(exif, field)
        if field == "datetime_original":
            expected = exif_datetime_as_iso(str(published))
            checks.append(
                _check(
                    picture,
                    "EXIF",
                    f"{what}, same second",
                    expected,
                    observed,
                    same_second(expected, observed),
                )
            )
        elif field == "orientation":
            checks.append(_check(picture, "EXIF", what, ORIENTATION_NUMBER.get(str(published)), observed))
        elif field.startswith("gps_"):
            degrees = cast(float, published)  # a published coordinate is a number
            close = observed is not None and abs(float(observed) - float(degrees)) <= GPS_TOLERANCE
            shown = f"{observed:.6f}" if observed is not None else "none"
            checks.append(
                _check(picture, "EXIF", f"{what}, within {GPS_TOLERANCE:g}", f"{published:.6f}", shown, close)
            )
        else:
            checks.append(_check(picture, "EXIF", what, published, observed))
    return checks


def picture_checks(picture: ReferencePicture) -> list[Check]:
    """All published facts about one picture."""
    try:
        result = analyse_file(picture.path)
    except Exception as exc:  # analyze never raises for bad input; a missing file still must not stop the run
        return [
            Check(
                "picture",
                picture.name,
                "analyse the picture",
                "analysed",
                f"error: {exc}",
                False,
                picture.source,
            )
        ]
    return perceptual_checks(picture, result) + exif_checks(picture, result)


def filetype_checks(sample: ReferenceTypeSample) -> list[Check]:
    """libmagic's description of the file, through the engine's type task, as file's own test expects."""
    try:
        result = analyse_file(sample.path, frozenset({"type"}))
        observed = result.filetype.description if result.filetype else _why_missing(result)
    except Exception as exc:
        observed = f"error: {exc}"
    return [
        Check(
            "file type",
            sample.name,
            "libmagic description",
            sample.description,
            str(observed),
            observed == sample.description,
            sample.source,
        )
    ]
