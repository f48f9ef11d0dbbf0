"""Plain records of WhatsApp message databases: media messages with their provenance, and the report."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field


@dataclass
class MediaMessage:
    """One message that carried a media file, with everything that says how it reached the phone.

    ``direction`` is ``sent`` or ``received``; ``sender_jid`` is None for the phone owner's own
    messages.  ``timestamp_ns`` is UTC.  ``media_path`` is the path as the database stores it
    (relative to the app's media folder on both platforms); ``media_sha256`` is the lower-case hex of
    the stored content hash (the database keeps it base64), so a hash-list hit on it can be shown even
    when the file itself is gone.
    """

    platform: str  # android / ios
    row_id: int
    message_id: str | None
    chat_jid: str | None
    chat_name: str | None
    is_group: bool
    sender_jid: str | None
    sender_name: str | None
    direction: str
    timestamp_ns: int | None
    forwarded: bool | None
    caption: str | None
    media_path: str | None
    media_name: str | None
    media_sha256: str | None
    size: int | None
    mime: str | None
    message_type: int | None = None


@dataclass
class WhatsAppReport:
    """What one database gave: media messages and counts, or why provenance is unavailable."""

    platform: str
    source: str  # the database's path or name, for messages to the examiner
    available: bool
    reason: str | None = None  # set when ``available`` is False: "provenance unavailable: <reason>"
    schema: str | None = None  # android-message, android-messages-legacy, ios-chatstorage
    media_messages: list[MediaMessage] = field(default_factory=list)
    text_message_count: int = 0
    chat_count: int = 0
    contact_count: int = 0
    notes: list[str] = field(default_factory=list)


def unavailable(platform: str, source: str, reason: str) -> WhatsAppReport:
    """A report that says provenance cannot be read from this database, and why."""
    return WhatsAppReport(platform, source, False, f"provenance unavailable: {reason}")


def sha256_hex_from_base64(value: object) -> str | None:
    """The hex form of a stored base64 SHA-256, or None when the value is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


def ms_to_ns(value: object) -> int | None:
    """Milliseconds since the epoch (Android) as nanoseconds; None for missing or zero."""
    if isinstance(value, (int, float)) and value > 0:
        return int(value) * 1_000_000
    return None


APPLE_EPOCH_OFFSET = 978_307_200  # seconds from 1970-01-01 to 2001-01-01 (Core Data dates)


def apple_seconds_to_ns(value: object) -> int | None:
    """Core Data seconds since 2001-01-01 UTC (iOS) as nanoseconds since the Unix epoch."""
    if isinstance(value, (int, float)) and value > 0:
        return round((value + APPLE_EPOCH_OFFSET) * 1_000_000_000)
    return None
