"""Findings from a WhatsApp message's stored hash alone: the file is gone, the message proves it was there.

A media message stores the SHA-256 of its file. When no item of the case holds that file (no link by
hash), the stored hash is looked up in the selected sets: an alert or informational entry becomes a
message finding (``whatsapp_message_findings``) with the same set and entry provenance as a file
finding; known entries mark nothing (there is no file to mark). Never added twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, inspect, select, text

from forensics.case.db import CaseDatabase
from forensics.case.models_whatsapp import MessageFinding
from forensics.core.timeutil import utc_now_iso
from forensics.hashsets.exact import PAGE, lookup_exact
from forensics.hashsets.findings_writer import category_label
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry

# Media messages with a stored hash whose file no item holds (no link by that hash).
UNLINKED_HASHES = text(
    "SELECT m.id, m.media_sha256 FROM whatsapp_messages m WHERE m.media_sha256 IS NOT NULL AND m.id > :last "
    "AND NOT EXISTS (SELECT 1 FROM whatsapp_links l WHERE l.message_id = m.id AND l.rule = 'sha256') "
    "ORDER BY m.id LIMIT :page"
)


def message_hits(
    case_engine: Engine, library: HashSetLibrary, set_ids: list[int]
) -> Iterator[tuple[int, int]]:
    """``(message id, entry id)`` for every unlinked media message whose stored SHA-256 is in a set."""
    if not inspect(case_engine).has_table("whatsapp_messages"):
        return
    last = 0
    while True:
        with case_engine.connect() as connection:
            rows = connection.execute(UNLINKED_HASHES, {"last": last, "page": PAGE}).all()
        if not rows:
            return
        last = rows[-1][0]
        by_digest: dict[bytes, list[int]] = {}
        for message_id, value in rows:
            try:
                by_digest.setdefault(bytes.fromhex(value), []).append(message_id)
            except ValueError:
                continue
        for entry_id, digest in lookup_exact(library, "sha256", list(by_digest), set_ids):
            for message_id in by_digest[digest]:
                yield message_id, entry_id


def write_message_findings(
    case_db: CaseDatabase, library: HashSetLibrary, usage: dict[int, Any], run_id: int
) -> int:
    """Store the message findings of this run (none twice); returns how many were added."""
    hits = list(message_hits(case_db.engine, library, list(usage)))
    if not hits:
        return 0
    with library.engine.connect() as connection:
        entries = {
            row["id"]: row
            for row in connection.execute(
                select(HashEntry).where(HashEntry.id.in_({entry for _m, entry in hits}))
            ).mappings()
        }
    added = 0
    now = utc_now_iso()
    with case_db.session() as session:
        have = {
            tuple(row)
            for row in session.execute(
                select(MessageFinding.message_id, MessageFinding.set_uid, MessageFinding.entry_id)
            )
        }
        for message_id, entry_id in hits:
            entry = entries[entry_id]
            info = usage[entry["set_id"]].info
            kind = entry["kind"] or info.kind
            if kind == "known" or (message_id, info.uid, entry_id) in have:
                continue
            have.add((message_id, info.uid, entry_id))
            is_vics = info.format.startswith(("vics", "nist-caid"))
            session.add(
                MessageFinding(
                    run_id=run_id,
                    message_id=message_id,
                    set_uid=info.uid,
                    set_name=info.name,
                    set_version=info.version,
                    set_kind=info.kind,
                    set_format=info.format,
                    set_source_name=info.source_name,
                    set_source_sha256=info.source_sha256,
                    set_region=info.region,
                    kind=kind,
                    entry_id=entry_id,
                    entry_record_no=entry["record_no"],
                    media_id=entry["media_id"],
                    category=entry["category"],
                    category_label=category_label(info.region, entry["category"]) if is_vics else None,
                    series=entry["series"],
                    tags=entry["tags"],
                    entry_json=entry["raw_json"],
                    algorithm="sha256",
                    matched_hash=bytes(entry["sha256"]).hex(),
                    created_at=now,
                )
            )
            usage[entry["set_id"]].findings += 1
            added += 1
    return added
