"""EXIF fields examiners filter on, read with ExifRead; broken EXIF becomes warnings, never an error."""

from __future__ import annotations

import io
import logging
import math
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import TypeVar

import exifread
from exifread.core.exceptions import ExifNotFound

from forensics.analysis.problems import describe
from forensics.analysis.results import ExifInfo

T = TypeVar("T")
MAX_TEXT = 256  # longest text kept from a tag (hostile files carry megabytes of "text")
_DATETIME = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*$")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")
_DATE = re.compile(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})\s*$")


class _ThreadRecords(logging.Handler):
    """Collects exifread's log records emitted by one thread (the one reading this file)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # "no EXIF here" is logged as a warning by ExifRead but is no problem with the file.
        if record.thread == self.thread and not isinstance(record.msg, ExifNotFound):
            self.messages.append(record.getMessage())


@contextmanager
def _exifread_warnings() -> Iterator[list[str]]:
    handler = _ThreadRecords()
    logger = logging.getLogger("exifread")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _text(tags: dict, *keys: str) -> str | None:
    for key in keys:
        tag = tags.get(key)
        if tag is None:
            continue
        value = tag.values if isinstance(tag.values, str) else tag.printable
        value = str(value).replace("\x00", "").strip()
        if value:
            return value[:MAX_TEXT]
    return None


def _ratios(tags: dict, key: str) -> list[Fraction] | None:
    tag = tags.get(key)
    if tag is None or not isinstance(tag.values, list) or not tag.values:
        return None
    return [Fraction(v) for v in tag.values]


def _dms_to_degrees(values: list[Fraction]) -> float:
    degrees = values[0]
    if len(values) > 1:
        degrees += values[1] / 60
    if len(values) > 2:
        degrees += values[2] / 3600
    return float(degrees)


def _coordinate(tags: dict, axis: str, limit: float, negative_ref: str, warnings: list[str]) -> float | None:
    values = _ratios(tags, f"GPS GPS{axis}")
    if values is None:
        return None
    value = _dms_to_degrees(values)
    ref = (_text(tags, f"GPS GPS{axis}Ref") or "").upper()[:1]
    if not ref:
        warnings.append(f"EXIF GPS{axis}Ref missing: sign of the {axis.lower()} assumed positive")
    if ref == negative_ref:
        value = -value
    if not math.isfinite(value) or abs(value) > limit:
        warnings.append(f"EXIF GPS{axis} out of range ({value}); ignored")
        return None
    return value


def _altitude(tags: dict) -> float | None:
    values = _ratios(tags, "GPS GPSAltitude")
    if values is None:
        return None
    altitude = float(values[0])
    ref = tags.get("GPS GPSAltitudeRef")
    if ref is not None and isinstance(ref.values, list) and ref.values and ref.values[0] == 1:
        altitude = -altitude
    return altitude if math.isfinite(altitude) else None


def _gps_time(tags: dict, warnings: list[str]) -> str | None:
    values = _ratios(tags, "GPS GPSTimeStamp")
    if values is None or len(values) != 3:
        return None
    hours, minutes, seconds = values
    if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 61):
        warnings.append(f"EXIF GPSTimeStamp out of range ({[str(v) for v in values]}); ignored")
        return None
    whole = int(seconds)
    micros = int((seconds - whole) * 1_000_000)
    clock = f"{int(hours):02d}:{int(minutes):02d}:{whole:02d}" + (f".{micros:06d}" if micros else "")
    date = _DATE.match(_text(tags, "GPS GPSDate") or "")
    return f"{date[1]}-{date[2]}-{date[3]}T{clock}Z" if date else f"{clock}Z"


def _datetime_original(tags: dict, warnings: list[str]) -> str | None:
    raw = _text(tags, "EXIF DateTimeOriginal")
    if raw is None:
        return None
    match = _DATETIME.match(raw)
    if not match or match[1] == "0000":
        warnings.append(f"EXIF DateTimeOriginal not a valid date: {raw!r}")
        return None
    fraction = match[7] or ""
    if not fraction:
        subsec = _text(tags, "EXIF SubSecTimeOriginal")
        fraction = f".{subsec}" if subsec and subsec.isdigit() else ""
    return f"{match[1]}-{match[2]}-{match[3]}T{match[4]}:{match[5]}:{match[6]}{fraction}"


def _offset(tags: dict) -> str | None:
    raw = _text(tags, "EXIF OffsetTimeOriginal", "EXIF OffsetTime")
    match = _OFFSET.match(raw or "")
    return f"{match[1]}{match[2]}:{match[3]}" if match else None


def _orientation(tags: dict, warnings: list[str]) -> int | None:
    tag = tags.get("Image Orientation")
    if tag is None or not isinstance(tag.values, list) or not tag.values:
        return None
    value = tag.values[0]
    if isinstance(value, int) and 1 <= value <= 8:
        return value
    warnings.append(f"EXIF Orientation {value!r} is not 1-8; ignored")
    return None


def _guarded(field: str, read: Callable[[], T], warnings: list[str], default: T) -> T:
    """One field's value; a hostile value costs that field only, with a warning."""
    try:
        return read()
    except (ArithmeticError, ValueError, TypeError, IndexError, AttributeError) as exc:
        warnings.append(describe(f"EXIF {field} unreadable", exc))
        return default


def _info_from_tags(tags: dict, warnings: list[str]) -> ExifInfo:
    def field(name: str, read: Callable[[], T | None], default: T | None = None) -> T | None:
        return _guarded(name, read, warnings, default)

    return ExifInfo(
        make=field("Make", lambda: _text(tags, "Image Make")),
        model=field("Model", lambda: _text(tags, "Image Model")),
        body_serial=field(
            "BodySerialNumber",
            lambda: _text(
                tags, "EXIF BodySerialNumber", "Image CameraSerialNumber", "MakerNote SerialNumber"
            ),
        ),
        software=field("Software", lambda: _text(tags, "Image Software")),
        datetime_original=field("DateTimeOriginal", lambda: _datetime_original(tags, warnings)),
        offset=field("OffsetTimeOriginal", lambda: _offset(tags)),
        orientation=field("Orientation", lambda: _orientation(tags, warnings)),
        gps_lat=field("GPSLatitude", lambda: _coordinate(tags, "Latitude", 90.0, "S", warnings)),
        gps_lon=field("GPSLongitude", lambda: _coordinate(tags, "Longitude", 180.0, "W", warnings)),
        gps_alt=field("GPSAltitude", lambda: _altitude(tags)),
        gps_time=field("GPSTimeStamp", lambda: _gps_time(tags, warnings)),
        has_thumbnail="JPEGThumbnail" in tags or "TIFFThumbnail" in tags,
    )


def read_exif(data: bytes) -> tuple[ExifInfo | None, list[str]]:
    """The EXIF fields of an image file's bytes (None when there is no EXIF) and the warnings met."""
    warnings: list[str] = []
    with _exifread_warnings() as logged:
        try:
            tags = exifread.process_file(io.BytesIO(data), details=False, strict=False)
        except Exception as exc:  # ExifRead raises many kinds on hostile input
            warnings.append(describe("EXIF unreadable", exc))
            tags = {}
    warnings.extend(f"EXIF: {message}"[:500] for message in logged)
    if not any(isinstance(key, str) and " " in key for key in tags):
        return None, warnings
    return _info_from_tags(tags, warnings), warnings
