"""Custody table of the case database: the append-only, hash-chained, signed custody log.

Case membership and examiner keys are not a separate table: they are derived from the log's own
``examiner_added`` / ``examiner_removed`` entries, so they are covered by the chain and signatures.
Migration ``0003_custody`` also installs triggers that refuse UPDATE and DELETE on this table and
refuse an INSERT that does not continue the chain (next ``seq``, ``prev_hash`` = last hash).
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class CustodyLogEntry(CaseBase):
    """One custody event. Field meanings and the hashed serialisation: ``docs/custody.md``."""

    __tablename__ = "custody_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Serialisation version of this entry (docs/custody.md); 1 today.
    format_version: Mapped[int] = mapped_column(Integer)
    ts: Mapped[str] = mapped_column(String(40))
    examiner: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    item: Mapped[str | None] = mapped_column(String(200))
    # Canonical JSON text of the file locator (or NULL) and of the details object.
    target_json: Mapped[str | None] = mapped_column(Text)
    details_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signature: Mapped[str] = mapped_column(String(128))

    __table_args__ = (
        Index("ix_custody_log_action", "action"),
        Index("ix_custody_log_item", "item"),
    )
