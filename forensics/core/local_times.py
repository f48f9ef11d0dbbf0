"""Times that a file system stores as local wall-clock time (FAT, exFAT), shown as a court can rely on them.

TSK runs with ``TZ=UTC``, so a FAT time written at 14:00 on a device set to Pakistan time is read (and
stored in the ``*_ns`` columns) as if it were 14:00 UTC: its wall-clock value, kept exactly. It becomes an
instant only with the device's zone, which the examiner sets on the evidence item (``evidence.time_zone``,
an IANA name such as ``Asia/Karachi``; unknown until set). The rule, for every listing and report:

* a file system that stores UTC (NTFS, ext, HFS+, ...): ``2018-05-16T14:01:57.5731188Z``, as before;
* local time, zone known: converted to UTC, with the zone and the wall-clock value it was read from:
  ``2004-01-01T09:00:01.34Z (local 2004-01-01T14:00:01.34, Asia/Karachi)``;
* local time, zone unknown: ``2004-01-01T14:00:01.34 (local, zone unknown)``, never a bare ``Z``;
* a wall-clock time that the zone's clock shows twice (the hour a daylight-saving change repeats) or
  never (the hour it skips) is not converted: both instants, or ``no such local time``, are named.

Machine formats (exports) take :func:`time_iso`: the UTC instant with ``Z`` where it is certain, else the
wall-clock value without any zone designator (ISO 8601 "local time").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forensics.core.errors import CustosError

# File systems whose stored times are the device's local wall-clock time (no zone recorded).
LOCAL_TIME_FS = frozenset({"fat12", "fat16", "fat32", "exfat"})
NS_PER_SECOND = 1_000_000_000
EPOCH = datetime(1970, 1, 1)
RULE = (
    "FAT and exFAT store local wall-clock time without a zone: such times are shown converted to UTC in "
    "the evidence item's source time zone when the examiner has set one (with the local value beside "
    "them), and as local time marked 'zone unknown' otherwise; other file systems store UTC."
)


class TimeZoneError(CustosError):
    """A source time zone that is not a known IANA zone name."""


ZONE_NAME = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")


@lru_cache(maxsize=64)
def zone_info(name: str) -> ZoneInfo:
    """The zone's rules from the pinned ``tzdata`` package (the same on every workstation, Windows too),
    else from the system's zone files. Raises :class:`TimeZoneError` for an unknown name."""
    if not ZONE_NAME.match(name or ""):
        raise TimeZoneError(f"unknown time zone {name!r}: give an IANA zone name such as Asia/Karachi")
    try:
        zone_file = resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
        with zone_file.open("rb") as stream:
            return ZoneInfo.from_file(stream, key=name)
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError, ValueError):
        pass
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise TimeZoneError(
            f"unknown time zone {name!r}: give an IANA zone name such as Asia/Karachi or Europe/London"
        ) from exc


def check_time_zone(name: str) -> str:
    """``name`` when it is a known IANA time zone (``Asia/Karachi``); raises :class:`TimeZoneError`."""
    text = (name or "").strip()
    zone_info(text)
    return text


def is_local_time_fs(fs_type: str | None) -> bool:
    """Whether ``fs_type`` stores local wall-clock time."""
    return fs_type in LOCAL_TIME_FS


def _wall_text(ns: int) -> str:
    """The wall-clock value ``YYYY-MM-DDTHH:MM:SS[.fraction]`` (sub-second digits kept, not rounded)."""
    seconds, fraction = divmod(int(ns), NS_PER_SECOND)
    base = (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{fraction:09d}".rstrip("0") if fraction else base


@dataclass(frozen=True)
class Conversion:
    """A local wall-clock value read in a zone: the UTC instants it can be (none, one or two)."""

    wall_ns: int
    zone: str
    utc_ns: tuple[int, ...]

    @property
    def certain(self) -> bool:
        return len(self.utc_ns) == 1


def to_utc(wall_ns: int, zone: str) -> Conversion:
    """The UTC instants at which clocks in ``zone`` showed the wall-clock value ``wall_ns``."""
    info = zone_info(zone)
    seconds = int(wall_ns) // NS_PER_SECOND
    wall = EPOCH + timedelta(seconds=seconds)
    found: list[int] = []
    for fold in (0, 1):
        offset = wall.replace(tzinfo=info, fold=fold).utcoffset() or timedelta(0)
        instant = int(wall_ns) - int(offset.total_seconds()) * NS_PER_SECOND
        back = datetime.fromtimestamp(instant // NS_PER_SECOND, UTC).astimezone(info).replace(tzinfo=None)
        if back == wall and instant not in found:  # a value in the skipped hour does not come back
            found.append(instant)
    return Conversion(int(wall_ns), zone, tuple(sorted(found)))


def _utc_text(ns: int) -> str:
    return _wall_text(ns) + "Z"


def time_text(ns: int | None, *, local: bool, zone: str | None) -> str | None:
    """A file-system time for a listing or report, by the rule in this module's docstring."""
    if ns is None:
        return None
    if not local:
        return _utc_text(ns)
    wall = _wall_text(ns)
    if not zone:
        return f"{wall} (local, zone unknown)"
    conversion = to_utc(ns, zone)
    if conversion.certain:
        return f"{_utc_text(conversion.utc_ns[0])} (local {wall}, {zone})"
    if conversion.utc_ns:
        both = " or ".join(_utc_text(instant) for instant in conversion.utc_ns)
        return f"{wall} (local, {zone}: shown twice by its clocks, {both})"
    return f"{wall} (local, {zone}: no such local time)"


def time_iso(ns: int | None, *, local: bool, zone: str | None) -> str | None:
    """A file-system time for machine formats: UTC with ``Z`` when certain, else local without a zone."""
    if ns is None:
        return None
    if not local:
        return _utc_text(ns)
    if zone:
        conversion = to_utc(ns, zone)
        if conversion.certain:
            return _utc_text(conversion.utc_ns[0])
    return _wall_text(ns)


def table_time(ns: int | None, *, local: bool, zone: str | None) -> str:
    """A short form for a table column headed "UTC": ``YYYY-MM-DD HH:MM:SS`` of the UTC instant, or for a
    local time that cannot be converted (zone unknown, repeated or skipped hour) its :func:`time_text`."""
    if ns is None:
        return ""
    if local:
        conversion = to_utc(ns, zone) if zone else None
        if conversion is None or not conversion.certain:
            return (time_text(ns, local=True, zone=zone) or "").replace("T", " ")
        ns = conversion.utc_ns[0]
    return _wall_text(ns).replace("T", " ")[:19]


def time_basis(*, local: bool, zone: str | None) -> str:
    """How an item's times are to be read: ``UTC``, ``local time converted from Asia/Karachi``, ..."""
    if not local:
        return "UTC"
    return f"local time, converted to UTC from {zone}" if zone else "local time, zone unknown"
