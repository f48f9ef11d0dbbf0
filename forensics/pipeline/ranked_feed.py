"""The feed in a profile's processing order: the items an examiner looks at first go to the workers first.

1. While the walk lists the evidence, the items of the first rank are handed out as they are listed
   (they come first whatever the rest of the listing holds, in walk order as the ranks want).
2. Once everything is listed, every pending item is ranked in one pass (its path, the type its
   extension names, deleted or not, its link kind: :mod:`forensics.pipeline.processing_order`); the ids
   of each rank but the last are kept in compact arrays (8 bytes an item), and a byte per item marks what
   has been handed out.
3. Items whose name says nothing of their kind and that a type could move up are typed by their first
   bytes on a thread (:class:`forensics.evidence.head_probe.HeadProbe`, at most ``header_check_items``
   a job); one that turns out to be a picture, a video or a container joins its rank as soon as it is
   known (before the rank being handed out, when its own was passed already).
4. Ranks are handed out in order, then everything else in walk order.

With ``hash_first`` (see :class:`ProcessingOrder`), the first rank's items first go out for a pass that only
hashes them, smallest first as they are listed (more items checked per second of hashing: a known-material
list names files, not bytes); their whole processing follows in the first rank's usual place.

Nothing about an item's processing depends on when it is handed out, so results are the same in any
order (docs/engine.md, "Processing order").
"""

from __future__ import annotations

import heapq
import json
import threading
from array import array
from collections.abc import Callable

from forensics.case.db import CaseDatabase
from forensics.case.locators import root_locator_dict, with_link
from forensics.case.models import File, FileSystem
from forensics.core.progress import Progress
from forensics.core.sqldialect import execute, json_ids_sql
from forensics.evidence.head_probe import HeadProbe
from forensics.pipeline.feed import IDLE_WAIT, PAGE, Enumeration, PendingFeed
from forensics.pipeline.processing_order import ProcessingOrder, extension_type, head_type
from forensics.pipeline.tasks import UNALLOCATED, WorkItem

# The first batches are small and grow (each as big as all before it) to the feed's usual size: a
# worker sends its results once a batch is done, so the first results (and alerts) come after a few
# items, not after hundreds.
FIRST_BATCH_ITEMS = 4
HEAD_MIN_SIZE = 64  # bytes: smaller items hold no picture worth ranking early
# Hashed first: a bigger item listed while the walk still lists waits for the walk's end (then goes out
# smallest first like the rest). A worker hashing a 200 MB video listed early would otherwise be busy for
# a second or more when the pictures listed after it arrive (a phone's Movies folder before its DCIM).
QUICK_HOLD_BYTES = 32 * 1024 * 1024
HEAD_PAGE = 500  # items typed per read of their rows
_COLUMNS = (
    "f.id, f.name, f.size, f.path, f.inode, f.attr_type, f.attr_id, f.stream, s.offset, s.fs_type, "
    "f.link_json"
)
_FROM = f"FROM {File.__tablename__} AS f JOIN {FileSystem.__tablename__} AS s ON f.filesystem_id = s.id"
# Rows to rank: pending top-level items after an id, with what the ranks look at.
RANK_PAGE = (
    f"SELECT {_COLUMNS}, f.extension, f.deleted, f.kind, json_extract(f.link_json, '$.kind') {_FROM} "
    "WHERE f.evidence_id = ? AND f.status = 'pending' AND f.id > ? ORDER BY f.id LIMIT ?"
)
# Given pending rows (ids as one JSON list), in id order.
ROWS_BY_ID = f"SELECT {_COLUMNS} {_FROM} WHERE f.id IN ({{ids}}) AND f.status = 'pending' ORDER BY f.id"
# The digests a first pass stored for pending items (``ProcessingOrder.hash_first``).
KNOWN_DIGESTS = (
    "SELECT id, md5, sha1, sha256, bytes_read FROM files WHERE id IN ({ids}) "
    "AND md5 IS NOT NULL AND sha1 IS NOT NULL AND sha256 IS NOT NULL AND bytes_read IS NOT NULL"
)
HEAD_ROWS = (
    "SELECT id, byte_runs_json, path, size, deleted, json_extract(link_json, '$.kind') FROM files "
    "WHERE id IN ({ids})"
)
LISTING, SERVING, DONE = "listing", "serving", "done"


