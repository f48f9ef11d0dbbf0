"""EXIF fields against ExifRead's published dump (tests/data/exif-py/dump.txt) and hostile input."""

from __future__ import annotations

import random
import re
from fractions import Fraction

import pytest
from PIL import Image

from forensics.analysis.api import AnalysisOptions
from forensics.analysis.exif import read_exif

from .builders import jpeg_with_exif, rational
from .conftest import EXIF_PY, analyse_bytes, analyse_file

# EXIF 2.32 orientation values as ExifRead prints them (tests/data/exif-py/EXPECTED.md, "Orientation set").
ORIENTATION_NAMES = {
    "Horizontal (normal)": 1,
    "Mirrored horizontal": 2,
    "Rotated 180": 3,
    "Mirrored vertical": 4,
    "Mirrored horizontal then rotated 90 CCW": 5,
    "Rotated 90 CW": 6,
    "Mirrored horizontal then rotated 90 CW": 7,
    "Rotated 90 CCW": 8,
}


def _dump_sections() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in (EXIF_PY / "dump.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("Opening: tests/resources/"):
            current = sections.setdefault(line.removeprefix("Opening: tests/resources/"), [])
        elif line.strip():
            current.append(line.rstrip())
    return sections


DUMP = _dump_sections()
COPIED = sorted(
    str(path.relative_to(EXIF_PY))
    for path in EXIF_PY.rglob("*")
    if path.is_file() and path.suffix.lower() in {".jpg", ".heic", ".avif", ".tiff"}
)


def _tag(section: list[str], name: str) -> str | None:
    for line in section:
        match = re.match(rf"^{re.escape(name)} \([^)]*\): (.*)$", line)
        if match:
            return match[1].strip()
    return None


def _dms(printable: str) -> float:
    parts = [Fraction(p.strip()) for p in printable.strip("[]").split(",")]
    return float(parts[0] + parts[1] / 60 + parts[2] / 3600)


def test_every_copied_file_has_a_dump_section():
    assert len(COPIED) >= 20
    assert all(name in DUMP for name in COPIED)


@pytest.mark.parametrize("name", COPIED)
def test_fields_agree_with_exifread_dump(name):
    section = DUMP[name]
    info, _ = read_exif((EXIF_PY / name).read_bytes())
    if section == ["No EXIF information found"]:
        assert info is None
        return
    assert info is not None
    assert info.make == _tag(section, "Image Make")
    assert info.model == _tag(section, "Image Model")
    assert info.software == _tag(section, "Image Software")
    printed_orientation = _tag(section, "Image Orientation")
    assert info.orientation == (ORIENTATION_NAMES[printed_orientation] if printed_orientation else None)
    printed_date = _tag(section, "EXIF DateTimeOriginal")
    if printed_date:
        date, clock = printed_date.split(" ")
        assert info.datetime_original.startswith(f"{date.replace(':', '-')}T{clock}")
    else:
        assert info.datetime_original is None
    assert info.has_thumbnail == ("File has JPEG thumbnail" in section)
    latitude, longitude = _tag(section, "GPS GPSLatitude"), _tag(section, "GPS GPSLongitude")
    if latitude:
        sign = -1 if _tag(section, "GPS GPSLatitudeRef") == "S" else 1
        assert info.gps_lat == pytest.approx(sign * _dms(latitude), abs=1e-9)
        sign = -1 if _tag(section, "GPS GPSLongitudeRef") == "W" else 1
        assert info.gps_lon == pytest.approx(sign * _dms(longitude), abs=1e-9)
    else:
        assert info.gps_lat is None and info.gps_lon is None


# Decimal coordinates restated in tests/data/exif-py/EXPECTED.md (6 decimals).
@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [
        ("jpg/gps/DSCN0010.jpg", 43.467448, 11.885127),
        ("jpg/gps/DSCN0025.jpg", 43.468365, 11.881635),
        ("jpg/gps/DSCN0042.jpg", 43.464455, 11.881478),
        ("jpg/Kodak_CX7530.jpg", -0.371300, 36.056417),
        ("jpg/tests/nikon_D3100_TypeError.jpg", 44.420743, 8.939333),
    ],
)
def test_gps_signed_decimal_degrees(name, lat, lon):
    exif = analyse_file(EXIF_PY / name).exif
    assert exif.gps_lat == pytest.approx(lat, abs=5e-7)
    assert exif.gps_lon == pytest.approx(lon, abs=5e-7)


