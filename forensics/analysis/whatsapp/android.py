"""WhatsApp for Android: ``msgstore.db`` (current ``message``/``chat``/``jid``/``message_media`` layout
and the older ``messages`` layout) and ``wa.db`` contacts, read in memory from the evidence bytes.

Column meanings follow WhatsApp's own table definitions and the published analyses of them
(``message.from_me``, ``timestamp`` in ms UTC, ``origination_flags & 1`` = forwarded, also a row in
``message_forwarded``; ``message_media.file_hash`` = base64 SHA-256 of the media; the legacy
``messages.media_hash``, ``forwarded``, ``remote_resource`` = group sender).  A database whose tables do
not carry the columns read here gives a report with ``available = False`` and the reason, never an error.
"""

from __future__ import annotations

import sqlite3

from forensics.analysis.whatsapp.records import (
    MediaMessage,
    WhatsAppReport,
    ms_to_ns,
    sha256_hex_from_base64,
    unavailable,
)
from forensics.analysis.whatsapp.schema import column_or_null, missing, table_columns, user_version
from forensics.core.sqlite_memory import NotSqlite, open_sqlite_bytes

CURRENT_REQUIRED = {
    "message": ("_id", "chat_row_id", "from_me", "timestamp"),
    "chat": ("_id", "jid_row_id"),
    "jid": ("_id", "raw_string"),
    "message_media": ("message_row_id",),
}
LEGACY_REQUIRED = {"messages": ("_id", "key_remote_jid", "key_from_me", "timestamp")}
MEDIA_COLUMNS = (
    "file_path",
    "file_size",
    "file_length",
    "mime_type",
    "media_name",
    "file_hash",
    "media_caption",
)
LEGACY_COLUMNS = (
    "key_id",
    "media_wa_type",
    "data",
    "forwarded",
    "remote_resource",
    "media_name",
    "media_size",
    "media_mime_type",
    "media_hash",
    "media_caption",
)
LEGACY_MEDIA_TYPES = {"1", "2", "3", "9", "13", "20"}  # image, audio, video, document, gif, sticker


def read_contacts(wa_db: bytes | None, wal: bytes | None = None, where: str = "wa.db") -> dict[str, str]:
    """JID -> contact name from ``wa.db`` (``display_name``, else ``wa_name``); empty when unreadable."""
    if not wa_db:
        return {}
    try:
        connection = open_sqlite_bytes(wa_db, wal, where)
    except NotSqlite:
        return {}
    with connection:
        columns = table_columns(connection)
        if missing(columns, {"wa_contacts": ("jid",)}):
            return {}
        display = column_or_null(columns, "wa_contacts", "c", "display_name")
        wa_name = column_or_null(columns, "wa_contacts", "c", "wa_name")
        rows = connection.execute(f"SELECT c.jid, {display}, {wa_name} FROM wa_contacts c")
        return {str(jid): str(name or other) for jid, name, other in rows if jid and (name or other)}


def _direction(from_me: object) -> str:
    return "sent" if from_me in (1, "1", True) else "received"


def _current(
    connection: sqlite3.Connection,
    columns: dict[str, set[str]],
    contacts: dict[str, str],
    report: WhatsAppReport,
) -> None:
    col = lambda table, alias, name: column_or_null(columns, table, alias, name)  # noqa: E731
    forwarded_join = (
        "LEFT JOIN message_forwarded mf ON mf.message_row_id = m._id"
        if "message_forwarded" in columns
        else ""
    )
    forwarded_score = (
        "mf.forward_score" if forwarded_join and "forward_score" in columns["message_forwarded"] else "NULL"
    )
    forwarded_row = "mf.message_row_id" if forwarded_join else "NULL"
    fields = [
        "m._id",
        col("message", "m", "key_id"),
        "m.from_me",
        "m.timestamp",
        col("message", "m", "message_type"),
        col("message", "m", "text_data"),
        col("message", "m", "origination_flags"),
        forwarded_row,
        forwarded_score,
        "cj.raw_string",
        col("chat", "c", "subject"),
        "sj.raw_string",
        "mm.message_row_id",
        *(col("message_media", "mm", name) for name in MEDIA_COLUMNS),
    ]
    query = f"""
        SELECT {", ".join(fields)}
        FROM message m
        LEFT JOIN chat c ON c._id = m.chat_row_id
        LEFT JOIN jid cj ON cj._id = c.jid_row_id
        LEFT JOIN jid sj ON sj._id = {col("message", "m", "sender_jid_row_id")}
        LEFT JOIN message_media mm ON mm.message_row_id = m._id
        {forwarded_join}
        ORDER BY m._id"""
    for row in connection.execute(query):
        (
            row_id,
            key_id,
            from_me,
            timestamp,
            message_type,
            text,
            flags,
            fwd_row,
            fwd_score,
            chat_jid,
            subject,
            sender_jid,
            media_row,
            file_path,
            file_size,
            file_length,
            mime,
            media_name,
            file_hash,
            caption,
        ) = row
        if media_row is None:
            if text:
                report.text_message_count += 1
            continue
        is_group = bool(chat_jid and str(chat_jid).endswith("@g.us"))
        direction = _direction(from_me)
        sender = None if direction == "sent" else (sender_jid if is_group and sender_jid else chat_jid)
        forwarded = bool(isinstance(flags, int) and flags & 1) or fwd_row is not None
        size = file_size if isinstance(file_size, int) and file_size > 0 else file_length
        report.media_messages.append(
            MediaMessage(
                platform="android",
                row_id=int(row_id),
                message_id=key_id,
                chat_jid=chat_jid,
                chat_name=subject if is_group else contacts.get(str(chat_jid), subject),
                is_group=is_group,
                sender_jid=sender,
                sender_name=contacts.get(str(sender)) if sender else None,
                direction=direction,
                timestamp_ns=ms_to_ns(timestamp),
                forwarded=forwarded,
                caption=caption or (text if text else None),
                media_path=file_path,
                media_name=media_name or (str(file_path).rsplit("/", 1)[-1] if file_path else None),
                media_sha256=sha256_hex_from_base64(file_hash),
                size=size if isinstance(size, int) else None,
                mime=mime,
                message_type=message_type if isinstance(message_type, int) else None,
            )
        )
    report.chat_count = int(connection.execute("SELECT count(*) FROM chat").fetchone()[0])


