"""Case-level parts of the report: people, methodology, hash sets, custody summary, notes, GPS points."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forensics.case.models import Evidence, File, FileSystem, IngestError, IngestJob
from forensics.case.models_analysis import FileExif
from forensics.case.models_findings import Finding, MatchRun
from forensics.case.models_review import FileNote
from forensics.case.models_video import FileVideo
from forensics.case.queries.whatsapp import sources as whatsapp_sources
from forensics.core.local_times import LOCAL_TIME_FS
from forensics.core.local_times import RULE as LOCAL_TIME_RULE
from forensics.custody import actions
from forensics.custody.log import head_hash, read_entries
from forensics.custody.membership import members
from forensics.custody.trust import workstation_trust
from forensics.custody.verify import verify_case
from forensics.hashsets.calibration import ALGORITHM_NAMES, rate_statement
from forensics.hashsets.hashes import PERCEPTUAL_ALGORITHMS
from forensics.reports.model import CustodyEvent, CustodySummary, GeoPoint, HashSetUsed, Methodology, Person
from forensics.reports.text import printable_text

# Routine events counted in the summary but not listed one by one.
ROUTINE_ACTIONS = frozenset({actions.FILE_VIEWED, actions.FILE_REVEALED})


def collect_examiners(db) -> list[Person]:
    """Examiners registered on the case, in order of registration."""
    people = []
    for member in members(db):
        role = "Examiner" if member.active else "Examiner (removed from the case)"
        people.append(Person(member.name, role, member.agency, member.badge, member.key_id))
    return people


def _loads(text: str | None, default):
    try:
        value = json.loads(text) if text else default
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def _setting_text(value: object) -> object:
    """A match setting as the report shows it: a threshold not set is ``off``, a flag ``yes``/``no``."""
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def run_rates(sets: list, settings: dict) -> list[str]:
    """Per perceptual algorithm of a run's sets: its threshold in force with the measured false-match rate.

    The sentence recorded when the run was made (``false_match_rates`` of its sets) is quoted as it was;
    a run recorded before those sentences existed gets this build's measurement of its thresholds. An
    algorithm without a threshold was not compared, and the report says so.
    """
    recorded: dict[str, str] = {}
    used: set[str] = set()
    for entry in sets:
        if isinstance(entry, dict):
            used.update(str(a) for a in entry.get("algorithms") or ())
            rates = entry.get("false_match_rates")
            if isinstance(rates, dict):
                recorded.update({str(a): str(text) for a, text in rates.items()})
    sentences = []
    for algorithm in PERCEPTUAL_ALGORITHMS:
        if algorithm not in used:
            continue
        threshold = settings.get(f"{algorithm}_threshold")
        name = ALGORITHM_NAMES[algorithm]
        if algorithm in recorded:
            sentences.append(recorded[algorithm])
        elif isinstance(threshold, int):
            sentences.append(rate_statement(algorithm, threshold))
        else:
            sentences.append(f"{name}: not compared (no {name} threshold was set)")
    return sentences


def collect_methodology(db, session: Session) -> Methodology:
    """Ingest jobs (profile, tasks, workers, counts) and match runs (sets, thresholds), in order."""
    tasks_by_job = {
        e.details.get("job_id"): e.details.get("tasks")
        for e in read_entries(db)
        if e.action in (actions.INGEST_STARTED, actions.INGEST_RESUMED)
    }
    jobs = []
    for job, item in session.execute(
        select(IngestJob, Evidence.item)
        .join(Evidence, Evidence.id == IngestJob.evidence_id)
        .order_by(IngestJob.id)
    ):
        jobs.append(
            {
                "job": job.id,
                "item": item,
                "profile": job.profile,
                "tasks": sorted(tasks_by_job.get(job.id) or []),
                "workers": job.workers,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
                "status": job.status,
                "items_done": job.items_done,
                "items_failed": job.items_failed,
            }
        )
    runs = []
    for run in session.scalars(select(MatchRun).order_by(MatchRun.id)):
        sets = _loads(run.sets_json, [])
        settings = _loads(run.settings_json, {})
        runs.append(
            {
                "run": run.id,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "status": run.status,
                "examiner": run.examiner,
                "sets": sorted(str(s.get("name")) for s in sets if isinstance(s, dict)),
                "settings": {k: _setting_text(v) for k, v in sorted(settings.items())},
                "rates": run_rates(sets, settings),
                "findings_added": run.findings_added,
            }
        )
    return Methodology(tuple(jobs), tuple(runs))


def collect_hash_sets(session: Session) -> list[HashSetUsed]:
    """Each set used by any match run (once per import uid), sorted by name then uid."""
    used: dict[str, HashSetUsed] = {}
    # Match runs record no source file name; findings copy it from the library.
    source_names = dict(session.execute(select(Finding.set_uid, Finding.set_source_name).distinct()).all())
    for sets_json in session.scalars(select(MatchRun.sets_json).order_by(MatchRun.id)):
        for entry in _loads(sets_json, []):
            if not isinstance(entry, dict):
                continue
            uid = str(entry.get("uid") or entry.get("source_sha256"))
            used[uid] = HashSetUsed(
                name=str(entry.get("name")),
                uid=uid,
                kind=str(entry.get("kind")),
                version=entry.get("version"),
                source_name=str(entry.get("source_name") or source_names.get(uid) or "-"),
                source_sha256=str(entry.get("source_sha256")),
                entries=entry.get("entries"),
                algorithms=tuple(entry.get("algorithms") or ()),
            )
    return sorted(used.values(), key=lambda s: (s.name, s.uid))


def collect_custody(db) -> tuple[CustodySummary, str]:
    """The log summary with its head hash, and the verifier's verdict on the whole chain."""
    entries = list(read_entries(db))
    counts = Counter(e.action for e in entries)
    events = tuple(
        CustodyEvent(e.seq, e.ts, e.examiner, e.action, e.item, e.entry_hash)
        for e in entries
        if e.action not in ROUTINE_ACTIONS
    )
    summary = CustodySummary(len(entries), head_hash(db), tuple(sorted(counts.items())), events)
    verdict = verify_case(db.case_dir, trusted_keys=workstation_trust())
    if verdict.failure is not None:
        text = f"NOT VERIFIED: entry {verdict.failure.seq}: {verdict.failure.kind}: {verdict.failure.message}"
    elif not verdict.ok:
        problems = [*verdict.result_lines(), *verdict.anchor_problems]
        if verdict.unanchored:
            problems.append("no trusted key for " + ", ".join(verdict.unanchored))
        text = "NOT VERIFIED: " + "; ".join(problems)
    else:
        sealed = "sealed results" if verdict.results is not None else "results (never sealed)"
        text = (
            f"verified: {verdict.entries} entries; chain, signatures, {sealed} and this workstation's "
            "witnessed checkpoints intact; every key on the lab roster or this workstation"
        )
    return summary, text


