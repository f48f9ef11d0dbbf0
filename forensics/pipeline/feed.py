"""The ingest job's feed: pending items in id order, in batches, while the enumeration may still add some."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from sqlalchemy import func, select

from forensics.case.db import CaseDatabase
from forensics.case.locators import root_locator_dict, with_link
from forensics.case.models import File, FileSystem
from forensics.core.progress import Progress
from forensics.core.sqldialect import execute, json_ids_sql
from forensics.pipeline.tasks import WorkItem

BATCH_ITEMS = 256  # items per batch of a job with analysis tasks (an item may be a picture to decode)
# Items per batch of a job that only hashes: where an image keeps its small files a batch then lasts
# longer than a commit of the writer, which no longer leaves the workers waiting (BENCHMARKS.md).
HASH_ONLY_BATCH_ITEMS = 1024
BATCH_BYTES = 64 * 1024 * 1024
PAGE = 2000
IDLE_WAIT = 0.05  # seconds the feed waits for the enumeration when it has no item to hand out
# The next page of pending items after a given id, in id order (with where their file system lies).
PENDING_PAGE = (
    "SELECT f.id, f.name, f.size, f.path, f.inode, f.attr_type, f.attr_id, f.stream, s.offset, s.fs_type, "
    "s.ambiguous, f.link_json "
    f"FROM {File.__tablename__} AS f JOIN {FileSystem.__tablename__} AS s ON f.filesystem_id = s.id "
    "WHERE f.evidence_id = ? AND f.status = 'pending' AND f.id > ? ORDER BY f.id LIMIT ?"
)
# The same, among chosen ids only (a job that re-runs some items: an archive given its password).
PENDING_PAGE_AMONG = PENDING_PAGE.replace("AND f.id > ?", "AND f.id > ? AND f.id IN ({ids})")
PHASE_PROCESSING = "processing"
Passwords = tuple[tuple[str, bytes], ...]


class Enumeration(Protocol):
    """What a feed reads of the job's enumeration (a walk in a thread, or none in a re-run of items)."""

    @property
    def ended(self) -> bool: ...

    def wait(self, timeout: float) -> None: ...

    def take_found(self) -> tuple[int, int]: ...


