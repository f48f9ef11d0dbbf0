"""WhatsApp provenance as the front ends, findings and reports show it: the messages an item was sent or
received in, the chats of the case, the databases read, and message-only findings.

A provenance record is a plain dict: chat (JID, name, group or not), sender (JID and contact name;
None for the phone owner's own messages), direction, UTC time, forwarded, caption, WhatsApp's message
id, the rule that linked the message to the item, the database it comes from and its evidence item.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from forensics.case.db import CaseDatabase
from forensics.case.queries.cursor import raw_cursor
from forensics.core.sqldialect import execute, table_exists_sql
from forensics.core.timeutil import ns_to_iso

_MESSAGE_COLUMNS = (
    "m.id, m.message_id, m.chat_jid, m.chat_name, m.is_group, m.sender_jid, m.sender_name, m.direction, "
    "m.timestamp_ns, m.forwarded, m.caption, m.media_path, m.media_sha256, m.size, m.mime, "
    "s.path, s.platform, e.item"
)
_MESSAGE_JOINS = "JOIN whatsapp_sources s ON s.id = m.source_id JOIN evidence e ON e.id = s.evidence_id"
_CHUNK = 500


def _rows(source: Any, sql: str, params: Iterable[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of ``sql`` (``?`` parameters) on a case database or an open session."""
    if hasattr(source, "engine"):  # a CaseDatabase
        with raw_cursor(source) as cur:
            cur.execute(sql, tuple(params))
            return [d[0] for d in cur.description or ()], cur.fetchall()
    result = execute(source.connection(), sql, tuple(params))  # a Session (reports)
    return list(result.keys()), [tuple(row) for row in result.fetchall()]


def _record(
    row: tuple[Any, ...], rule: str | None = None, hash_differs: bool | None = None
) -> dict[str, Any]:
    (
        message_row,
        message_id,
        chat_jid,
        chat_name,
        is_group,
        sender_jid,
        sender_name,
        direction,
        timestamp_ns,
        forwarded,
        caption,
        media_path,
        media_sha256,
        size,
        mime,
        database,
        platform,
        item,
    ) = row
    record = {
        "case_message_id": message_row,
        "message_id": message_id,
        "chat_jid": chat_jid,
        "chat_name": chat_name,
        "group": bool(is_group),
        "group_name": chat_name if is_group else None,
        "sender_jid": sender_jid,
        "sender_name": sender_name,
        "direction": direction,
        "time": ns_to_iso(timestamp_ns),
        "forwarded": None if forwarded is None else bool(forwarded),
        "caption": caption,
        "media_path": media_path,
        "stored_sha256": media_sha256,
        "size": size,
        "mime": mime,
        "database": database,
        "platform": platform,
        "item": item,
    }
    if rule is not None:
        record["link_rule"] = rule
        record["hash_differs"] = bool(hash_differs)
    return record


def has_provenance_tables(db: Any) -> bool:
    """Whether the case's schema has the WhatsApp tables (a case database or an open session)."""
    bind = db.engine if hasattr(db, "engine") else db.get_bind()
    _names, rows = _rows(db, table_exists_sql(bind), ("whatsapp_links",))
    return bool(rows)


