"""WhatsApp provenance of a case's media: the databases read, their media messages, the items they link to,
and findings from a message's stored hash alone (its file is gone).

A database that could not be read is a source row too, with ``available`` false and the reason, so
that a report can say why provenance is missing. Times are integer nanoseconds since the epoch, UTC.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class WhatsAppSource(CaseBase):
    """One WhatsApp message database found among a case's items, and what reading it gave."""

    __tablename__ = "whatsapp_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    # The message store item (msgstore.db or ChatStorage.sqlite), its write-ahead log, and wa.db.
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    wal_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"))
    contacts_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"))
    platform: Mapped[str] = mapped_column(String(20))  # android | ios
    path: Mapped[str] = mapped_column(Text)
    # The SHA-256 of the database as read (so that a re-read of another version is told apart).
    sha256: Mapped[str | None] = mapped_column(String(64))
    available: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)  # "provenance unavailable: ..." when not available
    schema: Mapped[str | None] = mapped_column(String(40))
    media_messages: Mapped[int] = mapped_column(Integer, default=0)
    text_messages: Mapped[int] = mapped_column(Integer, default=0)
    chats: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)
    notes_json: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[str] = mapped_column(String(40))
    read_by: Mapped[str | None] = mapped_column(String(200))


class WhatsAppMessage(CaseBase):
    """A media message: chat, sender, direction, time, forwarded flag, caption, stored media hash."""

    __tablename__ = "whatsapp_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("whatsapp_sources.id"), index=True)
    row_id: Mapped[int] = mapped_column(BigInteger)  # the message's row in its database
    message_id: Mapped[str | None] = mapped_column(Text)  # WhatsApp's key id / stanza id
    chat_jid: Mapped[str | None] = mapped_column(Text)
    chat_name: Mapped[str | None] = mapped_column(Text)
    is_group: Mapped[bool] = mapped_column(Boolean)
    sender_jid: Mapped[str | None] = mapped_column(Text)  # None: sent by the phone's owner
    sender_name: Mapped[str | None] = mapped_column(Text)
    direction: Mapped[str] = mapped_column(String(10))  # sent | received
    timestamp_ns: Mapped[int | None] = mapped_column(BigInteger)
    forwarded: Mapped[bool | None] = mapped_column(Boolean)
    caption: Mapped[str | None] = mapped_column(Text)
    media_path: Mapped[str | None] = mapped_column(Text)
    media_name: Mapped[str | None] = mapped_column(Text)
    media_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    mime: Mapped[str | None] = mapped_column(Text)
    message_type: Mapped[int | None] = mapped_column(Integer)


class WhatsAppLink(CaseBase):
    """A media message linked to an item of the case, and the rule that linked them."""

    __tablename__ = "whatsapp_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("whatsapp_messages.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    rule: Mapped[str] = mapped_column(String(20))  # sha256 | path | name+size
    # Linked by path or name, but the item's SHA-256 differs from the hash the message stores.
    hash_differs: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("message_id", "file_id", name="uq_whatsapp_links_message_file"),)


class MessageFinding(CaseBase):
    """A hash-set entry matched the SHA-256 a media message stores, with no item of the case holding it.

    The set and entry provenance is copied as for file findings (``forensics.case.models_findings``).
    """

    __tablename__ = "whatsapp_message_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("whatsapp_messages.id"), index=True)
    set_uid: Mapped[str] = mapped_column(String(32))
    set_name: Mapped[str] = mapped_column(String(200))
    set_version: Mapped[str | None] = mapped_column(String(200))
    set_kind: Mapped[str] = mapped_column(String(20))
    set_format: Mapped[str] = mapped_column(String(40))
    set_source_name: Mapped[str] = mapped_column(Text)
    set_source_sha256: Mapped[str] = mapped_column(String(64))
    set_region: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    entry_id: Mapped[int] = mapped_column(BigInteger)
    entry_record_no: Mapped[int | None] = mapped_column(BigInteger)
    media_id: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[int | None] = mapped_column(Integer)
    category_label: Mapped[str | None] = mapped_column(Text)
    series: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    entry_json: Mapped[str | None] = mapped_column(Text)
    algorithm: Mapped[str] = mapped_column(String(10))  # sha256: the only hash a message stores
    matched_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        UniqueConstraint("message_id", "set_uid", "entry_id", name="uq_whatsapp_message_findings_message_id"),
    )