class PendingFeed:
    """The executor's batches: pending items in id order, while the enumeration may still add some.

    Each batch holds at most ``BATCH_ITEMS`` items (``HASH_ONLY_BATCH_ITEMS`` with ``hash_only``) and
    ``BATCH_BYTES`` bytes (a bigger item goes alone). An empty batch means that none is ready yet (the
    enumeration has not stored more): the executor asks again. :meth:`pump` grows the progress totals
    by what the enumeration has stored.
    ``on_exhausted`` is called once, when the last item has been handed out. ``only``: hand out these
    pending items alone, each with the examiner's archive passwords for it (in memory, in its WorkItem).
    """

    def __init__(
        self,
        db: CaseDatabase,
        evidence_id: int,
        item: str,
        enumeration: Enumeration,
        progress: Progress,
        on_exhausted: Callable[[], None] | None = None,
        hash_only: bool = False,
        only: Mapping[int, Passwords] | None = None,
    ) -> None:
        self.db = db
        self.only = dict(only) if only is not None else None
        self.hash_only = hash_only
        self._on_exhausted = on_exhausted
        self.evidence_id = evidence_id
        self.item = item
        self.enumeration = enumeration
        self.progress = progress
        self.enumerated = False  # the enumeration has ended and every item it stored is counted
        self._ready: deque[WorkItem] = deque()
        self._last_id = 0
        (progress.items_total, progress.bytes_total, progress.items_done, progress.bytes_done) = totals(
            db, evidence_id
        )

    def pump(self, wait: float = 0.0) -> None:
        """Count the items the enumeration has stored (waiting up to ``wait`` s for a new batch)."""
        if wait and not self.enumeration.ended:
            self.enumeration.wait(wait)
        ended = self.enumeration.ended  # read before the counts: nothing stored after it is missed
        items, size = self.enumeration.take_found()
        self.progress.items_total += items
        self.progress.bytes_total += size
        if ended:
            self.enumerated = True
            self.progress.phase = PHASE_PROCESSING
            self.progress.totals_growing = False

    def __iter__(self) -> Iterator[list[WorkItem]]:
        return self

    def __next__(self) -> list[WorkItem]:
        batch: list[WorkItem] = []
        batch_bytes = 0
        max_items = self._max_items()
        while True:
            if not self._ready and not self._refill():
                if batch or not self.finished:
                    return batch
                if self._on_exhausted is not None:
                    exhausted, self._on_exhausted = self._on_exhausted, None
                    exhausted()
                raise StopIteration
            size = self._ready[0].size
            if batch and (len(batch) >= max_items or batch_bytes + size > BATCH_BYTES):
                return batch
            if batch and self._ready[0].hash_only != batch[0].hash_only:
                return batch  # a first pass's batch comes back at hashing speed: never behind a decode
            work = self._ready.popleft()
            batch.append(work)
            batch_bytes += size
            self._handed_out(work)

    def _max_items(self) -> int:
        """Items the next batch may hold."""
        return HASH_ONLY_BATCH_ITEMS if self.hash_only else BATCH_ITEMS

    @property
    def finished(self) -> bool:
        """Every item is handed out once nothing is ready after this (the walk has ended)."""
        return self.enumerated

    def _handed_out(self, work: WorkItem) -> None:
        """Called for each item put in a batch (a hook for feeds in another order)."""

    def close(self) -> None:
        """Stop any helper of the feed (none here)."""

    def _refill(self) -> bool:
        """Read the next page of pending items; False when there are none (yet)."""
        self.pump()
        was_enumerated = self.enumerated  # decided before the read: the read then sees every item
        if not self._read_page() and not was_enumerated:
            self.pump(wait=IDLE_WAIT)  # nothing to hand out: give the enumeration a moment
            self._read_page()
        return bool(self._ready)

    def _read_page(self) -> bool:
        with self.db.engine.connect() as conn:  # a plain read: no ORM session, no result processing
            if self.only is None:
                rows = execute(conn, PENDING_PAGE, (self.evidence_id, self._last_id, PAGE)).fetchall()
            else:
                among = json.dumps(sorted(self.only))
                sql = PENDING_PAGE_AMONG.format(ids=json_ids_sql(conn))
                rows = execute(conn, sql, (self.evidence_id, self._last_id, among, PAGE)).fetchall()
        item, ready, only = self.item, self._ready, self.only
        for row in rows:
            fid, name, size, path, inode, attr_type, attr_id, stream, offset, fs_type, ambiguous, link = row
            locator = root_locator_dict(
                item, fs_type, offset, inode, attr_type, attr_id, stream, path, ambiguous=bool(ambiguous)
            )
            if link is not None:  # a root link of another kind (a file system's unallocated space)
                locator = with_link(locator, link)
            if only is None:
                ready.append(WorkItem(fid, locator, name, size or 0))
            else:
                ready.append(WorkItem(fid, locator, name, size or 0, only.get(fid, ())))
        if rows:
            self._last_id = rows[-1][0]
        return bool(rows)


def totals(db: CaseDatabase, evidence_id: int) -> tuple[int, int, int, int]:
    """(items to process, their bytes, items already done, bytes already done) for progress."""
    with db.session() as s:
        rows = s.execute(
            select(File.status, func.count(), func.coalesce(func.sum(File.size), 0))
            .where(File.evidence_id == evidence_id, File.status.in_(["pending", "done", "error"]))
            .group_by(File.status)
        ).all()
    # The sum is coalesced to 0 in SQL (its column type still allows None).
    by = {status: (count, size or 0) for status, count, size in rows}
    total_items = sum(c for c, _ in by.values())
    total_bytes = sum(b for _, b in by.values())
    done_items = by.get("done", (0, 0))[0] + by.get("error", (0, 0))[0]
    done_bytes = by.get("done", (0, 0))[1] + by.get("error", (0, 0))[1]
    return total_items, int(total_bytes), done_items, int(done_bytes)
