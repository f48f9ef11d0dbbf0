"""Content regions of pictures and the extra perceptual hashes matching reads, and where a finding matched.

``file_regions`` holds, per analysed picture, one row of kind ``whole`` with the 8 dihedral variants of
its 64-bit pHash/dHash (the PDQ variants stay in ``file_analysis.pdq_dihedral``), and one row per content
region found inside it (``trim``: borders removed; ``photo``: the photo inside a screenshot or canvas;
``tile``: a tile of a grid collage) with its rectangle in the file's pixels and all its hashes.
Column names are a contract with the hash-set matcher, which reads them with SQL text.

``finding_regions`` says, for a perceptual finding, which part of the file matched (a region's kind and
rectangle; none: the whole picture) and which extra hash of the list entry matched (a central crop or a
turned copy that a list built by Custos carries; none: the entry's own hash).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class FileRegion(CaseBase):
    """One region of an analysed picture (or its ``whole`` row) with its perceptual hashes."""

    __tablename__ = "file_regions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    # 0 for the whole picture, then 1, 2, ... in the order the regions were found.
    region_no: Mapped[int] = mapped_column(Integer)
    # whole | trim | photo | tile
    kind: Mapped[str] = mapped_column(String(10))
    # Rectangle in the pixels of the file as stored (null for the whole picture).
    x: Mapped[int | None] = mapped_column(Integer)
    y: Mapped[int | None] = mapped_column(Integer)
    w: Mapped[int | None] = mapped_column(Integer)
    h: Mapped[int | None] = mapped_column(Integer)
    phash: Mapped[str | None] = mapped_column(String(16))
    dhash: Mapped[str | None] = mapped_column(String(16))
    pdq: Mapped[str | None] = mapped_column(String(64))
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    # 8 x 32 bytes (PDQ) and 8 x 8 bytes (pHash, dHash), pdqhash.compute_dihedral order.
    pdq_dihedral: Mapped[bytes | None] = mapped_column(LargeBinary)
    phash_dihedral: Mapped[bytes | None] = mapped_column(LargeBinary)
    dhash_dihedral: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (UniqueConstraint("file_id", "region_no", name="uq_file_regions_file_region"),)


class FindingRegion(CaseBase):
    """Which region of the file, and which extra hash of the list entry, a perceptual finding matched."""

    __tablename__ = "finding_regions"

    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True)
    # trim | photo | tile; null when the whole picture matched.
    region_kind: Mapped[str | None] = mapped_column(String(10))
    x: Mapped[int | None] = mapped_column(Integer)
    y: Mapped[int | None] = mapped_column(Integer)
    w: Mapped[int | None] = mapped_column(Integer)
    h: Mapped[int | None] = mapped_column(Integer)
    # The list entry's extra hash that matched (e.g. "crop80", "rot90"); null: the entry's own hash.
    list_variant: Mapped[str | None] = mapped_column(String(40))
