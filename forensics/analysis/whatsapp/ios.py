"""WhatsApp for iOS: ``ChatStorage.sqlite`` (Core Data: ``ZWAMESSAGE``, ``ZWAMEDIAITEM``,
``ZWACHATSESSION``, ``ZWAGROUPMEMBER``), read in memory from the evidence bytes.

Meanings as published by WhatsApp parsers of forensic tools: ``ZMESSAGEDATE`` Core Data seconds
(UTC, from 2001-01-01); ``ZISFROMME``; ``ZFLAGS & 0x80`` forwarded; ``ZWAMEDIAITEM.ZMEDIALOCALPATH``
the media path relative to the app group's ``Message/`` folder, ``ZVCARDNAME`` the base64 SHA-256 of
the media, ``ZVCARDSTRING`` its MIME type, ``ZTITLE`` the caption; group senders through
``ZWAMESSAGE.ZGROUPMEMBER`` -> ``ZWAGROUPMEMBER.ZMEMBERJID`` / ``ZCONTACTNAME``.  Only the tables and
columns present are read; a database without ``ZWAMESSAGE``/``ZWACHATSESSION`` gives
``available = False`` with the reason.
"""

from __future__ import annotations

import sqlite3

from forensics.analysis.whatsapp.records import (
    MediaMessage,
    WhatsAppReport,
    apple_seconds_to_ns,
    sha256_hex_from_base64,
    unavailable,
)
from forensics.analysis.whatsapp.schema import column_or_null, missing, table_columns, user_version
from forensics.core.sqlite_memory import NotSqlite, open_sqlite_bytes

REQUIRED = {
    "zwamessage": ("z_pk", "zchatsession", "zisfromme", "zmessagedate"),
    "zwachatsession": ("z_pk", "zcontactjid"),
}
FORWARDED_FLAG = 0x80


def parse_chatstorage(
    data: bytes, wal: bytes | None = None, source: str = "ChatStorage.sqlite"
) -> WhatsAppReport:
    """Media messages and counts of an iOS ``ChatStorage.sqlite`` (bytes; ``wal`` its ``-wal`` if any)."""
    try:
        connection = open_sqlite_bytes(data, wal, source)
    except NotSqlite as exc:
        return unavailable("ios", source, str(exc))
    with connection:
        columns = table_columns(connection)
        gaps = missing(columns, REQUIRED)
        if gaps:
            version = user_version(connection)
            return unavailable(
                "ios", source, f"unknown ChatStorage schema (user_version {version}; lacks {', '.join(gaps)})"
            )
        report = WhatsAppReport("ios", source, True, schema="ios-chatstorage")
        try:
            _read(connection, columns, report)
        except sqlite3.DatabaseError as exc:
            return unavailable("ios", source, f"ChatStorage.sqlite could not be read ({exc})")
    return report


def _read(connection: sqlite3.Connection, columns: dict[str, set[str]], report: WhatsAppReport) -> None:
    m = lambda name: column_or_null(columns, "zwamessage", "m", name)  # noqa: E731
    s = lambda name: column_or_null(columns, "zwachatsession", "s", name)  # noqa: E731
    has_media = "zmessage" in columns.get("zwamediaitem", set())
    has_members = {"z_pk", "zmemberjid"} <= columns.get("zwagroupmember", set())
    media = lambda name: column_or_null(columns, "zwamediaitem", "i", name) if has_media else "NULL"  # noqa: E731
    member = lambda name: column_or_null(columns, "zwagroupmember", "g", name) if has_members else "NULL"  # noqa: E731
    joins = "LEFT JOIN ZWAMEDIAITEM i ON i.ZMESSAGE = m.Z_PK" if has_media else ""
    if has_members and "zgroupmember" in columns["zwamessage"]:
        joins += " LEFT JOIN ZWAGROUPMEMBER g ON g.Z_PK = m.ZGROUPMEMBER"
    else:
        member = lambda name: "NULL"  # noqa: E731
    query = f"""
        SELECT m.Z_PK, {m("zstanzaid")}, m.ZISFROMME, m.ZMESSAGEDATE, {m("zmessagetype")}, {m("ztext")},
               {m("zflags")}, {m("zfromjid")}, s.ZCONTACTJID, {s("zpartnername")}, {s("zsessiontype")},
               {media("z_pk")}, {media("zmedialocalpath")}, {media("zfilesize")}, {media("zvcardname")},
               {media("zvcardstring")}, {media("ztitle")}, {member("zmemberjid")}, {member("zcontactname")}
        FROM ZWAMESSAGE m LEFT JOIN ZWACHATSESSION s ON s.Z_PK = m.ZCHATSESSION {joins}
        ORDER BY m.Z_PK"""
    for row in connection.execute(query):
        (
            row_id,
            stanza,
            from_me,
            date,
            message_type,
            text,
            flags,
            from_jid,
            chat_jid,
            partner,
            session_type,
            media_pk,
            local_path,
            file_size,
            vcard_name,
            vcard_string,
            title,
            member_jid,
            member_name,
        ) = row
        if media_pk is None:
            if text:
                report.text_message_count += 1
            continue
        is_group = bool(chat_jid and str(chat_jid).endswith("@g.us")) or session_type == 1
        direction = "sent" if from_me in (1, True) else "received"
        if direction == "sent":
            sender, sender_name = None, None
        elif is_group:
            sender, sender_name = member_jid or from_jid, member_name
        else:
            sender, sender_name = from_jid or chat_jid, partner
        mime = (
            vcard_string
            if isinstance(vcard_string, str) and "/" in vcard_string and "\n" not in vcard_string
            else None
        )
        report.media_messages.append(
            MediaMessage(
                platform="ios",
                row_id=int(row_id),
                message_id=stanza,
                chat_jid=chat_jid,
                chat_name=partner,
                is_group=is_group,
                sender_jid=sender,
                sender_name=sender_name,
                direction=direction,
                timestamp_ns=apple_seconds_to_ns(date),
                forwarded=bool(flags & FORWARDED_FLAG) if isinstance(flags, int) else None,
                caption=title,
                media_path=local_path,
                media_name=str(local_path).rsplit("/", 1)[-1] if local_path else None,
                media_sha256=sha256_hex_from_base64(vcard_name),
                size=file_size if isinstance(file_size, int) else None,
                mime=mime,
                message_type=message_type if isinstance(message_type, int) else None,
            )
        )
    report.chat_count = int(connection.execute("SELECT count(*) FROM ZWACHATSESSION").fetchone()[0])