def test_gps_time_and_altitude_from_dump():
    exif = analyse_file(EXIF_PY / "jpg/gps/DSCN0010.jpg").exif
    # dump: GPSDate 2008:10:23, GPSTimeStamp [14, 27, 181/25]
    assert exif.gps_time == "2008-10-23T14:27:07.240000Z"
    assert analyse_file(EXIF_PY / "jpg/tests/nikon_D3100_TypeError.jpg").exif.gps_alt == 0.0


@pytest.mark.parametrize("number", range(1, 9))
def test_orientation_set_1_to_8(number):
    assert analyse_file(EXIF_PY / f"jpg/orientation/landscape_{number}.jpg").exif.orientation == number


def test_heic_avif_tiff_exif():
    heic = analyse_file(EXIF_PY / "heic/spring_1440x960.heic").exif
    assert heic.datetime_original.startswith("2020-12-03T15:04:31")
    avif = analyse_file(EXIF_PY / "avif/mountains.avif").exif
    assert (avif.make, avif.model) == ("OLYMPUS CORPORATION", "E-PL8")
    assert analyse_file(EXIF_PY / "tiff/Arbitro.tiff").exif.orientation == 1


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        ("jpg/tests/30-type_error.jpg", "corrupted IFD: EXIF"),
        ("jpg/tests/45-gps_ifd.jpg", "No values found for GPS SubIFD"),
    ],
)
def test_broken_exif_is_a_warning_and_other_results_are_kept(name, warning):
    result = analyse_file(EXIF_PY / name)
    assert any(warning in text for text in result.warnings)
    assert result.filetype.mime == "image/jpeg"
    assert result.perceptual.pdq is not None and result.thumbnail is not None
    assert result.exif is not None


def test_file_without_exif():
    result = analyse_file(EXIF_PY / "jpg/invalid/image01137.jpg")
    assert result.exif is None and result.perceptual is not None and not result.warnings


def _generated(**overrides) -> bytes:
    tags = {0x010F: "TestMake", 0x0110: "TestModel", 0x0112: 6, 0x0131: "fw 1.2"}
    exif_ifd = {0xA431: "SN12345", 0x9003: "2024:02:29 23:59:58", 0x9011: "-05:00"}
    gps = {
        1: "S",
        2: (33, 51, 35.9),
        3: "W",
        4: (151, 12, 40.5),
        5: 1,
        6: rational(12.5),
        7: (23, 59, 58.25),
        29: "2024:03:01",
    }
    tags.update(overrides.get("tags", {}))
    exif_ifd.update(overrides.get("exif_ifd", {}))
    gps.update(overrides.get("gps", {}))
    return jpeg_with_exif(Image.new("RGB", (64, 48), (200, 30, 30)), tags, exif_ifd, gps)


def test_serial_offset_southern_western_below_sea_level():
    info, warnings = read_exif(_generated())
    assert not warnings
    assert (info.make, info.model, info.software) == ("TestMake", "TestModel", "fw 1.2")
    assert info.body_serial == "SN12345"
    assert (info.datetime_original, info.offset, info.orientation) == ("2024-02-29T23:59:58", "-05:00", 6)
    assert info.gps_lat == pytest.approx(-(33 + 51 / 60 + 35.9 / 3600))
    assert info.gps_lon == pytest.approx(-(151 + 12 / 60 + 40.5 / 3600))
    assert info.gps_alt == -12.5
    assert info.gps_time == "2024-03-01T23:59:58.250000Z"


def test_hostile_values_cost_only_their_field():
    data = _generated(tags={0x0112: 99}, exif_ifd={0x9003: "not a date at all!!"}, gps={2: (95, 0, 0)})
    info, warnings = read_exif(data)
    assert info.orientation is None and info.datetime_original is None and info.gps_lat is None
    assert info.make == "TestMake" and info.gps_lon is not None and info.body_serial == "SN12345"
    assert len(warnings) == 3


def test_mutated_exif_never_raises():
    original = bytearray(_generated())
    generator = random.Random(4)
    for _ in range(150):
        mutated = bytearray(original)
        for _ in range(generator.randint(1, 12)):
            mutated[generator.randrange(2, 400)] = generator.randrange(256)
        result = analyse_bytes(bytes(mutated), "mutated.jpg", AnalysisOptions())
        assert result.filetype is not None
