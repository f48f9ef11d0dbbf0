"""WhatsApp provenance of a case's media: read the message databases of an evidence item from the evidence,
store their media messages, and link every media message to the items of the WHOLE case that hold its file.

The databases are found among the item's stored items by their paths (``find_whatsapp_databases``),
read through their locators into memory (never a copy on disk) and parsed in memory. A database that
cannot be read is recorded with ``available`` false and the reason. Messages are kept per database by
their row id, so that reading a database again updates them and findings that point at them stay.
Linking is redone for the whole case each time (an item added later may hold a message's file): by the
stored SHA-256 first, then by path, then by name and size (``forensics.analysis.whatsapp.link``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from sqlalchemy import delete, select, text

from forensics.analysis.whatsapp.android import parse_msgstore
from forensics.analysis.whatsapp.ios import parse_chatstorage
from forensics.analysis.whatsapp.link import CaseItem, link_media
from forensics.analysis.whatsapp.locate import WhatsAppDatabases, find_whatsapp_databases
from forensics.analysis.whatsapp.records import MediaMessage, WhatsAppReport, unavailable
from forensics.case.db import CaseDatabase
from forensics.case.locators import file_locators
from forensics.case.models import Evidence
from forensics.case.models_whatsapp import WhatsAppLink, WhatsAppMessage, WhatsAppSource
from forensics.core.errors import CaseError, CustosError
from forensics.core.sqlite_memory import MAX_DATABASE_BYTES
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.extractions.access import EXTRACTION_CONTAINER, ExtractionAccess
from forensics.evidence.source import EvidenceSource

DATABASE_NAMES = (
    "msgstore.db",
    "msgstore.db-wal",
    "wa.db",
    "wa.db-wal",
    "chatstorage.sqlite",
    "chatstorage.sqlite-wal",
)
MESSAGE_FIELDS = tuple(f.name for f in fields(MediaMessage) if f.name not in ("platform", "row_id"))
LINK_PAGE = 5000  # case items read per page while linking


@dataclass
class SourceOutcome:
    """What one database gave (for the custody entry and the front ends)."""

    file_id: int
    path: str
    platform: str
    available: bool
    reason: str | None
    schema: str | None
    sha256: str | None
    media_messages: int
    text_messages: int
    chats: int
    contacts: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class ProvenanceOutcome:
    """The databases read for one evidence item, and the links of the whole case after relinking."""

    sources: list[SourceOutcome] = field(default_factory=list)
    messages: int = 0  # media messages of the whole case
    linked_messages: int = 0
    unlinked_messages: int = 0
    links_by_rule: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "databases": [s.as_dict() for s in self.sources],
            "media_messages": self.messages,
            "linked_messages": self.linked_messages,
            "unlinked_messages": self.unlinked_messages,
            "links_by_rule": dict(sorted(self.links_by_rule.items())),
        }


def _candidates(db: CaseDatabase, evidence_id: int) -> list[tuple[str, int]]:
    """(path, file id) of the item's items named like a WhatsApp database, with content read."""
    names = ", ".join(f"'{name}'" for name in DATABASE_NAMES)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT path, id FROM files WHERE evidence_id = :e AND lower(name) IN ({names}) "
                "AND status = 'done' ORDER BY id"
            ),
            {"e": evidence_id},
        ).all()
    return [(path, file_id) for path, file_id in rows]


def _read(source: EvidenceSource, locator, limit: int) -> bytes:  # noqa: ANN001 - a FileLocator
    data = source.read_all(locator, limit + 1)
    if len(data) > limit:
        raise CustosError(f"{locator.path}: larger than {limit} bytes, not loaded")
    return data


def _parse(
    source: EvidenceSource, db: CaseDatabase, found: WhatsAppDatabases[int]
) -> tuple[WhatsAppReport, str | None]:
    """Read the database (and its WAL, and wa.db) from the evidence into memory, and parse it."""
    ids = [
        i for i in (found.messages, found.messages_wal, found.contacts, found.contacts_wal) if i is not None
    ]
    locators = {file_id: locator for file_id, (_item, locator) in file_locators(db, ids).items()}
    try:
        data = _read(source, locators[found.messages], MAX_DATABASE_BYTES)
        wal = _read(source, locators[found.messages_wal], MAX_DATABASE_BYTES) if found.messages_wal else None
        extra = {}
        if found.platform == "android":
            if found.contacts is not None:
                extra["wa_db"] = _read(source, locators[found.contacts], MAX_DATABASE_BYTES)
            if found.contacts_wal is not None:
                extra["wa_wal"] = _read(source, locators[found.contacts_wal], MAX_DATABASE_BYTES)
    except CustosError as exc:
        return unavailable(found.platform, found.messages_path, f"database could not be read ({exc})"), None
    digest = hashlib.sha256(data).hexdigest()
    if found.platform == "android":
        return parse_msgstore(data, wal, source=found.messages_path, **extra), digest
    return parse_chatstorage(data, wal, source=found.messages_path), digest