class RankedFeed(PendingFeed):
    """:class:`PendingFeed` in the ranks of a :class:`ProcessingOrder` (see the module's description)."""

    def __init__(
        self,
        db: CaseDatabase,
        evidence_id: int,
        item: str,
        enumeration: Enumeration,
        progress: Progress,
        order: ProcessingOrder,
        head_probe: Callable[[], HeadProbe] | None = None,
        on_exhausted: Callable[[], None] | None = None,
        hash_only: bool = False,
    ) -> None:
        super().__init__(db, evidence_id, item, enumeration, progress, on_exhausted, hash_only)
        self.order = order
        # The first rank is handed out twice: hashed while the walk lists, analysed once it is ranked.
        self.hash_first = order.hash_first and not hash_only
        self._head_probe = head_probe  # opens a HeadProbe (in the typing thread); None: no header check
        self._state = LISTING
        self._listed_first = array("q")  # first-rank items handed out while the walk was listing
        # Hashed first: the first pass's items, smallest first (more items checked per second of hashing)
        self._quick: list[tuple[int, int, WorkItem]] = []
        self._quick_held: list[tuple[int, int, WorkItem]] = []  # over QUICK_HOLD_BYTES, until the walk ends
        self._tiers: list[array] = []
        self._tier = 0
        self._position = 0
        self._handed = bytearray()
        self._late: list[tuple[int, int]] = []  # (rank, id) of items typed by their head, a heap
        self._late_lock = threading.Lock()
        self._typing: threading.Thread | None = None
        self._stop = threading.Event()
        self.header_checked = 0  # items whose head was read, and how many of them rose in rank
        self.header_raised = 0
        self.order_seen: list[int] = []  # ids in the order handed out (kept only when asked: tests)
        self.keep_order = False
        self._ranks: dict[int, int] = {}  # rank of each item queued or out, until its result comes
        self._handed_count = 0  # items handed out so far (batches grow with it, see FIRST_BATCH_ITEMS)
        progress.stage = order.rank_name(0)

    # -- the batches -----------------------------------------------------------------------------------
    def _max_items(self) -> int:
        usual = super()._max_items()
        return min(usual, max(FIRST_BATCH_ITEMS, self._handed_count))

    @property
    def hashing_ahead(self) -> bool:
        """Whether the first pass (hashed first) still has items to hand out or is waiting for the walk."""
        return self.hash_first and (self._state == LISTING or bool(self._quick) or bool(self._quick_held))

    @property
    def finished(self) -> bool:
        return self._state == DONE

    def close(self) -> None:
        """Stop the typing thread (the job ends or is cancelled)."""
        self._stop.set()
        if self._typing is not None:
            self._typing.join(5)

    def _handed_out(self, work: WorkItem) -> None:
        self._handed_count += 1
        if work.file_id < len(self._handed) and not work.hash_only:  # a first pass is not its processing
            self._handed[work.file_id] = 1
        if self.keep_order and not work.hash_only:  # the order of the whole processing
            self.order_seen.append(work.file_id)

    def _refill(self) -> bool:
        if self._state == LISTING:
            if self._refill_listing():
                return True
            if self._state == LISTING:
                return False
        if self._state == SERVING:
            return self._refill_serving()
        return False

    # -- 1. while the walk lists -----------------------------------------------------------------------
    def _refill_listing(self) -> bool:
        """First-rank items among the newly listed rows; moves on to ranking once the walk has ended."""
        for attempt in range(2):
            self.pump()
            was_enumerated = self.enumerated
            while self._scan_listing():
                if self._ready and not self.hash_first:
                    return True
            if self._take_quick():
                return True
            if was_enumerated:
                for held in self._quick_held:
                    heapq.heappush(self._quick, held)
                self._quick_held = []
                self._rank_everything()
                self._state = SERVING
                return False
            if attempt == 0:
                self.pump(wait=IDLE_WAIT)
        return False

    def _scan_listing(self) -> bool:
        """Read the next page of listed rows; queue the first-rank ones. False when no row is new."""
        with self.db.engine.connect() as conn:
            rows = execute(conn, RANK_PAGE, (self.evidence_id, self._last_id, PAGE)).fetchall()
        for row in rows:
            if self._rank_of(row) == 0:
                if self.hash_first and row[14] != UNALLOCATED:
                    quick = (row[2] or 0, row[0], self._work(row, 0, hash_only=True))
                    if quick[0] > QUICK_HOLD_BYTES:
                        self._quick_held.append(quick)
                    else:
                        heapq.heappush(self._quick, quick)
                else:
                    self._ready.append(self._work(row, 0))
                self._listed_first.append(row[0])
        if rows:
            self._last_id = rows[-1][0]
        return bool(rows)

    def _rank_of(self, row) -> int:  # noqa: ANN001 - a RANK_PAGE row
        path, extension, deleted, link = row[3], row[11], row[12], row[14]
        return self.order.rank(path or "", extension_type(extension), bool(deleted), link)

    # -- 2. ranking everything -------------------------------------------------------------------------
    def _rank_everything(self) -> None:
        """One pass over the pending items: each rank's ids, the items to type by their head."""
        order = self.order
        tiers = [array("q") for _ in range(order.last)]
        # hashed first: the first rank's items listed so far are still to be analysed (in rank 0 again)
        listed_first = set() if self.hash_first else set(self._listed_first)
        candidates = array("q")
        limit = order.header_check_items if self._head_probe is not None else 0
        last, highest = 0, 0
        with self.db.engine.connect() as conn:
            while True:
                rows = execute(conn, RANK_PAGE, (self.evidence_id, last, PAGE * 5)).fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                for row in rows:
                    file_id = row[0]
                    highest = file_id
                    if file_id in listed_first:
                        continue
                    path, size, extension, deleted, kind, link = (
                        row[3],
                        row[2],
                        row[11],
                        row[12],
                        row[13],
                        row[14],
                    )
                    named = extension_type(extension)
                    rank = order.rank(path or "", named, bool(deleted), link)
                    if rank < order.last:
                        tiers[rank].append(file_id)
                    if (
                        named is None
                        and kind == "file"
                        and link is None
                        and (size or 0) >= HEAD_MIN_SIZE
                        and len(candidates) < limit
                        and order.could_rise(path or "", bool(deleted), link, rank)
                    ):
                        candidates.append(file_id)
        self._tiers = tiers
        self._handed = bytearray(max(highest, self._last_id) + 1)
        for file_id in listed_first:
            self._handed[file_id] = 1
        self._tier, self._position, self._last_id = 0, 0, 0
        if candidates:
            self._typing = threading.Thread(
                target=self._type_by_head, args=(candidates,), name="custos-header-check", daemon=True
            )
            self._typing.start()
        self._show_stage()

    def _type_by_head(self, candidates: array) -> None:
        """Read each candidate's head; one that shows a picture, video or container joins its rank."""
        assert self._head_probe is not None
        try:
            probe = self._head_probe()
        except Exception:  # noqa: BLE001 - the evidence cannot be opened here: ranks by name only
            return
        try:
            for start in range(0, len(candidates), HEAD_PAGE):
                if self._stop.is_set():
                    return
                ids = candidates[start : start + HEAD_PAGE].tolist()
                with self.db.engine.connect() as conn:
                    rows = execute(
                        conn, HEAD_ROWS.format(ids=json_ids_sql(conn)), (json.dumps(ids),)
                    ).fetchall()
                for file_id, runs, path, size, deleted, link in rows:
                    head = probe.head(runs, path or "", size or 0)
                    self.header_checked += 1
                    kind = head_type(head) if head else None
                    if kind is None:
                        continue
                    named = self.order.rank(path or "", None, bool(deleted), link)
                    rank = self.order.rank(path or "", kind, bool(deleted), link)
                    if rank < named:
                        self.header_raised += 1
                        with self._late_lock:
                            heapq.heappush(self._late, (rank, file_id))
        finally:
            probe.close()

    # -- 3./4. handing out -----------------------------------------------------------------------------
    def _take_quick(self) -> bool:
        """The smallest first-pass items listed so far, a batch of them, into the ready queue."""
        for _ in range(self._max_items()):
            if not self._quick:
                break
            self._ready.append(heapq.heappop(self._quick)[2])
        return bool(self._ready)

    def _refill_serving(self) -> bool:
        if self._take_quick():  # the first pass ends before the first rank is analysed
            return True
        while True:
            late = self._take_late(self._tier)
            if late:
                self._queue(late)
                if self._ready:
                    return True
                continue
            if self._tier < len(self._tiers):
                tier = self._tiers[self._tier]
                if self._position < len(tier):
                    ids = [i for i in tier[self._position : self._position + PAGE] if not self._handed[i]]
                    self._position += PAGE
                    self._queue(ids)
                    if self._ready:
                        return True
                    continue
                self._tier += 1
                self._position = 0
                self._show_stage()
                continue
            if self._typing is not None and self._typing.is_alive():
                self._typing.join(IDLE_WAIT)  # everything ranked is out: what the heads say comes next
                return False
            if self._late:
                continue
            if self._read_rest():
                return True
            self._state = DONE
            return False

    def _take_late(self, up_to: int) -> list[int]:
        """Ids typed by their head whose rank is ``up_to`` or before (all of them past the last rank)."""
        taken: list[int] = []
        with self._late_lock:
            while self._late and (self._late[0][0] <= up_to or self._tier >= len(self._tiers)):
                _rank, file_id = heapq.heappop(self._late)
                if not self._handed[file_id]:
                    taken.append(file_id)
        return sorted(taken)

    def _queue(self, ids: list[int]) -> None:
        """Queue the rows of these ids that are still pending, in id order."""
        if not ids:
            return
        with self.db.engine.connect() as conn:
            rows = execute(conn, ROWS_BY_ID.format(ids=json_ids_sql(conn)), (json.dumps(ids),)).fetchall()
        rank = min(self._tier, self.order.last)
        known = self._known_digests(ids) if self.hash_first and rank == 0 else {}
        for row in rows:
            if not self._handed[row[0]]:
                self._ready.append(self._work(row, rank, known=known.get(row[0])))

    def _known_digests(self, ids: list[int]) -> dict[int, tuple[str, str, str, int]]:
        """The digests and sizes a first pass stored for these items (those whose result has come)."""
        with self.db.engine.connect() as conn:
            among = KNOWN_DIGESTS.format(ids=json_ids_sql(conn))
            rows = execute(conn, among, (json.dumps(ids),)).fetchall()
        return {fid: (md5, sha1, sha256, int(size)) for fid, md5, sha1, sha256, size in rows}

    def _read_rest(self) -> bool:
        """The next page of items no rank took, in walk order. False when none is left."""
        while True:
            with self.db.engine.connect() as conn:
                rows = execute(conn, RANK_PAGE, (self.evidence_id, self._last_id, PAGE)).fetchall()
            if not rows:
                return False
            self._last_id = rows[-1][0]
            handed = self._handed
            for row in rows:
                if row[0] >= len(handed) or not handed[row[0]]:
                    self._ready.append(self._work(row, self.order.last))
            if self._ready:
                return True

    def _show_stage(self) -> None:
        self.progress.stage = self.order.rank_name(min(self._tier, self.order.last))

    def stage_of(self, busy: list[int]) -> str:
        """The name of the first rank among the items being processed (the rank handed out when none)."""
        ranks = [self._ranks[i] for i in busy if i in self._ranks]
        return self.order.rank_name(min(ranks)) if ranks else self.progress.stage

    def forget(self, file_ids: list[int]) -> None:
        """Items whose results came back: their rank is no longer kept."""
        for file_id in file_ids:
            self._ranks.pop(file_id, None)

    def _work(  # noqa: ANN001 - a row starting with the item columns
        self, row, rank: int, hash_only: bool = False, known: tuple[str, str, str, int] | None = None
    ) -> WorkItem:
        self._ranks[row[0]] = rank  # queued or being processed (forgotten when the result comes)
        fid, name, size, path, inode, attr_type, attr_id, stream, offset, fs_type, link = row[:11]
        locator = root_locator_dict(self.item, fs_type, offset, inode, attr_type, attr_id, stream, path)
        if link is not None:
            locator = with_link(locator, link)
        return WorkItem(fid, locator, name, size or 0, hash_only=hash_only, known=known)