def collect_file_notes(session: Session) -> list[str]:
    """Examiners' notes on files, as "path: note (examiner, time)", in file then time order."""
    query = (
        select(FileNote, File.path, Evidence.item)
        .join(File, File.id == FileNote.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .order_by(Evidence.item, File.path, File.id, FileNote.at, FileNote.id)
    )
    return [
        printable_text(f"{item} {path}: {note.text} ({note.examiner}, {note.at})")
        for note, path, item in session.execute(query)
    ]


def collect_geo(session: Session) -> list[GeoPoint]:
    """Files whose EXIF data holds GPS coordinates, by item, path and id."""
    query = (
        select(FileExif, File, Evidence.item)
        .join(File, File.id == FileExif.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .where(FileExif.gps_lat.is_not(None), FileExif.gps_lon.is_not(None))
        .order_by(Evidence.item, File.path, File.id)
    )
    return [
        GeoPoint(
            f.id,
            item,
            printable_text(f.path),
            exif.gps_lat,
            exif.gps_lon,
            exif.gps_alt,
            exif.datetime_original,
            f.md5,
            f.sha256,
        )
        for exif, f, item in session.execute(query)
        if exif.gps_lat is not None and exif.gps_lon is not None  # as the query asks
    ]


MAX_LISTING_PROBLEMS = 20


def _listing_problems(session: Session) -> list[str]:
    """What the enumeration recorded about whole file systems (walk errors, damaged chunks), per item."""
    rows = session.execute(
        select(Evidence.item, IngestError.message)
        .join(Evidence, Evidence.id == IngestError.evidence_id)
        .where(IngestError.stage == "enumerate")
        .order_by(IngestError.id)
    ).all()
    unique = list(dict.fromkeys(f"Listing evidence item {item}: {message}" for item, message in rows))
    if len(unique) > MAX_LISTING_PROBLEMS:
        more = len(unique) - MAX_LISTING_PROBLEMS
        unique = [*unique[:MAX_LISTING_PROBLEMS], f"... and {more} more problem(s) met while listing."]
    return unique


def _stopped_at_first_alert(session: Session) -> list[str]:
    """Evidence items whose last ingest ended at its first alert (field triage): not fully processed."""
    latest = (
        select(IngestJob.evidence_id, func.max(IngestJob.id).label("job_id"))
        .group_by(IngestJob.evidence_id)
        .subquery()
    )
    rows = session.execute(
        select(Evidence.item, IngestJob.items_total, IngestJob.items_done, IngestJob.items_failed)
        .join(latest, latest.c.job_id == IngestJob.id)
        .join(Evidence, Evidence.id == IngestJob.evidence_id)
        .where(IngestJob.status == "stopped")
        .order_by(Evidence.item)
    ).all()
    return [
        f"Evidence item {item} was not fully processed: its ingest stopped at the first alert (field "
        f"triage, until-first-alert); {max((total or 0) - (done or 0) - (failed or 0), 0)} item(s) were not "
        "processed, and no finding can exist for them."
        for item, total, done, failed in rows
    ]


def computed_limitations(session: Session) -> list[str]:
    """Limitations that follow from this case's data: unreadable items, unopened file systems, time zones."""
    notes = []
    failed = session.scalar(select(func.count(File.id)).where(File.status == "error")) or 0
    pending = session.scalar(select(func.count(File.id)).where(File.status == "pending")) or 0
    item_errors = (
        session.scalar(select(func.count(IngestError.id)).where(IngestError.stage != "enumerate")) or 0
    )
    if failed:
        notes.append(f"{failed} item(s) could not be read completely; their hashes are missing or partial.")
    if pending:
        notes.append(f"{pending} item(s) were enumerated but not processed (ingest not finished).")
    notes.extend(_stopped_at_first_alert(session))
    if item_errors:
        notes.append(
            f"{item_errors} problem(s) with single items were recorded during ingest; the CSV export gives "
            "each item's error beside it."
        )
    notes.extend(_listing_problems(session))
    for fs in session.scalars(select(FileSystem).where(FileSystem.status != "ok").order_by(FileSystem.id)):
        notes.append(
            f"A file system at byte offset {fs.offset} could not be read ({fs.status}); it was not examined."
        )
    zone_notes = session.scalars(
        select(FileSystem.time_zone_note).where(FileSystem.time_zone_note.is_not(None)).distinct()
    )
    notes.extend(sorted(f"Time zone: {note}" for note in zone_notes))
    local = session.execute(
        select(Evidence.item, Evidence.time_zone)
        .join(FileSystem, FileSystem.evidence_id == Evidence.id)
        .where(FileSystem.fs_type.in_(sorted(LOCAL_TIME_FS)))
        .distinct()
        .order_by(Evidence.item)
    ).all()
    if local:
        zones = "; ".join(f"{item}: {zone or 'unknown (not set)'}" for item, zone in local)
        notes.append(f"Local times: {LOCAL_TIME_RULE} Source time zones: {zones}.")
    notes.extend(video_limitations(session))
    for source in whatsapp_sources(session):
        if not source["available"]:
            notes.append(f"WhatsApp database {source['path']} of item {source['item']}: {source['reason']}.")
    return notes


def video_limitations(session: Session) -> list[str]:
    """What the video work could not do in this case, and what video matches rest on."""
    notes = []
    query = select(func.count(FileVideo.file_id)).where(FileVideo.complete.is_(False))
    incomplete = session.scalar(query) or 0
    if incomplete:
        notes.append(
            f"{incomplete} video or audio file(s) could not be decoded to their end (truncated or damaged "
            "data, a false header, or a limit); the frames before the problem were hashed, and the CSV and "
            "the file listing give each file's notes."
        )
    video_findings = session.scalar(
        select(func.count(Finding.id)).where(Finding.algorithm.in_(("vpdq", "pdq-frame")))
    )
    if video_findings:
        notes.append(
            "Video matches compare frames sampled once a second (and keyframes where stated): a video "
            "finding states how many frames matched, the share of the case video and of the listed video, "
            "and where in the video they are. A list hashed from every frame is covered only in part by one "
            "frame a second, and Meta's vPDQ does not pair copies with a large overlay or different black "
            "bars; a video without a finding may still hold listed material."
        )
    return notes
