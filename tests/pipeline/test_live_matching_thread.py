"""The ingest's matching thread: exact hashes are matched while the perceptual indexes are still being
built (a large list's index takes seconds), and every item is matched perceptually once they are ready."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

from forensics.case.db import CaseDatabase
from forensics.pipeline.live_matching import MATCH_PAGE, MatchingThread


def _finding(file_id: int, entry_id: int, algorithm: str, number: int) -> SimpleNamespace:
    return SimpleNamespace(
        id=number,
        file_id=file_id,
        set_uid="set-1",
        entry_id=entry_id,
        set_name="alerts",
        kind="alert",
        category_label="",
        category=None,
        algorithm=algorithm,
        distance=0 if algorithm == "md5" else 4,
        threshold=None if algorithm == "md5" else 27,
        variant=None,
    )


class SlowIndexMatcher:
    """Exact hits on file 1 (entry 10); perceptual hits on file 1 (the same entry) and file 3 (entry 30).
    Its indexes are ready only when the test says so."""

    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.fail = fail
        self.exact: list[int] = []
        self.perceptual: list[int] = []
        self.perceptual_calls: list[int] = []  # ids per call
        self.prepared_at: float | None = None

    def prepare(self) -> None:
        assert self.release.wait(30)
        self.prepared_at = time.monotonic()
        if self.fail:
            raise RuntimeError("index cache unreadable")

    def match_exact(self, ids: list[int]) -> list[SimpleNamespace]:
        self.exact.extend(ids)
        return [_finding(1, 10, "md5", 1)] if 1 in ids else []

    def match_perceptual(self, ids: list[int]) -> list[SimpleNamespace]:
        assert self.prepared_at is not None, "perceptual matching before the indexes were ready"
        self.perceptual.extend(ids)
        self.perceptual_calls.append(len(ids))
        found = [_finding(1, 10, "pdq", 2)] if 1 in ids else []
        return found + ([_finding(3, 30, "pdq", 3)] if 3 in ids else [])


def _thread(tmp_path: Path, matcher: SlowIndexMatcher) -> tuple[MatchingThread, CaseDatabase]:
    db = CaseDatabase(tmp_path / "case", create=True)
    thread = MatchingThread(matcher, db, 1, "EV1")  # type: ignore[arg-type]
    thread.start()
    return thread, db


def _wait_for(condition, seconds: float = 10.0) -> None:  # noqa: ANN001
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, "timed out"
        time.sleep(0.01)


def test_exact_alerts_come_before_the_indexes_and_every_item_is_matched_perceptually(tmp_path: Path) -> None:
    matcher = SlowIndexMatcher()
    thread, db = _thread(tmp_path, matcher)
    try:
        thread.submit([1, 2])
        alerts: list = []
        _wait_for(lambda: bool(alerts.extend(thread.take_alerts()) or alerts))
        assert matcher.prepared_at is None  # the alert did not wait for the indexes
        assert [(a.file_id, a.algorithm) for a in alerts] == [(1, "md5")] and thread.alerts == 1
        thread.submit([3])
        _wait_for(lambda: 3 in matcher.exact)
        assert matcher.perceptual == []
        matcher.release.set()
        _wait_for(lambda: sorted(matcher.perceptual) == [1, 2, 3])  # before the job ends
        thread.submit([4])
        thread.finish(whole_item=True)
    finally:
        db.close()
    assert sorted(matcher.exact) == [1, 2, 3, 4] and sorted(matcher.perceptual) == [1, 2, 3, 4]
    alerts.extend(thread.take_alerts())
    # File 1's PDQ finding on the entry its MD5 already alerted for is stored, not told again.
    assert [(a.file_id, a.algorithm) for a in alerts] == [(1, "md5"), (3, "pdq")]
    assert thread.findings == 3 and thread.alerts == 2 and thread.error is None


def test_items_still_waiting_for_the_indexes_at_the_end_are_matched_before_the_thread_ends(
    tmp_path: Path,
) -> None:
    matcher = SlowIndexMatcher()
    thread, db = _thread(tmp_path, matcher)
    try:
        thread.submit([1, 3])
        _wait_for(lambda: 3 in matcher.exact)
        threading.Timer(0.3, matcher.release.set).start()
        thread.finish(whole_item=True)  # waits for the indexes, then matches what waited for them
    finally:
        db.close()
    assert sorted(matcher.perceptual) == [1, 3] and thread.error is None


def test_indexes_that_fail_stop_the_matching_and_say_why(tmp_path: Path) -> None:
    matcher = SlowIndexMatcher(fail=True)
    thread, db = _thread(tmp_path, matcher)
    try:
        thread.submit([1])
        _wait_for(lambda: 1 in matcher.exact)
        matcher.release.set()
        _wait_for(lambda: thread.error is not None)
        thread.submit([3])
        thread.finish(whole_item=True)
    finally:
        db.close()
    assert matcher.perceptual == [] and "index cache unreadable" in (thread.error or "")


def test_many_items_that_waited_for_the_indexes_are_matched_a_page_at_a_time(tmp_path: Path) -> None:
    matcher = SlowIndexMatcher()
    thread, db = _thread(tmp_path, matcher)
    waiting = list(range(10, 10 + 3 * MATCH_PAGE))
    try:
        for start in range(0, len(waiting), 100):
            thread.submit(waiting[start : start + 100])
        _wait_for(lambda: len(matcher.exact) == len(waiting))
        matcher.release.set()
        thread.finish(whole_item=True)
    finally:
        db.close()
    assert sorted(matcher.perceptual) == waiting and thread.error is None
    assert max(matcher.perceptual_calls) <= MATCH_PAGE
