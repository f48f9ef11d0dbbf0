"""The examiner's review of files: categorise, tag, note, and record views and reveals.

Qt-free; the GUI and reports call this. Each change is written to the review tables and then
signed into the custody log (``file_categorised``, ``file_tagged``, ``file_noted``,
``file_revealed``, ``file_viewed``), one event per file, with the file's locator as target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forensics.case.models import CaseInfo, Evidence, File, FileSystem
from forensics.case.models_review import FileCategory, FileNote, FileTag
from forensics.core.categories import scheme_for
from forensics.core.errors import CaseError, CategoryError
from forensics.core.timeutil import utc_now_iso
from forensics.custody import actions
from forensics.custody.log import CustodyLog
from forensics.evidence.locator import FileLocator


@dataclass(frozen=True)
class FileReview:
    """What examiners recorded about one file."""

    file_id: int
    category: int | None
    category_label: str | None
    region: str | None
    tags: list[str]
    notes: list[tuple[str, str, str]]  # (at, examiner, text)


def file_locators(db, file_ids: Iterable[int]) -> dict[int, tuple[str, FileLocator]]:
    """Evidence item and locator of each file id; unknown ids raise :class:`CaseError`."""
    ids = sorted(set(file_ids))
    found: dict[int, tuple[str, FileLocator]] = {}
    with db.session() as s:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = s.execute(
                select(File, Evidence.item, FileSystem.fs_type, FileSystem.offset)
                .join(Evidence, File.evidence_id == Evidence.id)
                .join(FileSystem, File.filesystem_id == FileSystem.id)
                .where(File.id.in_(chunk))
            ).all()
            for f, item, fs_type, offset in rows:
                locator = FileLocator(
                    item=item,
                    partition_offset=None if fs_type == "logical" else offset,
                    inode=f.inode,
                    attr_type=f.attr_type,
                    attr_id=f.attr_id,
                    stream=f.stream,
                    path=f.path,
                )
                found[f.id] = (item, locator)
    missing = [i for i in ids if i not in found]
    if missing:
        raise CaseError(f"no such file id(s) in this case: {missing[:5]}")
    return found


def _record(custody: CustodyLog, action: str, located: dict, file_id: int, details: dict) -> None:
    item, locator = located[file_id]
    custody.append(action, item=item, target=locator.to_dict(), details={"file_id": file_id, **details})


def set_category(db, custody: CustodyLog, file_ids: Iterable[int], number: int, region: str) -> int:
    """Give each file a category of the region's scheme (replacing any earlier); returns files changed."""
    scheme = scheme_for(region)
    if number not in scheme.categories:
        raise CaseError(f"category {number} is not in the {scheme.region} scheme")
    label = scheme.label(number)
    located = file_locators(db, file_ids)
    now = utc_now_iso()
    for file_id in sorted(located):
        with db.session() as s:
            previous = s.get(FileCategory, file_id)
            before = None if previous is None else previous.category
            s.execute(delete(FileCategory).where(FileCategory.file_id == file_id))
            s.add(
                FileCategory(
                    file_id=file_id,
                    region=scheme.region,
                    category=number,
                    label=label,
                    examiner=custody.examiner_name,
                    at=now,
                )
            )
        details = {"region": scheme.region, "category": number, "label": label, "previous": before}
        _record(custody, actions.FILE_CATEGORISED, located, file_id, details)
    return len(located)


def add_tag(db, custody: CustodyLog, file_ids: Iterable[int], tag: str) -> int:
    """Tag each file (a tag already on a file is not added twice); returns files newly tagged."""
    tag = tag.strip()
    if not tag:
        raise CaseError("a tag cannot be empty")
    located = file_locators(db, file_ids)
    added = 0
    for file_id in sorted(located):
        with db.session() as s:
            result = s.execute(
                sqlite_insert(FileTag)
                .values(file_id=file_id, tag=tag, examiner=custody.examiner_name, at=utc_now_iso())
                .on_conflict_do_nothing()
            )
        if result.rowcount:
            added += 1
            _record(custody, actions.FILE_TAGGED, located, file_id, {"tag": tag})
    return added


def add_note(db, custody: CustodyLog, file_ids: Iterable[int], text: str) -> int:
    """Attach a note to each file; returns files noted."""
    text = text.strip()
    if not text:
        raise CaseError("a note cannot be empty")
    located = file_locators(db, file_ids)
    for file_id in sorted(located):
        with db.session() as s:
            s.add(FileNote(file_id=file_id, text=text, examiner=custody.examiner_name, at=utc_now_iso()))
        _record(custody, actions.FILE_NOTED, located, file_id, {"note": text})
    return len(located)


def record_reveal(db, custody: CustodyLog, file_id: int, *, view: str = "gallery") -> None:
    """The examiner deliberately unblurred a file's picture."""
    _record(custody, actions.FILE_REVEALED, file_locators(db, [file_id]), file_id, {"view": view})


def record_view(db, custody: CustodyLog, file_id: int, *, view: str) -> None:
    """The examiner opened a file's content (hex, text or image preview)."""
    _record(custody, actions.FILE_VIEWED, file_locators(db, [file_id]), file_id, {"view": view})


def review_of(db, file_id: int) -> FileReview:
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


def categorised_files(db) -> dict[int, int]:
    """file id -> category number, for every categorised file."""
    with db.session() as s:
        return {fid: cat for fid, cat in s.execute(select(FileCategory.file_id, FileCategory.category))}


def case_region(db) -> str:
    """The VICS category region (US, Canada, UK) of the case's review."""
    with db.session() as s:
        region = s.scalar(select(CaseInfo.category_region).order_by(CaseInfo.id).limit(1))
    if region is None:
        raise CaseError("the case database has no case record")
    return region


def set_case_region(db, custody: CustodyLog, region: str) -> str:
    """Change the case's category region; signed into custody (``case_region_changed``). Returns it.

    Categories already given keep the region they were given under (each category row names it).
    """
    try:
        new = scheme_for(region).region
    except CategoryError as exc:
        raise CaseError(str(exc)) from exc
    old = case_region(db)
    if new == old:
        return old
    if not custody.writable:
        raise CaseError("the case was opened read-only: its category region cannot be changed")
    with db.session() as s:
        s.execute(update(CaseInfo).values(category_region=new))
    custody.append(
        actions.CASE_REGION_CHANGED,
        details={
            "text": f"category region of the case changed from {old} to {new}",
            "field": "category_region",
            "old": old,
            "new": new,
        },
    )
    return new
