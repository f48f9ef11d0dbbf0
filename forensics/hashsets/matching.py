"""Match a case's files against library sets: exact (MD5/SHA-1/SHA-256) and perceptual (PDQ, pHash, dHash).

Alert and informational entries become findings with their full provenance; known entries mark files
known. Existing findings/marks are never duplicated, so a re-run only adds what new sets or wider
thresholds bring. The case's ``files`` and ``file_analysis`` tables are read with SQL text, so this
module does not depend on the analysis models. The parts: :mod:`exact`, :mod:`perceptual` (the hits),
:mod:`findings_writer` (the case's findings), this module (a run, its record and summary).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, inspect

from forensics.case.db import CaseDatabase
from forensics.case.models_findings import MatchRun
from forensics.core.timeutil import utc_now_iso
from forensics.hashsets.calibration import ALGORITHM_NAMES, rate_statement
from forensics.hashsets.exact import exact_hits
from forensics.hashsets.findings_writer import FindingsWriter
from forensics.hashsets.formats import VIDEO_FORMATS
from forensics.hashsets.hashes import PERCEPTUAL_ALGORITHMS
from forensics.hashsets.hits import MatchSettings
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.message_findings import write_message_findings
from forensics.hashsets.perceptual import perceptual_hits
from forensics.hashsets.set_info import SetInfo

__all__ = ["MatchSettings", "MatchSummary", "SetUsage", "match_case"]

Progress = Callable[[str, int], None]  # (phase, files done)


@dataclass
class SetUsage:
    """One set used by a run and what it produced."""

    info: SetInfo
    findings: int = 0
    known: int = 0

    def custody_details(self, settings: MatchSettings) -> dict[str, Any]:
        """The set and how it was compared: thresholds in force with their measured false-match rates."""
        algorithms = self.info.algorithms()
        thresholds = {a: t for a in algorithms if (t := settings.threshold(a)) is not None}
        details: dict[str, Any] = {
            "name": self.info.name,
            "version": self.info.version,
            "source_sha256": self.info.source_sha256,
            "kind": self.info.kind,
            "entries": self.info.entry_count,
            "algorithms": algorithms,
            "thresholds": thresholds
            | ({"pdq_min_quality": settings.pdq_min_quality} if "pdq" in algorithms else {})
            | (video_thresholds(settings) if self.info.format in VIDEO_FORMATS else {}),
        }
        if thresholds:
            details["false_match_rates"] = {a: rate_statement(a, t) for a, t in thresholds.items()}
            details["content_regions"] = settings.regions
            details["gate_64bit"] = settings.gate_64bit
        if not_compared := [a for a in algorithms if a in PERCEPTUAL_ALGORITHMS and a not in thresholds]:
            details["not_compared"] = not_compared
        return details


def video_thresholds(settings: MatchSettings) -> dict[str, int | float]:
    """Meta's rule as the run applied it to a set of listed videos."""
    return {
        "vpdq": settings.vpdq_threshold,
        "vpdq_min_quality": settings.vpdq_min_quality,
        "vpdq_listed_share": settings.vpdq_listed_share,
        "vpdq_query_share": settings.vpdq_query_share,
    }


@dataclass
class MatchSummary:
    """What a match run did."""

    run_id: int
    sets: list[SetUsage]
    findings_added: int = 0
    known_added: int = 0
    warnings: list[str] = field(default_factory=list)
    video_copy_groups: int = 0  # groups of the case's videos that are copies of one clip (stacked)
    # Of ``findings_added``: findings from a WhatsApp message's stored hash whose file no item holds.
    message_findings_added: int = 0


def not_compared_warning(algorithm: str) -> str:
    """Why a perceptual algorithm of the selected sets was not compared: no threshold was set for it."""
    name = ALGORITHM_NAMES.get(algorithm, algorithm)
    return (
        f"{name} entries were not compared: no {name} threshold was set (the default; no {name} threshold "
        "kept the measured false-match rate at or under 1e-6 per pair, docs/matching.md)"
    )


