"""What examiners recorded about files (categories, tags, notes) and the case's category region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.models import CaseInfo
from forensics.case.models_review import FileCategory, FileNote, FileTag
from forensics.core.errors import CaseError


@dataclass(frozen=True)
class FileReview:
    """What examiners recorded about one file."""

    file_id: int
    category: int | None
    category_label: str | None
    region: str | None
    tags: list[str]
    notes: list[tuple[str, str, str]]  # (at, examiner, text)


def review_of(db: CaseDatabase, file_id: int) -> FileReview:
    """Category, tags and notes of one file."""
    with db.session() as s:
        category = s.get(FileCategory, file_id)
        tags = list(s.scalars(select(FileTag.tag).where(FileTag.file_id == file_id).order_by(FileTag.tag)))
        notes = [
            (n.at, n.examiner, n.text)
            for n in s.scalars(select(FileNote).where(FileNote.file_id == file_id).order_by(FileNote.id))
        ]
    return FileReview(
        file_id=file_id,
        category=None if category is None else category.category,
        category_label=None if category is None else category.label,
        region=None if category is None else category.region,
        tags=tags,
        notes=notes,
    )


def categorised_files(db: CaseDatabase) -> dict[int, int]:
    """file id -> category number, for every categorised file."""
    with db.session() as s:
        return {fid: cat for fid, cat in s.execute(select(FileCategory.file_id, FileCategory.category))}


def case_region(db: CaseDatabase) -> str:
    """The VICS category region (US, Canada, UK) of the case's review."""
    with db.session() as s:
        region = s.scalar(select(CaseInfo.category_region).order_by(CaseInfo.id).limit(1))
    if region is None:
        raise CaseError("the case database has no case record")
    return region


def tags_in_use(db: CaseDatabase) -> list[str]:
    """Every review tag used in the case, sorted without regard to case."""
    with db.session() as s:
        # Sorted here: PostgreSQL refuses SELECT DISTINCT ordered by an expression it does not select.
        tags = set(s.scalars(select(FileTag.tag).distinct()))
    return sorted(tags, key=lambda tag: (tag.lower(), tag))


def case_info(db: CaseDatabase) -> dict[str, Any] | None:
    """Number, title, agency and creation time of the case (None for a database with no case record)."""
    with db.session() as s:
        row = s.scalar(select(CaseInfo).limit(1))
    if row is None:
        return None
    return {"number": row.number, "title": row.title, "agency": row.agency, "created_at": row.created_at}