def provenance_of(db: Any, file_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """file id -> the media messages it was sent or received in (oldest first), for the given files.

    ``db``: a case database or an open session."""
    ids = sorted(set(file_ids))
    found: dict[int, list[dict[str, Any]]] = {}
    if not ids or not has_provenance_tables(db):
        return found
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        _names, rows = _rows(
            db,
            f"SELECT l.file_id, l.rule, l.hash_differs, {_MESSAGE_COLUMNS} FROM whatsapp_links l "
            f"JOIN whatsapp_messages m ON m.id = l.message_id {_MESSAGE_JOINS} "
            f"WHERE l.file_id IN ({','.join('?' * len(chunk))}) ORDER BY l.file_id, m.timestamp_ns, m.id",
            chunk,
        )
        for file_id, rule, differs, *row in rows:
            found.setdefault(file_id, []).append(_record(tuple(row), rule, differs))
    return found


def provenance_text(record: dict[str, Any]) -> str:
    """One line for a report or a list: ``received 2026-03-02 14:11 UTC in group 'X' from +92... (Ali),
    forwarded``."""
    when = (record.get("time") or "")[:16].replace("T", " ")
    parts = [record.get("direction") or "?"]
    if when:
        parts.append(f"{when} UTC")
    if record.get("group"):
        parts.append(f"in group '{record.get('group_name') or record.get('chat_jid')}'")
    else:
        parts.append(f"in chat with {_who(record.get('chat_jid'), record.get('chat_name'))}")
    if record.get("direction") == "received" and record.get("sender_jid"):
        parts.append(f"from {_who(record.get('sender_jid'), record.get('sender_name'))}")
    text = " ".join(parts)
    if record.get("forwarded"):
        text += ", forwarded"
    if record.get("caption"):
        text += f", caption '{record['caption']}'"
    return text


def _who(jid: str | None, name: str | None) -> str:
    number = (jid or "?").split("@", 1)[0]
    shown = f"+{number}" if number.isdigit() else number
    return f"{shown} ({name})" if name else shown


def chats(db: CaseDatabase) -> list[dict[str, Any]]:
    """Every chat with media messages: JID, name, group flag, messages, files linked, evidence item."""
    if not has_provenance_tables(db):
        return []
    with raw_cursor(db) as cur:
        cur.execute(
            "SELECT m.chat_jid, max(m.chat_name), max(m.is_group), count(DISTINCT m.id), "
            "count(DISTINCT l.file_id), e.item FROM whatsapp_messages m "
            "JOIN whatsapp_sources s ON s.id = m.source_id JOIN evidence e ON e.id = s.evidence_id "
            "LEFT JOIN whatsapp_links l ON l.message_id = m.id "
            "GROUP BY e.item, m.chat_jid ORDER BY e.item, max(m.chat_name), m.chat_jid"
        )
        return [
            {
                "chat_jid": jid,
                "chat_name": name,
                "group": bool(group),
                "messages": n,
                "files": f,
                "item": item,
            }
            for jid, name, group, n, f, item in cur.fetchall()
        ]


def chat_label(chat_jid: str | None, chat_name: str | None, is_group: bool) -> str:
    """How a chat is named in the gallery's groups and lists."""
    if is_group:
        return f"group '{chat_name or chat_jid}'"
    return f"chat with {_who(chat_jid, chat_name)}"


def sources(db: Any) -> list[dict[str, Any]]:
    """Every WhatsApp database read, with what it gave or why provenance is unavailable."""
    if not has_provenance_tables(db):
        return []
    names, rows = _rows(
        db,
        "SELECT s.id, e.item, s.file_id, s.platform, s.path, s.sha256, s.available, s.reason, s.schema, "
        "s.media_messages, s.text_messages, s.chats, s.contacts, s.notes_json, s.read_at "
        "FROM whatsapp_sources s JOIN evidence e ON e.id = s.evidence_id ORDER BY e.item, s.path, s.id",
    )
    out = []
    for row in rows:
        record = dict(zip(names, row, strict=True))
        record["available"] = bool(record["available"])
        record["notes"] = json.loads(record.pop("notes_json") or "[]")
        out.append(record)
    return out


def message_findings(db: Any) -> list[dict[str, Any]]:
    """Every finding from a message's stored hash alone, with the message (its file is in no item)."""
    if not has_provenance_tables(db):
        return []
    names, rows = _rows(
        db,
        f"SELECT f.*, {_MESSAGE_COLUMNS} FROM whatsapp_message_findings f "
        f"JOIN whatsapp_messages m ON m.id = f.message_id {_MESSAGE_JOINS} "
        "ORDER BY e.item, s.path, m.timestamp_ns, m.id, f.set_name, f.set_uid, f.entry_id, f.id",
    )
    width = len(_MESSAGE_COLUMNS.split(","))
    out = []
    for row in rows:
        finding = dict(zip(names[:-width], row[:-width], strict=True))
        finding["message"] = _record(tuple(row[-width:]))
        out.append(finding)
    return out


def messages_of_chat(db: Any, chat_jid: str) -> list[int]:
    """Ids of the items linked to the media messages of one chat (a chat's media, for the gallery)."""
    if not has_provenance_tables(db):
        return []
    _names, rows = _rows(
        db,
        "SELECT DISTINCT l.file_id FROM whatsapp_links l JOIN whatsapp_messages m ON m.id = l.message_id "
        "WHERE m.chat_jid = ? ORDER BY l.file_id",
        (chat_jid,),
    )
    return [row[0] for row in rows]
