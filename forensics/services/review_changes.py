"""What other examiners changed in a case's review since a point of its custody log (the GUI polls this).

Every review mark (category, tag, note) is written to the review tables and then signed into the custody
log, one entry per file. The log's ``seq`` only grows, so "entries after ``seq``" with a review action is
a cheap question on both stores (the primary key), and what it answers is already committed in the review
tables. The answer names the files whose marks changed and who changed them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from forensics.case.models_custody import CustodyLogEntry
from forensics.custody import actions
from forensics.services.context import CaseContext

# Custody actions that change what the review views show (marks of files, the case's category scheme).
MARK_ACTIONS = (actions.FILE_CATEGORISED, actions.FILE_TAGGED, actions.FILE_NOTED)
REVIEW_ACTIONS = (*MARK_ACTIONS, actions.CASE_REGION_CHANGED)
MAX_CHANGES_READ = 2000  # entries read per question; beyond it the answer says "reload everything"


@dataclass(frozen=True)
class ReviewChanges:
    """Review changes after a custody ``seq``; ask again with :attr:`last_seq`."""

    last_seq: int  # the log was read up to here
    file_ids: frozenset[int]  # files whose marks changed
    examiners: tuple[str, ...]  # who made the changes, in the order of their first one
    region_changed: bool = False  # the case's category scheme changed
    truncated: bool = False  # more than MAX_CHANGES_READ entries: the caller should reload everything

    @property
    def any(self) -> bool:
        return bool(self.file_ids) or self.region_changed or self.truncated


def latest_seq(ctx: CaseContext) -> int:
    """The custody log's last ``seq`` (0 for an empty log): where watching starts."""
    with ctx.db.session() as s:
        return int(s.scalar(select(func.max(CustodyLogEntry.seq))) or 0)


def review_changes_since(ctx: CaseContext, after_seq: int, *, limit: int = MAX_CHANGES_READ) -> ReviewChanges:
    """Review marks signed into the custody log after ``after_seq`` (by anyone, this examiner included)."""
    entry = CustodyLogEntry
    with ctx.db.session() as s:
        # The end first: entries signed while the rows are read are left for the next question.
        newest = int(s.scalar(select(func.max(entry.seq))) or 0)
        query = (
            select(entry.seq, entry.examiner, entry.action, entry.details_json)
            .where(entry.seq > after_seq, entry.seq <= newest, entry.action.in_(REVIEW_ACTIONS))
            .order_by(entry.seq)
            .limit(limit + 1)
        )
        rows = list(s.execute(query))
    truncated = len(rows) > limit
    if truncated:
        rows = rows[:limit]
        newest = rows[-1].seq
    file_ids: set[int] = set()
    examiners: dict[str, None] = {}
    region_changed = False
    for row in rows:
        examiners.setdefault(row.examiner, None)
        if row.action == actions.CASE_REGION_CHANGED:
            region_changed = True
            continue
        file_id = _file_id(row.details_json)
        if file_id is not None:
            file_ids.add(file_id)
    return ReviewChanges(
        last_seq=max(newest, after_seq),
        file_ids=frozenset(file_ids),
        examiners=tuple(examiners),
        region_changed=region_changed,
        truncated=truncated,
    )


def _file_id(details_json: str) -> int | None:
    try:
        value = json.loads(details_json).get("file_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None
