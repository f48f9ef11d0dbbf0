"""The ingest's matching thread: stored items are matched as the writer commits them.

The writer hands over the ids of each commit (items and the items found inside them); this thread
matches them (:class:`forensics.hashsets.live.LiveMatcher`), so findings are in the case, readable by
the GUI and ``custos findings``, seconds after the items are stored, and turns the new findings into
:class:`~forensics.core.progress.AlertRecord` s for the front end. Items already stored when the job
started (a resumed or repeated job, or items of an earlier job that did not match) are matched too,
whenever no new commit waits: the job's findings then equal those of matching the whole item after it.
Only ids wait in memory (8 bytes an item).
"""

from __future__ import annotations

import json
import threading
import time
from array import array
from collections import deque
from collections.abc import Iterable

from forensics.case.db import CaseDatabase
from forensics.case.models_findings import Finding
from forensics.core.progress import AlertRecord
from forensics.core.sqldialect import execute, json_ids_sql
from forensics.hashsets.live import LiveMatcher

MATCH_PAGE = 900  # stored items matched together (one exact lookup per algorithm, one index search)
WAIT = 0.2  # seconds the thread sleeps when nothing is waiting
ALGORITHM_NAMES = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "pdq": "PDQ", "phash": "pHash"}
ALGORITHM_NAMES |= {"dhash": "dHash", "vpdq": "vPDQ", "pdq-frame": "PDQ of a video frame"}
# Stored items of one evidence item that were processed before this job (matched when nothing else waits).
STORED_BEFORE = "SELECT id FROM files WHERE evidence_id = ? AND status != 'pending' ORDER BY id"
PATHS = "SELECT id, path, parent_id FROM files WHERE id IN ({ids})"
NESTING = 10  # holders followed when an item inside others is named


def basis_text(findings: list[Finding]) -> str:
    """How findings of one file and entry matched, in words: ``exact MD5, SHA-1``, ``PDQ distance 12 of
    31, rot90``."""
    exact = [ALGORITHM_NAMES.get(f.algorithm, f.algorithm) for f in findings if f.threshold is None]
    parts = [f"exact {', '.join(exact)}"] if exact else []
    for finding in findings:
        if finding.threshold is not None:
            name = ALGORITHM_NAMES.get(finding.algorithm, finding.algorithm)
            variant = f", {finding.variant}" if finding.variant else ""
            parts.append(f"{name} distance {finding.distance} of {finding.threshold}{variant}")
    return "; ".join(parts)