def read_databases(
    db: CaseDatabase, evidence_id: int, extraction: ExtractionAccess | None, examiner: str | None
) -> list[SourceOutcome]:
    """Find, read and store the WhatsApp databases of one evidence item (messages updated in place)."""
    with db.session() as s:
        evidence = s.get(Evidence, evidence_id)
        if evidence is None:
            raise CaseError(f"no evidence item with id {evidence_id} in this case")
        path = evidence.path
        if evidence.container == EXTRACTION_CONTAINER and extraction is None:
            extraction = ExtractionAccess()
    found = find_whatsapp_databases(_candidates(db, evidence_id))
    outcomes: list[SourceOutcome] = []
    if not found:
        return outcomes
    with EvidenceSource(path, extraction=extraction) as source:
        for database in found:
            report, digest = _parse(source, db, database)
            outcomes.append(_store(db, evidence_id, database, report, digest, examiner))
    return outcomes


def _store(
    db: CaseDatabase,
    evidence_id: int,
    found: WhatsAppDatabases[int],
    report: WhatsAppReport,
    digest: str | None,
    examiner: str | None,
) -> SourceOutcome:
    with db.session() as s:
        row = s.scalar(select(WhatsAppSource).where(WhatsAppSource.file_id == found.messages))
        if row is None:
            row = WhatsAppSource(evidence_id=evidence_id, file_id=found.messages)
            s.add(row)
        row.wal_file_id = found.messages_wal
        row.contacts_file_id = found.contacts
        row.platform = found.platform
        row.path = found.messages_path
        row.sha256 = digest
        row.available = report.available
        row.reason = report.reason
        row.schema = report.schema
        row.media_messages = len(report.media_messages)
        row.text_messages = report.text_message_count
        row.chats = report.chat_count
        row.contacts = report.contact_count
        row.notes_json = json.dumps(report.notes) if report.notes else None
        row.read_at = utc_now_iso()
        row.read_by = examiner
        s.flush()
        existing = {
            m.row_id: m for m in s.scalars(select(WhatsAppMessage).where(WhatsAppMessage.source_id == row.id))
        }
        for message in report.media_messages:
            stored = existing.pop(message.row_id, None)
            if stored is None:
                stored = WhatsAppMessage(source_id=row.id, row_id=message.row_id)
                s.add(stored)
            for name in MESSAGE_FIELDS:
                setattr(stored, name, getattr(message, name))
        gone = [m.id for m in existing.values() if not _has_findings(s, m.id)]
        if gone:  # messages no longer in the database (a message with a finding is kept, as evidence was)
            s.execute(delete(WhatsAppLink).where(WhatsAppLink.message_id.in_(gone)))
            s.execute(delete(WhatsAppMessage).where(WhatsAppMessage.id.in_(gone)))
        return SourceOutcome(
            found.messages,
            found.messages_path,
            found.platform,
            report.available,
            report.reason,
            report.schema,
            digest,
            len(report.media_messages),
            report.text_message_count,
            report.chat_count,
            report.contact_count,
        )


def _has_findings(s, message_id: int) -> bool:  # noqa: ANN001 - a Session
    return bool(
        s.execute(
            text("SELECT 1 FROM whatsapp_message_findings WHERE message_id = :m LIMIT 1"), {"m": message_id}
        ).first()
    )


def _messages(db: CaseDatabase) -> tuple[list[MediaMessage], dict[int, int]]:
    """Every stored media message as a record for linking, and record identity -> message id."""
    records, ids = [], {}
    with db.session() as s:
        for row in s.scalars(select(WhatsAppMessage).order_by(WhatsAppMessage.id)):
            record = MediaMessage(
                platform="", row_id=row.row_id, **{n: getattr(row, n) for n in MESSAGE_FIELDS}
            )
            records.append(record)
            ids[id(record)] = row.id
    return records, ids


def _case_items(db: CaseDatabase) -> Iterator[CaseItem]:
    """Every item of the case that may hold a file (all evidence items), page by page."""
    last = 0
    while True:
        with db.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, sha256, path, name, size FROM files WHERE id > :last AND kind = 'file' "
                    "ORDER BY id LIMIT :page"
                ),
                {"last": last, "page": LINK_PAGE},
            ).all()
        if not rows:
            return
        last = rows[-1][0]
        for file_id, sha256, path, name, size in rows:
            yield CaseItem(file_id, sha256, path, name, size)


def relink_case(db: CaseDatabase, outcome: ProvenanceOutcome) -> None:
    """Link every media message of the case to the items holding its file (links replaced)."""
    messages, ids = _messages(db)
    if not messages:  # nothing to link: the case's items are not read at all
        with db.session() as s:
            s.execute(delete(WhatsAppLink))
        return
    result = link_media(messages, _case_items(db))
    with db.session() as s:
        s.execute(delete(WhatsAppLink))
        seen: set[tuple[int, int]] = set()
        for link in result.links:
            key = (ids[id(link.message)], int(link.item_id))
            if key in seen:
                continue
            seen.add(key)
            s.add(
                WhatsAppLink(
                    message_id=key[0], file_id=key[1], rule=link.rule, hash_differs=link.hash_differs
                )
            )
            outcome.links_by_rule[link.rule] = outcome.links_by_rule.get(link.rule, 0) + 1
    outcome.messages = len(messages)
    outcome.unlinked_messages = len(result.unlinked)
    outcome.linked_messages = len(messages) - len(result.unlinked)


def read_whatsapp(
    db: CaseDatabase,
    evidence_id: int,
    extraction: ExtractionAccess | None = None,
    examiner: str | None = None,
) -> ProvenanceOutcome:
    """Read the evidence item's WhatsApp databases, then relink the whole case's media messages."""
    outcome = ProvenanceOutcome(sources=read_databases(db, evidence_id, extraction, examiner))
    relink_case(db, outcome)
    return outcome
