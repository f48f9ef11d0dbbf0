"""An item's bytes, read-only from the evidence through its locator chain (previews, exports)."""

from __future__ import annotations

from forensics.case.db import CaseDatabase
from forensics.case.locators import file_locators
from forensics.case.queries.evidence import evidence_path
from forensics.core.errors import CaseError
from forensics.evidence.source import EvidenceSource


def read_item(db: CaseDatabase, file_id: int, limit: int | None = None) -> bytes:
    """The first ``limit`` bytes (all when None) of a stored item."""
    item, locator = file_locators(db, [file_id])[file_id]
    path = evidence_path(db, item)
    if path is None:
        raise CaseError(f"no evidence item {item!r} in this case")
    with EvidenceSource(path) as source:
        return source.read_all(locator, limit)
