"""Matching during an ingest: each batch of stored items against the selected sets, as it is written.

The same matchers as ``custos match`` (:mod:`exact`, :mod:`perceptual`, :mod:`video_matching`) and the
same :class:`~forensics.hashsets.findings_writer.FindingsWriter` (provenance, thresholds, known marks,
never a finding twice), run on the files of one batch at a time instead of the whole case. The
perceptual indexes and the listed videos are built (or taken from the index cache) once per job, while
the first batches are matched by their exact hashes alone (those need no index: the first alerts do not
wait for the indexes of a large list); they are what ``custos match`` holds in memory too. One match run
records the job's matching; what only makes sense over the whole case (findings from WhatsApp messages'
stored hashes, groups of video copies) is done once at the end of a finished job
(:meth:`LiveMatcher.finish_case`).
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import inspect

from forensics.case.db import CaseDatabase
from forensics.case.models_findings import Finding
from forensics.core.sqldialect import defer_foreign_keys, execute
from forensics.hashsets.exact import exact_hits_of
from forensics.hashsets.findings_writer import FindingsWriter
from forensics.hashsets.formats import VIDEO_FORMATS
from forensics.hashsets.hashes import PERCEPTUAL_ALGORITHMS
from forensics.hashsets.hits import Hit, MatchSettings
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import SetUsage, finish_run, not_compared_warning, start_run
from forensics.hashsets.set_info import SetInfo


class LiveMatcher:
    """The matching of one ingest job: a match run, the indexes, and the findings of each batch.

    One thread matches (the ingest's matching thread); :meth:`prepare` may run on another meanwhile, as
    long as :meth:`match_perceptual` waits for it (:meth:`match_exact` touches nothing it builds).
    ``write_lock`` is held while findings are written (shared with the job's other writers: one write
    transaction at a time).
    """

    def __init__(
        self,
        case_db: CaseDatabase,
        library: HashSetLibrary,
        sets: list[SetInfo],
        settings: MatchSettings,
        examiner: str | None,
    ) -> None:
        self.case_db = case_db
        self.library = library
        self.settings = settings
        self.run_id, self.usage = start_run(case_db, library, sets, settings, examiner)
        self.set_ids = list(self.usage)
        self.writer = FindingsWriter(case_db, library, self.usage, self.run_id, settings)
        self.writer.keep_added = True
        self.write_lock: AbstractContextManager = nullcontext()
        self._indexes: dict[str, Any] | None = None
        self._preparing = threading.Lock()  # one build of the indexes, whichever thread asks first
        self._vpdq: Any = None
        self._has_analysis = self._has_frames = self._has_regions = False
        self.warnings: list[str] = []  # why an algorithm of the sets was not compared (no threshold set)
        self.message_findings_added = 0
        self.video_copy_groups = 0

    @property
    def sets(self) -> list[SetUsage]:
        return list(self.usage.values())

    @property
    def matches_anything(self) -> bool:
        return bool(self.set_ids)

    def _algorithms(self) -> set[str]:
        return {a for u in self.usage.values() for a in u.info.algorithms()}

    def prepare(self) -> None:
        """Build (or load from the index cache) what every batch is matched against: once per job."""
        with self._preparing:
            if self._indexes is None:
                self._prepare()

    def _prepare(self) -> None:
        from forensics.hashsets.perceptual import perceptual_index  # numpy only for jobs that match

        engine = self.case_db.engine
        self._has_analysis = inspect(engine).has_table("file_analysis")
        self._has_frames = inspect(engine).has_table("video_frames")
        self._has_regions = inspect(engine).has_table("file_regions")
        indexes: dict[str, Any] = {}
        wanted = self._algorithms()
        for algorithm in PERCEPTUAL_ALGORITHMS:
            if algorithm not in wanted or not self.set_ids:
                continue
            if self.settings.threshold(algorithm) is None:
                self.warnings.append(not_compared_warning(algorithm))
            else:
                built = perceptual_index(self.library, self.set_ids, algorithm, self.settings)
                if built is not None:
                    indexes[algorithm] = built
        if self._has_frames and any(u.info.format in VIDEO_FORMATS for u in self.usage.values()):
            from forensics.hashsets.video_matching import vpdq_lists

            self._vpdq = vpdq_lists(self.library, self.set_ids, self.settings)
        self._indexes = indexes

    def match(self, file_ids: list[int]) -> list[Finding]:
        """Match these stored files; returns the findings added (none twice, known marks apart)."""
        return self.match_exact(file_ids) + self.match_perceptual(file_ids)

    def match_exact(self, file_ids: list[int]) -> list[Finding]:
        """The exact hashes of these stored files only: needs no index, so it can run before
        :meth:`prepare` has ended (what an ingest's first alerts come from)."""
        if not self.set_ids or not file_ids:
            return []
        ids = sorted(set(file_ids))
        return self._write(list(exact_hits_of(self.case_db.engine, self.library, self.set_ids, ids)))

    def match_perceptual(self, file_ids: list[int]) -> list[Finding]:
        """The perceptual hashes and video frames of these stored files (prepares the indexes first)."""
        if not self.set_ids or not file_ids:
            return []
        self.prepare()
        return self._write(self._perceptual_hits(sorted(set(file_ids))))

    def _write(self, hits: list[Hit]) -> list[Finding]:
        if hits:
            with self.write_lock:
                self.writer.write(hits)
        return self.writer.take_added()

    def _perceptual_hits(self, file_ids: list[int]) -> list[Hit]:
        from forensics.hashsets.perceptual import case_rows_of, hits_in_rows

        engine = self.case_db.engine
        hits: list[Hit] = []
        assert self._indexes is not None
        if self._has_analysis:
            with_regions = self.settings.regions and self._has_regions
            for algorithm, built in self._indexes.items():
                rows = case_rows_of(engine, algorithm, self.settings, file_ids)
                hits.extend(
                    hits_in_rows(engine, self.library, rows, algorithm, self.settings, built, with_regions)
                )
        if self._has_frames and (self._vpdq is not None or "pdq" in self._indexes):
            hits.extend(self._video_hits(file_ids))
        return hits

    def _video_hits(self, file_ids: list[int]) -> list[Hit]:
        from forensics.hashsets.video_matching import case_videos, frame_hits, videos_among, vpdq_hits

        engine = self.case_db.engine
        videos = videos_among(engine, file_ids)
        if not videos:
            return []
        page = [case_videos(engine, videos)]
        hits: list[Hit] = []
        if self._vpdq is not None:
            hits.extend(vpdq_hits(engine, self.library, self.set_ids, self.settings, page, self._vpdq))
        if "pdq" in (self._indexes or {}):
            built = self._indexes["pdq"]  # type: ignore[index]
            hits.extend(
                frame_hits(engine, self.library, self.set_ids, self.settings, pages=page, built=built)
            )
        return hits

    def finish_case(self) -> None:
        """What needs the whole case, once a job has finished: message findings, groups of video copies."""
        from forensics.hashsets.message_findings import write_message_findings

        if self.set_ids:
            with self.write_lock:
                self.message_findings_added = write_message_findings(
                    self.case_db, self.library, self.usage, self.run_id
                )
        if inspect(self.case_db.engine).has_table("video_copies"):
            from forensics.hashsets.video_matching import store_copy_groups

            with self.write_lock:
                self.video_copy_groups = store_copy_groups(self.case_db, self.run_id, self.settings)

    def number_findings(self) -> None:
        """Give the run's findings their final numbers: the same ids, in the order of their files.

        Findings are stored as matching finds them, so their ids first follow the processing order; once
        the job's matching has ended they are renumbered by (file, set, entry, algorithm), so that a
        job's findings carry the same numbers in any processing order (before the job's seal).
        """
        with self.write_lock, self.case_db.engine.begin() as conn:
            rows = execute(
                conn,
                "SELECT id, file_id, set_uid, entry_id, algorithm FROM findings WHERE run_id = ? ORDER BY id",
                (self.run_id,),
            ).fetchall()
            ordered = sorted(rows, key=lambda r: (r[1], r[2], r[3], r[4]))
            moves = [
                (row[0], new) for row, new in zip(ordered, (r[0] for r in rows), strict=True) if row[0] != new
            ]
            if not moves:
                return
            tables = inspect(conn).get_table_names()
            held = [t for t in ("finding_video", "finding_regions") if t in tables]  # rows keyed by finding
            defer_foreign_keys(conn)  # checked at commit, both tables done
            for sign, pairs in ((-1, [(old, old) for old, _new in moves]), (1, moves)):
                for old, new in pairs:
                    source = -old if sign > 0 else old
                    execute(conn, "UPDATE findings SET id = ? WHERE id = ?", (sign * new, source))
                    for table in held:
                        execute(
                            conn,
                            f"UPDATE {table} SET finding_id = ? WHERE finding_id = ?",
                            (sign * new, source),
                        )

    @property
    def findings_added(self) -> int:
        return self.writer.findings_added + self.message_findings_added

    @property
    def known_added(self) -> int:
        return self.writer.known_added

    def close(self, status: str, error: str | None = None) -> None:
        """Record how the run ended (its job's status: finished, cancelled, stopped; or failed)."""
        finish_run(self.case_db, self.run_id, status, self.findings_added, self.known_added, error)
