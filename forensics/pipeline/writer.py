"""The single batched writer: stores worker results in the case database in transactions."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from forensics.case.bulk import update_rows
from forensics.case.db import CaseDatabase
from forensics.case.models import File, IngestError
from forensics.core.sqldialect import execute, json_ids_sql
from forensics.core.timeutil import utc_now_iso
from forensics.pipeline.child_rows import ChildRows
from forensics.pipeline.tasks import HASHED, ChildResult, ItemResult

# Children held back while the walk still lists (see ``BatchWriter.hold_children``), at most this many.
HOLD_CHILDREN = 20_000
# The buffered ids still pending (a result that arrives twice is written once).
PENDING_AMONG = f"SELECT id FROM {File.__tablename__} WHERE status = 'pending' AND id IN ({{ids}})"


class BatchWriter:
    """Buffers results and commits them every ``max_rows`` rows or ``max_delay`` seconds.

    Only items still ``pending`` are written, so a result that arrives twice (an item requeued
    after a worker crash) is stored once and counted once. Few, big transactions: the hash indexes
    take random keys, so every commit rewrites most of their pages (500-row commits cost a third
    more writer CPU than 2,000-row ones); a killed job redoes at most ``max_delay`` seconds of work.
    """

    def __init__(
        self,
        db: CaseDatabase,
        evidence_id: int,
        job_id: int,
        *,
        max_rows: int = 2000,
        max_delay: float = 1.0,
        write_lock: AbstractContextManager | None = None,
    ) -> None:
        self.db = db
        self.write_lock = write_lock or nullcontext()  # held for each transaction (shared with other writers)
        self.evidence_id = evidence_id
        self.job_id = job_id
        self.max_rows = max_rows
        self.max_delay = max_delay
        self._buffer: list[ItemResult] = []
        self._buffer_bytes = 0
        self._last_flush = time.monotonic()
        self.items_written = 0
        self.bytes_written = 0
        self.errors_written = 0
        self.children_written = 0  # items found inside others (they are done when found)
        self.hashed_written = 0  # first-pass results stored (digests of items still to be analysed)
        self.videos_written = 0  # videos decoded (the video task) and the frames hashed in them
        self.frames_written = 0
        self._children: list[tuple[int, list[ChildResult]]] = []
        self._child_rows = ChildRows()
        # Told the ids of the items of each commit (results and children), e.g. to match them.
        self.on_stored: Callable[[list[int]], None] | None = None
        # While this says so, children wait in memory (up to HOLD_CHILDREN, with their holders' results):
        # no new row is added while the walk still adds its own, so the walk's rows keep their numbers
        # in any processing order.
        self.hold_children: Callable[[], bool] | None = None

    @property
    def buffered_items(self) -> int:
        """Results waiting to be stored that finish their item (first-pass results do not)."""
        return sum(1 for r in self._buffer if r.status != HASHED)

    @property
    def buffered_bytes(self) -> int:
        return self._buffer_bytes

    def add_children(self, parent_id: int, children: list[ChildResult]) -> None:
        """Items found inside ``parent_id`` (stored with the next commit, ahead of the parent's result)."""
        self._children.append((parent_id, children))
        self.flush_if_due()

    @property
    def buffered_children(self) -> int:
        return sum(len(children) for _parent, children in self._children)

    def add(self, results: list[ItemResult]) -> None:
        self._buffer.extend(results)
        self._buffer_bytes += sum(r.bytes_read for r in results if r.status != HASHED)
        if any(r.status == HASHED for r in results):
            self.flush()  # a first pass exists to be matched at once (its alerts come at hashing speed)
        else:
            self.flush_if_due()

    def flush_if_due(self) -> None:
        """Commit when ``max_rows`` results wait or ``max_delay`` s have passed since the last commit."""
        waiting = len(self._buffer) + self.buffered_children
        if waiting >= self.max_rows or time.monotonic() - self._last_flush >= self.max_delay:
            self.flush()

    def _holding(self) -> bool:
        return bool(
            self._children
            and self.hold_children is not None
            and self.buffered_children < HOLD_CHILDREN
            and self.hold_children()
        )

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        stored: list[int] = []
        holding = self._holding()
        if self._children and not holding:
            children, self._children = self._children, []
            with self.write_lock, self.db.session() as s:
                written = self._child_rows.store(s, children, self.job_id, self.evidence_id, stored)
            self.children_written += written
            self._count_videos(child.analysis for _parent, batch in children for child in batch)
        held = {parent for parent, _children in self._children} if holding else set()
        if not any(r.file_id not in held for r in self._buffer):
            self._tell_stored(stored)
            return
        buffered: dict[int, ItemResult] = {}
        for r in self._buffer:  # the latest copy of a repeat; a first pass never replaces a whole result
            if r.file_id not in held and not (r.status == HASHED and r.file_id in buffered):
                buffered[r.file_id] = r
        self._buffer = [r for r in self._buffer if r.file_id in held]
        self._buffer_bytes = sum(r.bytes_read for r in self._buffer if r.status != HASHED)
        with self.write_lock, self.db.session() as s:
            conn = s.connection()
            among = PENDING_AMONG.format(ids=json_ids_sql(conn))
            pending = set(execute(conn, among, (json.dumps(list(buffered)),)).scalars())  # one parameter
            hashed = [buffered[i] for i in sorted(pending) if buffered[i].status == HASHED]
            results = [buffered[i] for i in sorted(pending) if buffered[i].status != HASHED]
            if hashed:  # digests of items whose analysis is still to come: they stay pending
                _store_digests(s, hashed)
            if results:
                self._store_results(s, results)
        self._count_videos(r.analysis for r in results)
        self.hashed_written += len(hashed)
        self.items_written += len(results)
        self.bytes_written += sum(r.bytes_read for r in results)
        self.errors_written += sum(1 for r in results if r.status == "error")
        self._child_rows.forget([r.file_id for r in results])
        # in the order the results came (the processing order), the children found inside them after
        self._tell_stored([file_id for file_id in buffered if file_id in pending] + stored)

    def _store_results(self, s: Session, results: list[ItemResult]) -> None:
        """Whole results: the items' rows, their notes and errors, their analyses."""
        update_rows(
            s.connection(),
            cast(Table, File.__table__),  # SQLAlchemy types it as a FromClause; it is a Table
            "id",
            [
                {
                    "id": r.file_id,
                    "status": r.status,
                    "md5": r.md5,
                    "sha1": r.sha1,
                    "sha256": r.sha256,
                    "bytes_read": r.bytes_read,
                    "tasks_mask": r.tasks_mask,
                    "error": r.error,
                }
                for r in results
            ],
        )
        now = utc_now_iso()
        for r in results:
            for note in r.notes:  # what was inside could not all be read: a note on the item
                s.add(
                    IngestError(
                        job_id=self.job_id,
                        evidence_id=self.evidence_id,
                        file_id=r.file_id,
                        stage="nested",
                        message=note,
                        at=now,
                    )
                )
            if r.status == "error":
                s.add(
                    IngestError(
                        job_id=self.job_id,
                        evidence_id=self.evidence_id,
                        file_id=r.file_id,
                        stage="process",
                        message=r.error or "error",
                        at=now,
                    )
                )
        analysed = [(r.file_id, r.analysis) for r in results if r.analysis is not None]
        if analysed:
            from forensics.case.analysis_store import store_analyses

            store_analyses(s, analysed)  # one statement per table for the whole batch

    def _tell_stored(self, file_ids: list[int]) -> None:
        if file_ids and self.on_stored is not None:
            self.on_stored(file_ids)

    def _count_videos(self, analyses) -> None:  # noqa: ANN001 - AnalysisResult objects (or None)
        """Count the videos among stored results and the frames hashed in them (for progress)."""
        for analysis in analyses:
            video = getattr(analysis, "video", None)
            if video is not None and video.info is not None and video.info.kind == "video":
                self.videos_written += 1
                self.frames_written += len(video.frames)


def _store_digests(s: Session, hashed: list[ItemResult]) -> None:
    """A first pass's digests (and bytes read) on rows that stay pending."""
    rows = [
        {"id": r.file_id, "md5": r.md5, "sha1": r.sha1, "sha256": r.sha256, "bytes_read": r.bytes_read}
        for r in hashed
    ]
    update_rows(s.connection(), cast(Table, File.__table__), "id", rows)
