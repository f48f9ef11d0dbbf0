"""The formats the carver looks for: header bytes, where they sit in the file, and their validator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from forensics.evidence.carving import bmp, gif, isobmff, jpeg, pdf, png, riff, sqlite, tiff, zipcarve
from forensics.evidence.carving.model import ReadAt, Validation

Validator = Callable[[ReadAt, int, int], Validation | None]


@dataclass(frozen=True)
class Signature:
    """Header ``magic`` found ``at`` bytes after the start of a file of ``kind``."""

    kind: str
    magic: bytes
    at: int
    validate: Validator
    family: str  # picture | video | document | archive | database


SIGNATURES: tuple[Signature, ...] = (
    Signature("jpeg", b"\xff\xd8\xff", 0, jpeg.validate, "picture"),
    Signature("png", b"\x89PNG\r\n\x1a\n", 0, png.validate, "picture"),
    Signature("gif", b"GIF87a", 0, gif.validate, "picture"),
    Signature("gif", b"GIF89a", 0, gif.validate, "picture"),
    Signature("bmp", b"BM", 0, bmp.validate, "picture"),
    Signature("webp", b"RIFF", 0, riff.validate, "picture"),  # RIFF: also AVI (refined by its form)
    Signature("tiff", b"II*\x00", 0, tiff.validate, "picture"),
    Signature("tiff", b"MM\x00*", 0, tiff.validate, "picture"),
    Signature("mp4", b"ftyp", 4, isobmff.validate, "video"),  # also MOV, 3GP, HEIC, AVIF
    Signature("pdf", b"%PDF-", 0, pdf.validate, "document"),
    Signature("zip", b"PK\x03\x04", 0, zipcarve.validate, "archive"),
    Signature("sqlite", b"SQLite format 3\x00", 0, sqlite.validate, "database"),
)
MAX_MAGIC_END = max(s.at + len(s.magic) for s in SIGNATURES)
FAMILIES = {s.family for s in SIGNATURES}


def select(families: set[str] | None = None, kinds: set[str] | None = None) -> tuple[Signature, ...]:
    """The signatures of the given families (picture, video, ...) or kinds; all when both are None."""
    return tuple(
        s
        for s in SIGNATURES
        if (families is None or s.family in families) and (kinds is None or s.kind in kinds)
    )
