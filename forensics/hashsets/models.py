"""Tables of the hash-set library database (its own declarative base, separate from any case).

Hashes are stored as binary (16/20/32 bytes for MD5/SHA-1/SHA-256, 32 bytes for PDQ, 8 bytes for
64-bit pHash/dHash) so that tens of millions of entries stay compact and indexes stay small.
A set is visible to matching only once ``complete`` is true, which the final transaction of its
import sets: a half-imported set is never used.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from forensics.case.base import NAMING_CONVENTION

LIBRARY_SCHEMA_VERSION = 1


class LibraryBase(DeclarativeBase):
    """Base class of the hash-set library models (one database per workstation or lab)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LibraryInfo(LibraryBase):
    """Key/value facts about the library database itself (schema version)."""

    __tablename__ = "library_info"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class HashSet(LibraryBase):
    """One imported hash set with its provenance and entry counts."""

    __tablename__ = "hash_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stable identity of this import, copied into findings (names can be reused after removal).
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # alert | known | informational
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(40))
    source_name: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_size: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[str | None] = mapped_column(String(200))
    # Category scheme (region) used to label VICS category numbers: US | Canada | UK
    region: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    entry_count: Mapped[int] = mapped_column(BigInteger, default=0)
    md5_count: Mapped[int] = mapped_column(BigInteger, default=0)
    sha1_count: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256_count: Mapped[int] = mapped_column(BigInteger, default=0)
    pdq_count: Mapped[int] = mapped_column(BigInteger, default=0)
    phash_count: Mapped[int] = mapped_column(BigInteger, default=0)
    dhash_count: Mapped[int] = mapped_column(BigInteger, default=0)
    malformed_count: Mapped[int] = mapped_column(BigInteger, default=0)
    duplicate_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # JSON list of the first problems met: [{"record": n, "message": "..."}]
    problems_json: Mapped[str] = mapped_column(Text, default="[]")
    imported_at: Mapped[str] = mapped_column(String(40))
    imported_by: Mapped[str | None] = mapped_column(String(200))
    complete: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class HashEntry(LibraryBase):
    """One record of a set: its hashes (any subset) and the metadata a finding must quote."""

    __tablename__ = "hash_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("hash_sets.id", ondelete="CASCADE"), index=True)
    # Line number (text formats) or record number (JSON, SQLite) in the source file, 1-based.
    record_no: Mapped[int] = mapped_column(BigInteger)
    md5: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    sha1: Mapped[bytes | None] = mapped_column(LargeBinary(20))
    sha256: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    pdq: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    phash: Mapped[bytes | None] = mapped_column(LargeBinary(8))
    dhash: Mapped[bytes | None] = mapped_column(LargeBinary(8))
    # Overrides the set's kind for this entry (e.g. VICS US category 0 "Non-Pertinent" -> known).
    kind: Mapped[str | None] = mapped_column(String(20))
    media_id: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[int | None] = mapped_column(Integer)
    series: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    # The source record as JSON (VICS record, CSV row by header, ...), quoted in findings.
    raw_json: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_hash_entries_md5", "md5"),
        Index("ix_hash_entries_sha1", "sha1"),
        Index("ix_hash_entries_sha256", "sha256"),
    )


class HashEntryVariant(LibraryBase):
    """An extra perceptual hash of a listed picture, stored by lists that Custos builds from the pictures.

    A central crop at a few scales (PDQ, pHash, dHash) and the turned and flipped copies (pHash, dHash), so
    that a cropped or turned copy of a listed picture is found; ``label`` says which (``crop90``,
    ``rot90``, ...). Matching reads these beside the entry's own hashes; external hash-only lists have none.
    """

    __tablename__ = "hash_entry_variants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hash_entries.id", ondelete="CASCADE"), index=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("hash_sets.id", ondelete="CASCADE"), index=True)
    # pdq | phash | dhash
    algorithm: Mapped[str] = mapped_column(String(10))
    code: Mapped[bytes] = mapped_column(LargeBinary(32))
    quality: Mapped[int | None] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
