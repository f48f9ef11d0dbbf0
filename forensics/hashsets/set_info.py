"""What is known about one set of the library: everything a listing, a finding or the custody log quotes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from forensics.hashsets.models import HashSet


@dataclass(frozen=True)
class SetInfo:
    """What is known about one set: everything a listing, a finding or the custody log quotes."""

    id: int
    uid: str
    name: str
    kind: str
    format: str
    source_name: str
    source_sha256: str
    source_size: int
    version: str | None
    region: str
    description: str | None
    entry_count: int
    md5_count: int
    sha1_count: int
    sha256_count: int
    pdq_count: int
    phash_count: int
    dhash_count: int
    malformed_count: int
    duplicate_count: int
    imported_at: str
    imported_by: str | None
    complete: bool
    problems: list[dict[str, Any]]

    @classmethod
    def from_row(cls, row: HashSet) -> SetInfo:
        fields = {name: getattr(row, name) for name in cls.__dataclass_fields__ if name != "problems"}
        return cls(**fields, problems=json.loads(row.problems_json or "[]"))

    def algorithms(self) -> list[str]:
        """Algorithms this set has entries for."""
        counts = {
            "md5": self.md5_count,
            "sha1": self.sha1_count,
            "sha256": self.sha256_count,
            "pdq": self.pdq_count,
            "phash": self.phash_count,
            "dhash": self.dhash_count,
        }
        return [name for name, count in counts.items() if count]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
