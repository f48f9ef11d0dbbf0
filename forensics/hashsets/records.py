"""What a format parser yields: a valid entry, or a problem with the record number it was met at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class EntryRecord:
    """One valid entry of a hash list, hashes already normalised to bytes."""

    record_no: int
    md5: bytes | None = None
    sha1: bytes | None = None
    sha256: bytes | None = None
    pdq: bytes | None = None
    pdq_quality: int | None = None
    phash: bytes | None = None
    dhash: bytes | None = None
    media_id: str | None = None
    category: int | None = None
    series: str | None = None
    tags: str | None = None
    file_name: str | None = None
    size: int | None = None
    raw: dict[str, Any] | None = field(default=None)
    # Extra perceptual hashes (lists built by Custos): (algorithm, label, code, PDQ quality or None).
    variants: list[tuple[str, str, bytes, int | None]] | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A malformed record: where (line or record number) and what is wrong with it."""

    record_no: int
    message: str
    fatal: bool = False  # the rest of the file cannot be read (e.g. truncated JSON)

    def as_dict(self) -> dict[str, Any]:
        return {"record": self.record_no, "message": self.message}
