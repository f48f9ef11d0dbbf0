"""UTC time helpers: audit times as ISO-8601 text, file-system times as integer nanoseconds."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def utc_now_iso() -> str:
    """Now in UTC, ISO-8601 with microseconds and a Z suffix (``CUSTOS_FIXED_NOW`` overrides)."""
    fixed = os.environ.get("CUSTOS_FIXED_NOW")
    if fixed:
        return fixed
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ns_to_iso(ns: int | None) -> str | None:
    """Nanoseconds since the epoch (UTC) as ISO-8601 with the sub-second part kept (no rounding)."""
    if ns is None:
        return None
    seconds, frac = divmod(int(ns), 1_000_000_000)
    base = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        return f"{base}.{frac:09d}".rstrip("0") + "Z"
    return base + "Z"


def parse_iso_utc(text: str) -> str:
    """Normalise an examiner-given date-time to ISO-8601 UTC; a naive time is taken as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