def _legacy(
    connection: sqlite3.Connection,
    columns: dict[str, set[str]],
    contacts: dict[str, str],
    report: WhatsAppReport,
) -> None:
    col = lambda name: column_or_null(columns, "messages", "m", name)  # noqa: E731
    subjects: dict[str, str] = {}
    if "subject" in columns.get("chat_list", set()) and "key_remote_jid" in columns.get("chat_list", set()):
        subjects = {
            str(j): str(s)
            for j, s in connection.execute("SELECT key_remote_jid, subject FROM chat_list")
            if s
        }
        report.chat_count = int(connection.execute("SELECT count(*) FROM chat_list").fetchone()[0])
    legacy = ", ".join(col(name) for name in LEGACY_COLUMNS)
    query = f"""
        SELECT m._id, m.key_remote_jid, m.key_from_me, m.timestamp, {legacy}
        FROM messages m ORDER BY m._id"""
    for row in connection.execute(query):
        (
            row_id,
            chat_jid,
            from_me,
            timestamp,
            key_id,
            wa_type,
            data,
            forwarded,
            remote,
            media_name,
            media_size,
            mime,
            media_hash,
            caption,
        ) = row
        if str(wa_type) not in LEGACY_MEDIA_TYPES and not media_hash:
            if data and str(wa_type) in ("0", "None"):
                report.text_message_count += 1
            continue
        is_group = bool(chat_jid and str(chat_jid).endswith("@g.us"))
        direction = _direction(from_me)
        sender = None if direction == "sent" else (remote if is_group and remote else chat_jid)
        report.media_messages.append(
            MediaMessage(
                platform="android",
                row_id=int(row_id),
                message_id=key_id,
                chat_jid=chat_jid,
                chat_name=subjects.get(str(chat_jid)) if is_group else contacts.get(str(chat_jid)),
                is_group=is_group,
                sender_jid=sender,
                sender_name=contacts.get(str(sender)) if sender else None,
                direction=direction,
                timestamp_ns=ms_to_ns(timestamp),
                forwarded=bool(forwarded) if forwarded is not None else None,
                caption=caption,
                media_path=None,
                media_name=media_name,
                media_sha256=sha256_hex_from_base64(media_hash),
                size=media_size if isinstance(media_size, int) else None,
                mime=mime,
                message_type=int(wa_type) if str(wa_type).isdigit() else None,
            )
        )


def parse_msgstore(
    msgstore: bytes,
    wal: bytes | None = None,
    wa_db: bytes | None = None,
    wa_wal: bytes | None = None,
    source: str = "msgstore.db",
) -> WhatsAppReport:
    """Media messages and counts of an Android ``msgstore.db`` (bytes; ``wal`` its ``-wal`` if any).

    Never raises for bad input: an unreadable or unknown database gives ``available = False``.
    """
    try:
        connection = open_sqlite_bytes(msgstore, wal, source)
    except NotSqlite as exc:
        return unavailable("android", source, str(exc))
    contacts = read_contacts(wa_db, wa_wal)
    with connection:
        columns = table_columns(connection)
        version = user_version(connection)
        report = WhatsAppReport("android", source, True, contact_count=len(contacts))
        try:
            if not missing(columns, CURRENT_REQUIRED):
                report.schema = "android-message"
                _current(connection, columns, contacts, report)
            elif not missing(columns, LEGACY_REQUIRED):
                report.schema = "android-messages-legacy"
                _legacy(connection, columns, contacts, report)
            else:
                gaps = ", ".join(missing(columns, CURRENT_REQUIRED)[:6])
                return unavailable(
                    "android", source, f"unknown msgstore.db schema (user_version {version}; lacks {gaps})"
                )
        except sqlite3.DatabaseError as exc:
            return unavailable("android", source, f"msgstore.db could not be read ({exc})")
    return report
