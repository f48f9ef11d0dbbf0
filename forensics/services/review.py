"""The examiner's review of files: categorise, tag, note, and record views and reveals.

Each change is written to the review tables and then signed into the custody log
(``file_categorised``, ``file_tagged``, ``file_noted``, ``file_revealed``, ``file_viewed``), one entry
per file, with the file's locator chain as target; each change ends with the review marks of the
items it touched sealed (``results_sealed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from forensics.case.locators import file_locators
from forensics.case.models_review import FileCategory, FileNote, FileTag
from forensics.core.categories import scheme_for
from forensics.core.errors import CaseError
from forensics.core.sqldialect import insert_ignoring_duplicates
from forensics.core.timeutil import utc_now_iso
from forensics.custody import actions
from forensics.evidence.locator import FileLocator
from forensics.services.context import CaseContext
from forensics.services.seal import REVIEW_TABLES, sealed_job


def _record(
    ctx: CaseContext,
    action: str,
    located: dict[int, tuple[str, FileLocator]],
    file_id: int,
    details: dict[str, Any],
) -> None:
    item, locator = located[file_id]
    ctx.custody.append(action, item=item, target=locator.to_dict(), details={"file_id": file_id, **details})


def _items(located: dict[int, tuple[str, FileLocator]]) -> list[str]:
    return sorted({item for item, _locator in located.values()})


def categorise(ctx: CaseContext, file_ids: Iterable[int], number: int, region: str) -> int:
    """Give each file a category of the region's scheme (replacing any earlier); returns files changed."""
    scheme = scheme_for(region)
    if number not in scheme.categories:
        raise CaseError(f"category {number} is not in the {scheme.region} scheme")
    label = scheme.label(number)
    located = file_locators(ctx.db, file_ids)
    if not located:
        return 0
    now = utc_now_iso()
    with sealed_job(ctx, "review", REVIEW_TABLES, _items(located)):
        for file_id in sorted(located):
            with ctx.db.session() as s:
                previous = s.get(FileCategory, file_id)
                before = None if previous is None else previous.category
                s.execute(delete(FileCategory).where(FileCategory.file_id == file_id))
                s.add(
                    FileCategory(
                        file_id=file_id,
                        region=scheme.region,
                        category=number,
                        label=label,
                        examiner=ctx.examiner,
                        at=now,
                    )
                )
            details = {"region": scheme.region, "category": number, "label": label, "previous": before}
            _record(ctx, actions.FILE_CATEGORISED, located, file_id, details)
    return len(located)


def tag(ctx: CaseContext, file_ids: Iterable[int], text: str) -> int:
    """Tag each file (a tag already on a file is not added twice); returns files newly tagged."""
    text = text.strip()
    if not text:
        raise CaseError("a tag cannot be empty")
    located = file_locators(ctx.db, file_ids)
    with ctx.db.session() as s:
        tagged = set(
            s.scalars(select(FileTag.file_id).where(FileTag.tag == text, FileTag.file_id.in_(list(located))))
        )
    untagged = {file_id: place for file_id, place in located.items() if file_id not in tagged}
    if not untagged:
        return 0
    added = 0
    with sealed_job(ctx, "review", REVIEW_TABLES, _items(untagged)):
        for file_id in sorted(untagged):
            with ctx.db.session() as s:
                # An INSERT's result is a CursorResult (with rowcount); Session.execute is typed as Result.
                result = cast(
                    "CursorResult[Any]",
                    s.execute(
                        insert_ignoring_duplicates(ctx.db.engine, FileTag).values(
                            file_id=file_id, tag=text, examiner=ctx.examiner, at=utc_now_iso()
                        )
                    ),
                )
            if result.rowcount:
                added += 1
                _record(ctx, actions.FILE_TAGGED, untagged, file_id, {"tag": text})
    return added


def note(ctx: CaseContext, file_ids: Iterable[int], text: str) -> int:
    """Attach a note to each file; returns files noted."""
    text = text.strip()
    if not text:
        raise CaseError("a note cannot be empty")
    located = file_locators(ctx.db, file_ids)
    if not located:
        return 0
    with sealed_job(ctx, "review", REVIEW_TABLES, _items(located)):
        for file_id in sorted(located):
            with ctx.db.session() as s:
                s.add(FileNote(file_id=file_id, text=text, examiner=ctx.examiner, at=utc_now_iso()))
            _record(ctx, actions.FILE_NOTED, located, file_id, {"note": text})
    return len(located)


def record_reveal(ctx: CaseContext, file_id: int, *, view: str = "gallery") -> None:
    """The examiner deliberately unblurred a file's picture (``file_revealed``)."""
    _record(ctx, actions.FILE_REVEALED, file_locators(ctx.db, [file_id]), file_id, {"view": view})


def record_view(ctx: CaseContext, file_id: int, *, view: str) -> None:
    """The examiner opened a file's content: hex, text or image preview (``file_viewed``)."""
    _record(ctx, actions.FILE_VIEWED, file_locators(ctx.db, [file_id]), file_id, {"view": view})
