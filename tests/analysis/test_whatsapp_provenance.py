"""WhatsApp provenance from the scripted Android extraction: group, sender, forwarded, time, links.

Ground truth is the fixture's plan (scripts/fixtures/phones/build.py, facts.json), never Custos output.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from pathlib import Path

from forensics.analysis.whatsapp.android import parse_msgstore
from forensics.analysis.whatsapp.ios import parse_chatstorage
from forensics.analysis.whatsapp.link import CaseItem, link_media
from forensics.analysis.whatsapp.locate import find_whatsapp_databases
from forensics.analysis.whatsapp.records import APPLE_EPOCH_OFFSET
from forensics.evidence.extractions.extraction import open_extraction
from scripts.fixtures.phones.whatsapp_db import LEGACY_MESSAGES_DDL
from tests.phones_helpers import phones


def _read_whatsapp(name: str):
    folder, facts = phones()
    with open_extraction(folder / name) as extraction:
        members = [m for m in extraction.members() if m.readable]
        items, data = [], {}
        for index, member in enumerate(members):
            with extraction.open_member(member.link_kind, member.params) as stream:
                content = stream.read()
            data[member.device_path] = content
            items.append(
                CaseItem(
                    index, hashlib.sha256(content).hexdigest(), member.device_path, member.name, len(content)
                )
            )
        found = find_whatsapp_databases((m.device_path, m.device_path) for m in members)
    assert [db.platform for db in found] == ["android"]
    database = found[0]
    report = parse_msgstore(
        data[database.messages], None, data[database.contacts], None, database.messages_path
    )
    return facts, report, items


def test_msgstore_gives_group_sender_direction_time_and_forwarded() -> None:
    facts, report, _items = _read_whatsapp("android_ffs.zip")
    whatsapp = facts["whatsapp"]
    assert report.available and report.schema == "android-message"
    assert report.text_message_count == whatsapp["text_messages"] and report.chat_count == whatsapp["chats"]
    by_id = {message.message_id: message for message in report.media_messages}
    assert set(by_id) == {entry["key_id"] for entry in whatsapp["media"]}
    for entry in whatsapp["media"]:
        message = by_id[entry["key_id"]]
        assert message.chat_jid == whatsapp["group_jid"] and message.is_group
        assert message.chat_name == whatsapp["group_name"]
        assert message.sender_jid == entry["sender"]
        assert message.sender_name == whatsapp["contacts"].get(entry["sender"])
        assert message.direction == ("received" if entry["sender"] else "sent")
        assert message.timestamp_ns == (whatsapp["base_ms"] + entry["offset_s"] * 1000) * 1_000_000
        assert message.forwarded is entry["forwarded"]
        assert message.caption == entry["caption"]
        assert message.media_path == entry["file_path"]
        assert message.media_sha256 == (entry["sha256"] if entry["hash"] else None)
    first = by_id["3EB0A0001"]
    assert first.sender_name == "Ali Contact" and first.forwarded  # "received ... from +92..., forwarded"


def test_links_say_which_rule_matched_and_keep_the_deleted_picture_by_its_hash() -> None:
    facts, report, items = _read_whatsapp("android_ffs.zip")
    result = link_media(report.media_messages, items)
    by_item = {item.item_id: item for item in items}
    linked = {
        (link.message.message_id, by_item[link.item_id].device_path, link.rule) for link in result.links
    }
    plan = {entry["key_id"]: entry for entry in facts["whatsapp"]["media"]}
    expected_rules = {
        "A": "sha256",
        "B": "sha256",
        "C": "sha256",
        "E": "sha256",
        "F": "path",
        "G": "name+size",
    }
    expected = {
        (key_id, "/" + entry["lies_at"], expected_rules[key_id[4]])
        for key_id, entry in plan.items()
        if entry["lies_at"]
    }
    assert linked == expected
    moved = plan["3EB0C0003"]
    assert moved["lies_at"] == "data/media/0/DCIM/Saved/holiday.jpg"  # moved out of the media folder
    assert [m.message_id for m in result.unlinked] == ["3EB0D0004"]
    deleted = result.unlinked[0]
    assert deleted.media_sha256 == plan["3EB0D0004"]["sha256"] and deleted.forwarded


def test_same_provenance_from_tar_and_tree_layouts() -> None:
    reference = _read_whatsapp("android_ffs.zip")[1].media_messages
    for name in ("android_ffs.tar", "android_ffs.tar.gz", "android_tree"):
        assert _read_whatsapp(name)[1].media_messages == reference


def test_unknown_msgstore_schema_lists_files_and_says_why_provenance_is_unavailable() -> None:
    folder, facts = phones()
    with open_extraction(folder / "unknown_schema.zip") as extraction:
        members = {m.device_path: m for m in extraction.members() if m.readable}
        assert sorted(members) == facts["android"]["device_paths"]
        database = members["/data/data/com.whatsapp/databases/msgstore.db"]
        with extraction.open_member(database.link_kind, database.params) as stream:
            report = parse_msgstore(stream.read(), source="msgstore.db")
    assert not report.available
    assert report.reason.startswith("provenance unavailable: unknown msgstore.db schema (user_version 999")


def test_legacy_messages_layout() -> None:
    folder, facts = phones()
    report = parse_msgstore((folder / "legacy_msgstore.db").read_bytes(), source="legacy")
    assert report.available and report.schema == "android-messages-legacy"
    assert report.text_message_count == 1
    [message] = report.media_messages
    assert (
        message.chat_name == facts["whatsapp"]["group_name"]
        and message.sender_jid == "923001234567@s.whatsapp.net"
    )
    assert message.forwarded and message.media_sha256 == facts["whatsapp"]["media"][0]["sha256"]


def test_not_sqlite_gives_unavailable_not_an_error() -> None:
    report = parse_msgstore(b"garbage" * 50, source="msgstore.db")
    assert not report.available and "not an SQLite database" in report.reason


def test_write_ahead_log_beside_the_database_is_read() -> None:
    folder = Path(tempfile.mkdtemp())
    insert = (
        "INSERT INTO messages (key_remote_jid, key_from_me, key_id, timestamp, media_wa_type, media_hash)"
        " VALUES ('1@s.whatsapp.net', 0, ?, 1, '1', NULL)"
    )
    try:
        path = folder / "msgstore.db"
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute(LEGACY_MESSAGES_DDL)
        db.execute(insert, ("IN-DB",))
        db.commit()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute(insert, ("IN-WAL",))
        db.commit()
        db.execute("BEGIN")
        db.execute(insert, ("NOT-COMMITTED",))
        main, wal = path.read_bytes(), (folder / "msgstore.db-wal").read_bytes()
        db.rollback()
        db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert [m.message_id for m in parse_msgstore(main, source="m").media_messages] == ["IN-DB"]
    assert [m.message_id for m in parse_msgstore(main, wal, source="m").media_messages] == ["IN-DB", "IN-WAL"]


def test_ios_chatstorage_media_group_sender_hash_and_forwarded() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript("""
        CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZCONTACTJID TEXT, ZPARTNERNAME TEXT,
            ZSESSIONTYPE INTEGER);
        CREATE TABLE ZWAGROUPMEMBER (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER,
            ZMEMBERJID TEXT, ZCONTACTNAME TEXT);
        CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER,
            ZGROUPMEMBER INTEGER, ZISFROMME INTEGER,
            ZMESSAGEDATE REAL, ZMESSAGETYPE INTEGER, ZTEXT TEXT, ZFLAGS INTEGER, ZFROMJID TEXT,
            ZSTANZAID TEXT);
        CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER,
            ZMEDIALOCALPATH TEXT, ZFILESIZE INTEGER,
            ZVCARDNAME TEXT, ZVCARDSTRING TEXT, ZTITLE TEXT);
        INSERT INTO ZWACHATSESSION VALUES (1, '120363041234567890@g.us', 'Holiday Pics', 1);
        INSERT INTO ZWAGROUPMEMBER VALUES (7, 1, '923001234567@s.whatsapp.net', 'Ali Contact');
        INSERT INTO ZWAMESSAGE VALUES (1, 1, 7, 0, 794153460.0, 1, NULL, 384,
            '120363041234567890@g.us', 'ST1');
        INSERT INTO ZWAMESSAGE VALUES (2, 1, NULL, 1, 794153470.0, 0, 'hi', 0, NULL, 'ST2');
        INSERT INTO ZWAMEDIAITEM VALUES (1, 1, 'Media/120363041234567890@g.us/a/b/x.jpg', 1234,
            'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=', 'image/jpeg', 'caption');
    """)
    db.commit()
    report = parse_chatstorage(db.serialize(), source="ChatStorage.sqlite")
    assert report.available and report.text_message_count == 1 and report.chat_count == 1
    [message] = report.media_messages
    assert (message.chat_name, message.sender_jid, message.sender_name) == (
        "Holiday Pics",
        "923001234567@s.whatsapp.net",
        "Ali Contact",
    )
    assert message.is_group and message.direction == "received" and message.forwarded
    assert message.timestamp_ns == (794153460 + APPLE_EPOCH_OFFSET) * 1_000_000_000  # 2026-03-02T14:11:00Z
    assert message.media_sha256 == hashlib.sha256(b"test").hexdigest()
    assert message.mime == "image/jpeg" and message.caption == "caption" and message.size == 1234


def test_ios_chatstorage_of_unknown_schema() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE ZSOMETHING (Z_PK INTEGER PRIMARY KEY)")
    db.commit()
    report = parse_chatstorage(db.serialize())
    assert not report.available and "unknown ChatStorage schema" in report.reason
