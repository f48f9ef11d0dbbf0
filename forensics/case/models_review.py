"""The examiner's review of files: categories (VICS scheme of a region), tags and notes.

Every write here is also a custody event (see :mod:`forensics.services.review`); these tables hold the
current state for fast filtering, the custody log holds the signed history.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class FileCategory(CaseBase):
    """The category an examiner gave a file (one current category per file)."""

    __tablename__ = "review_categories"

    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), primary_key=True)
    region: Mapped[str] = mapped_column(String(20))
    category: Mapped[int] = mapped_column(Integer, index=True)
    label: Mapped[str] = mapped_column(Text)
    examiner: Mapped[str] = mapped_column(String(200))
    at: Mapped[str] = mapped_column(String(40))


class FileTag(CaseBase):
    """A free-text tag on a file (a file may carry many; each tag once)."""

    __tablename__ = "review_tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    tag: Mapped[str] = mapped_column(String(200))
    examiner: Mapped[str] = mapped_column(String(200))
    at: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        UniqueConstraint("file_id", "tag", name="uq_review_tags_file_tag"),
        Index("ix_review_tags_tag", "tag"),
    )


class FileNote(CaseBase):
    """A note an examiner wrote about a file."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    examiner: Mapped[str] = mapped_column(String(200))
    at: Mapped[str] = mapped_column(String(40))