def start_run(
    case_db: CaseDatabase,
    library: HashSetLibrary,
    sets: list[SetInfo],
    settings: MatchSettings,
    examiner: str | None,
) -> tuple[int, dict[int, SetUsage]]:
    """Record a match run of these sets (status ``running``); its id and the usage of each set."""
    usage = {info.id: SetUsage(info) for info in sets}
    with case_db.session() as session:
        run = MatchRun(
            started_at=utc_now_iso(),
            examiner=examiner,
            library=library.location,
            sets_json=json.dumps([u.custody_details(settings) | {"uid": u.info.uid} for u in usage.values()]),
            settings_json=json.dumps(settings.as_dict()),
            status="running",
            findings_added=0,
            known_added=0,
        )
        session.add(run)
        session.flush()
        return run.id, usage


def _has_table(engine: Engine, name: str) -> bool:
    return inspect(engine).has_table(name)


def match_case(
    case_db: CaseDatabase,
    library: HashSetLibrary,
    *,
    set_names: list[str] | None = None,
    settings: MatchSettings | None = None,
    examiner: str | None = None,
    progress: Progress | None = None,
) -> MatchSummary:
    """Match every hashed file of the case against the selected complete sets (all by default)."""
    settings = settings or MatchSettings()
    run_id, usage = start_run(case_db, library, library.select(set_names), settings, examiner)
    summary = MatchSummary(run_id=run_id, sets=list(usage.values()))
    writer = FindingsWriter(case_db, library, usage, run_id, settings)
    set_ids = list(usage)
    try:
        if set_ids:
            writer.write(exact_hits(case_db.engine, library, set_ids))
            summary.message_findings_added = write_message_findings(case_db, library, usage, run_id)
            if progress:
                progress("exact", writer.findings_added + writer.known_added)
            if _has_table(case_db.engine, "file_analysis"):
                for algorithm in PERCEPTUAL_ALGORITHMS:
                    if not any(algorithm in u.info.algorithms() for u in usage.values()):
                        continue
                    if settings.threshold(algorithm) is None:
                        summary.warnings.append(not_compared_warning(algorithm))
                    else:
                        writer.write(perceptual_hits(case_db.engine, library, set_ids, algorithm, settings))
                        if progress:
                            progress(algorithm, writer.findings_added + writer.known_added)
            else:
                summary.warnings.append("no file_analysis table in this case: perceptual matching skipped")
            _match_videos(case_db, library, set_ids, usage, settings, writer, progress)
        if _has_table(case_db.engine, "video_copies"):
            from forensics.hashsets.video_matching import store_copy_groups

            summary.video_copy_groups = store_copy_groups(case_db, run_id, settings)
    except BaseException as exc:
        _finish(case_db, run_id, "failed", writer, str(exc))
        raise
    writer.findings_added += summary.message_findings_added
    _finish(case_db, run_id, "finished", writer, None)
    summary.findings_added = writer.findings_added
    summary.known_added = writer.known_added
    return summary


def _match_videos(
    case_db: CaseDatabase,
    library: HashSetLibrary,
    set_ids: list[int],
    usage: dict[int, SetUsage],
    settings: MatchSettings,
    writer: FindingsWriter,
    progress: Progress | None,
) -> None:
    """The case's videos against vPDQ lists, and their sampled frames against PDQ picture lists."""
    if not _has_table(case_db.engine, "video_frames"):
        return
    from forensics.hashsets.video_matching import frame_hits, vpdq_hits  # numpy work only when asked

    if any(u.info.format in VIDEO_FORMATS for u in usage.values()):
        writer.write(vpdq_hits(case_db.engine, library, set_ids, settings))
        if progress:
            progress("vpdq", writer.findings_added + writer.known_added)
    if any("pdq" in u.info.algorithms() for u in usage.values()):
        writer.write(frame_hits(case_db.engine, library, set_ids, settings))
        if progress:
            progress("pdq-frame", writer.findings_added + writer.known_added)


def _finish(
    case_db: CaseDatabase, run_id: int, status: str, writer: FindingsWriter, error: str | None
) -> None:
    finish_run(case_db, run_id, status, writer.findings_added, writer.known_added, error)


def finish_run(
    case_db: CaseDatabase, run_id: int, status: str, findings: int, known: int, error: str | None = None
) -> None:
    """Close a match run: its status (``finished``, ``failed``, or how its ingest job ended) and counts."""
    with case_db.session() as session:
        run = session.get(MatchRun, run_id)
        assert run is not None
        run.status = status
        run.finished_at = utc_now_iso()
        run.findings_added = findings
        run.known_added = known
        run.error = error