class MatchingThread:
    """Matches what the writer stores; :meth:`finish` waits for the rest and ends the thread."""

    def __init__(self, matcher: LiveMatcher, db: CaseDatabase, evidence_id: int, item: str) -> None:
        self.matcher = matcher
        self.db = db
        self.item = item
        self._waiting: deque[list[int]] = deque()
        self._before = array("q")  # stored before the job, matched when nothing new waits
        self._before_at = 0
        with db.engine.connect() as conn:
            self._before.extend(r[0] for r in execute(conn, STORED_BEFORE, (evidence_id,)))
        self._lock = threading.Condition()
        self._closing = False
        self._skip_before = False
        self._alerts: list[AlertRecord] = []
        self.alerts = 0  # files with a new finding of kind "alert" so far
        self._flagged: set[int] = set()
        self.findings = 0
        self.error: str | None = None
        self.started = time.monotonic()
        # The indexes are built on a thread of their own; until then items are matched by their exact
        # hashes and wait here (8 bytes an item) for their perceptual matching.
        self._prepared = threading.Event()
        self._deferred = array("q")
        self._reported: set[tuple[int, str, int]] = set()  # (file, set, entry) told in an alert record
        self._thread = threading.Thread(target=self._run, name="custos-matching", daemon=True)

    def start(self) -> None:
        self.started = time.monotonic()
        self._thread.start()

    def submit(self, file_ids: Iterable[int]) -> None:
        """Ids of stored items (a commit of the writer) to match."""
        ids = list(file_ids)
        if ids:
            with self._lock:
                self._waiting.append(ids)
                self._lock.notify()

    def take_alerts(self) -> list[AlertRecord]:
        """The findings made since the last call, as alert records."""
        with self._lock:
            taken, self._alerts = self._alerts, []
        return taken

    def finish(self, whole_item: bool) -> None:
        """Match what is waiting, and with ``whole_item`` what was stored before the job; then end."""
        with self._lock:
            self._closing = True
            self._skip_before = not whole_item
            self._lock.notify()
        self._thread.join()

    def _next(self) -> list[int] | None:
        """The next ids to match: new commits first, then items stored before; None: the thread ends.

        An empty list: nothing new, but the indexes are ready for the items matched so far by their
        exact hashes alone.
        """
        with self._lock:
            while True:
                if self._waiting:
                    ids: list[int] = []
                    while self._waiting and len(ids) < MATCH_PAGE:
                        ids.extend(self._waiting.popleft())
                    return ids
                if self._deferred and self._prepared.is_set():
                    return []
                if self._before_at < len(self._before) and not self._skip_before:
                    page = self._before[self._before_at : self._before_at + MATCH_PAGE].tolist()
                    self._before_at += MATCH_PAGE
                    return page
                if self._closing:
                    return None
                self._lock.wait(WAIT)

    def _prepare(self) -> None:
        try:
            self.matcher.prepare()
        except Exception as exc:  # noqa: BLE001 - reported with the job, never lost
            self.error = f"matching during ingest stopped: {exc}"
        finally:
            self._prepared.set()
            with self._lock:
                self._lock.notify()

    def _run(self) -> None:
        # The indexes while the first items are processed, not after them; exact hashes need none.
        preparing = threading.Thread(target=self._prepare, name="custos-matching-indexes", daemon=True)
        preparing.start()
        while True:
            ids = self._next()
            ending = ids is None
            if ending:
                preparing.join()  # what waits for the indexes is matched before the thread ends
            if self.error is not None:
                del self._deferred[:]  # matching failed: the rest is left to `custos match` (the job says so)
                if ending:
                    return
                continue
            batch = ids or []
            try:
                self._note(self.matcher.match_exact(batch), batch)
                if self._prepared.is_set():
                    batch = self._deferred[:MATCH_PAGE].tolist() + batch  # a page of those that waited
                    del self._deferred[:MATCH_PAGE]
                    self._note(self.matcher.match_perceptual(batch), batch)
                else:
                    self._deferred.extend(batch)
            except Exception as exc:  # noqa: BLE001 - reported with the job, never lost
                self.error = f"matching during ingest stopped: {exc}"
            if ending and not self._deferred:
                return

    def _note(self, added: list[Finding], ids: list[int]) -> None:
        """Findings just added: alert records for the ones not told yet, and the counts."""
        if not added:
            return
        records = self._records(added, ids)
        with self._lock:
            self.findings += len(added)
            for record in records:
                self._alerts.append(record)
                if record.kind == "alert" and record.file_id not in self._flagged:
                    self._flagged.add(record.file_id)
                    self.alerts += 1

    def _records(self, findings: list[Finding], ids: list[int]) -> list[AlertRecord]:
        """One record per file, list and entry (an entry's MD5 and SHA-1 matching is one alert), in the
        order the files were stored."""
        paths = self._paths({f.file_id for f in findings})
        seconds = round(time.monotonic() - self.started, 2)
        position = {file_id: number for number, file_id in reversed(list(enumerate(ids)))}
        grouped: dict[tuple[int, str, int], list[Finding]] = {}
        for finding in sorted(findings, key=lambda f: (position.get(f.file_id, len(ids)), f.file_id, f.id)):
            grouped.setdefault((finding.file_id, finding.set_uid, finding.entry_id), []).append(finding)
        records = []
        for key, same in grouped.items():
            if key in self._reported:
                continue  # told when its exact hashes matched: its perceptual findings are in the case
            self._reported.add(key)
            file_id, first = key[0], same[0]
            records.append(
                AlertRecord(
                    item=self.item,
                    path=paths.get(file_id, ""),
                    set_name=first.set_name,
                    kind=first.kind,
                    category=first.category_label
                    or ("" if first.category is None else f"category {first.category}"),
                    algorithm=", ".join(f.algorithm for f in same),
                    distance=min(int(f.distance or 0) for f in same),
                    basis=basis_text(same),
                    file_id=file_id,
                    seconds=seconds,
                )
            )
        return records

    def _paths(self, file_ids: set[int]) -> dict[int, str]:
        """Each item's path as the examiner reads it: an item inside others after its holders' paths."""
        known: dict[int, tuple[str, int | None]] = {}
        wanted = set(file_ids)
        with self.db.engine.connect() as conn:
            for _ in range(NESTING):
                missing = sorted(wanted - known.keys())
                if not missing:
                    break
                for fid, path, parent in execute(
                    conn, PATHS.format(ids=json_ids_sql(conn)), (json.dumps(missing),)
                ):
                    known[fid] = (path or "", parent)
                wanted = {parent for _path, parent in known.values() if parent is not None}
        named: dict[int, str] = {}
        for fid in file_ids:
            parts, current = [], fid
            for _ in range(NESTING):
                path, parent = known.get(current, ("?", None))
                parts.append(path)
                if parent is None:
                    break
                current = parent
            named[fid] = " > ".join(reversed(parts))
        return named
