"""Creation time and location from a video container's metadata, as phones write them.

FFmpeg's demuxers give container tags as text: ``creation_time`` (the QuickTime/MP4 ``mvhd`` time, UTC by
the specification, ``2021-06-01T10:20:30.000000Z``), ``com.apple.quicktime.creationdate`` (an iPhone's
local time with its offset, ``2021-06-01T12:20:30+0200``), ``location`` (the QuickTime ``©xyz`` atom) and
``com.apple.quicktime.location.ISO6709`` (Apple's key), both ISO 6709 strings such as
``+52.3667+004.8945+001.500/``. Nothing here guesses a zone: a time with no offset is kept as written and
flagged as having none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

# Tags holding a creation time, best first: an explicit offset beats the mvhd time some Android phones
# write in local time.
_TIME_TAGS = ("com.apple.quicktime.creationdate", "creation_time", "date")
_LOCATION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
# ISO 6709 decimal degrees: latitude (2 integer digits), longitude (3), optional altitude, then "/" or end.
_ISO6709 = re.compile(
    r"^(?P<lat>[+-]\d{2}(?:\.\d+)?)(?P<lon>[+-]\d{3}(?:\.\d+)?)(?P<alt>[+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?$"
)
_OFFSET = re.compile(r"([+-]\d{2}):?(\d{2})$")
_MAX_TAG = 200


@dataclass(frozen=True)
class VideoPlace:
    """Where the container says the video was made (signed decimal degrees, metres)."""

    lat: float
    lon: float
    alt: float | None
    source_tag: str


@dataclass(frozen=True)
class VideoTime:
    """When the container says the video was made: UTC when an offset (or Z) is recorded."""

    utc: str | None  # "2021-06-01T10:20:30Z" (sub-seconds kept when written)
    as_written: str
    source_tag: str


def parse_iso6709(text: str) -> tuple[float, float, float | None] | None:
    """(lat, lon, alt) of an ISO 6709 decimal-degree string, or None when malformed or out of range."""
    match = _ISO6709.match(text.strip())
    if not match:
        return None
    lat, lon = float(match["lat"]), float(match["lon"])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    alt = float(match["alt"]) if match["alt"] else None
    return lat, lon, alt


def _iso_utc(value: datetime) -> str:
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".")
    return text + "Z"


def parse_creation_time(text: str) -> str | None:
    """ISO-8601 UTC of a tag value with a zone (``Z`` or ``+hh[:]mm``), None when it has none or is bad."""
    text = text.strip()
    if not text:
        return None
    if text.endswith("Z"):
        normal = text[:-1] + "+00:00"
    elif _OFFSET.search(text):
        normal = _OFFSET.sub(r"\1:\2", text)
    else:
        return None  # no zone recorded: not turned into UTC by guessing
    try:
        value = datetime.fromisoformat(normal)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    if value.year < 1971:  # QuickTime's 1904 epoch zero and similar placeholders
        return None
    return _iso_utc(value)


def creation_time(tags: dict[str, str]) -> VideoTime | None:
    """The best creation time among the container's tags."""
    for tag in _TIME_TAGS:
        value = tags.get(tag)
        if value:
            written = str(value)[:_MAX_TAG]
            return VideoTime(parse_creation_time(written), written, tag)
    return None


def place(tags: dict[str, str]) -> VideoPlace | None:
    """The first well-formed ISO 6709 location among the container's tags."""
    for tag in _LOCATION_TAGS:
        value = tags.get(tag)
        if not value:
            continue
        parsed = parse_iso6709(str(value)[:_MAX_TAG])
        if parsed is not None:
            return VideoPlace(*parsed, source_tag=tag)
    return None
