"""An item's bytes, read-only from the evidence through its locator chain (previews, exports)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.locators import file_locators
from forensics.case.models import Evidence
from forensics.core.errors import CaseError
from forensics.evidence.extractions.access import EXTRACTION_CONTAINER, ExtractionAccess
from forensics.evidence.source import EvidenceSource


def open_source(db: CaseDatabase, item: str, extraction: ExtractionAccess | None = None) -> EvidenceSource:
    """The evidence source of item ``item``: its image, folder or phone extraction (opened read-only).

    ``extraction``: the keys of an encrypted extraction when the caller holds them; without them its
    members read as an error that asks for the password.
    """
    with db.session() as s:
        row = s.execute(select(Evidence.path, Evidence.container).where(Evidence.item == item)).first()
    if row is None:
        raise CaseError(f"no evidence item {item!r} in this case")
    path, container = row
    if container == EXTRACTION_CONTAINER:
        return EvidenceSource(path, extraction=extraction or ExtractionAccess())
    return EvidenceSource(path)


def read_item(
    db: CaseDatabase,
    file_id: int,
    limit: int | None = None,
    keys: Mapping[str, ExtractionAccess] | None = None,
    passwords: Mapping[int, str] | None = None,
) -> bytes:
    """The first ``limit`` bytes (all when None) of a stored item; ``keys``: evidence item -> the keys of
    its encrypted extraction, when the caller unlocked it; ``passwords``: archive file id -> the
    examiner's password of that encrypted archive (never stored: asked again for each session)."""
    found = file_locators(db, [file_id, *(passwords or {})])
    item, locator = found[file_id]
    with open_source(db, item, (keys or {}).get(item)) as source:
        for archive_id, password in (passwords or {}).items():
            source.archive_passwords[found[archive_id][1]] = password.encode("utf-8")
        return source.read_all(locator, limit)
