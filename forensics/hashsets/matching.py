"""Match a case's files against library sets: exact (MD5/SHA-1/SHA-256) and perceptual (PDQ, pHash, dHash).

Alert and informational entries become findings with their full provenance; known entries mark files
known. Existing findings/marks are never duplicated, so a re-run only adds what new sets or wider
thresholds bring. The case's ``files`` and ``file_analysis`` tables are read with SQL text, so this
module does not depend on the analysis models.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, inspect, select, text

from forensics.case.db import CaseDatabase
from forensics.case.models_findings import FileKnown, Finding, MatchRun
from forensics.core.categories import scheme_for
from forensics.core.timeutil import utc_now_iso
from forensics.hashsets.errors import HashSetError
from forensics.hashsets.hamming import HammingIndex, choose_index
from forensics.hashsets.hashes import EXACT_ALGORITHMS, HEX_LENGTH, PERCEPTUAL_ALGORITHMS
from forensics.hashsets.index_cache import IndexCache, cache_key, default_cache_root
from forensics.hashsets.library import HashSetLibrary, SetInfo
from forensics.hashsets.mih import MultiIndexHashIndex
from forensics.hashsets.models import HashEntry

DIHEDRAL_VARIANTS = (
    "original",
    "rot90",
    "rot180",
    "rot270",
    "flip_vertical",
    "flip_horizontal",
    "rot90_flip_vertical",
    "rot90_flip_horizontal",
)
PAGE = 900
WRITE_BATCH = 2000
Progress = Callable[[str, int], None]  # (phase, files done)


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds in force; recorded with every finding and in the custody log."""

    pdq_threshold: int = 31
    pdq_min_quality: int = 50
    phash_threshold: int = 8
    dhash_threshold: int = 10

    def threshold(self, algorithm: str) -> int | None:
        return {"pdq": self.pdq_threshold, "phash": self.phash_threshold, "dhash": self.dhash_threshold}.get(
            algorithm
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Hit:
    """A case file matched a library entry."""

    file_id: int
    entry_id: int
    algorithm: str
    distance: int = 0
    variant: str | None = None


@dataclass
class SetUsage:
    """One set used by a run and what it produced."""

    info: SetInfo
    findings: int = 0
    known: int = 0

    def custody_details(self, settings: MatchSettings) -> dict[str, Any]:
        algorithms = self.info.algorithms()
        return {
            "name": self.info.name,
            "version": self.info.version,
            "source_sha256": self.info.source_sha256,
            "kind": self.info.kind,
            "entries": self.info.entry_count,
            "algorithms": algorithms,
            "thresholds": {a: settings.threshold(a) for a in algorithms if settings.threshold(a) is not None}
            | ({"pdq_min_quality": settings.pdq_min_quality} if "pdq" in algorithms else {}),
        }


@dataclass
class MatchSummary:
    """What a match run did."""

    run_id: int
    sets: list[SetUsage]
    findings_added: int = 0
    known_added: int = 0
    warnings: list[str] = field(default_factory=list)


def _has_table(engine: Engine, name: str) -> bool:
    return inspect(engine).has_table(name)


def _hex_bytes(value: Any, algorithm: str) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if not value or len(value) != HEX_LENGTH[algorithm]:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def lookup_exact(
    library: HashSetLibrary, algorithm: str, digests: list[bytes], set_ids: list[int]
) -> list[tuple[int, bytes]]:
    """``(entry_id, digest)`` of the entries of the selected sets holding any of these digests."""
    column = HashEntry.__table__.c[algorithm]
    # Only the hash is constrained in SQL: with ``set_id`` in the WHERE clause SQLite picks the set_id
    # index and scans the whole set for every batch. Few entries share a digest, so the set filter is cheap.
    wanted = set(set_ids)
    query = select(HashEntry.id, HashEntry.set_id, column).where(column.in_(digests))
    with library.engine.connect() as connection:
        return [
            (entry_id, bytes(digest))
            for entry_id, set_id, digest in connection.execute(query)
            if set_id in wanted
        ]


def exact_hits(case_engine: Engine, library: HashSetLibrary, set_ids: list[int]) -> Iterator[Hit]:
    """Files whose MD5, SHA-1 or SHA-256 equals an entry of the selected sets."""
    for algorithm in EXACT_ALGORITHMS:
        last = 0
        while True:
            with case_engine.connect() as connection:
                rows = connection.execute(
                    text(
                        f"SELECT id, {algorithm} FROM files WHERE {algorithm} IS NOT NULL AND id > :last "
                        "ORDER BY id LIMIT :page"
                    ),
                    {"last": last, "page": PAGE},
                ).all()
            if not rows:
                break
            last = rows[-1][0]
            by_digest: dict[bytes, list[int]] = {}
            for file_id, value in rows:
                digest = _hex_bytes(value, algorithm)
                if digest is not None:
                    by_digest.setdefault(digest, []).append(file_id)
            if not by_digest:
                continue
            for entry_id, digest in lookup_exact(library, algorithm, list(by_digest), set_ids):
                for file_id in by_digest[digest]:
                    yield Hit(file_id, entry_id, algorithm)


LOAD_BATCH = 100_000  # rows per fetch of load_codes


def load_codes(
    library: HashSetLibrary, set_ids: list[int], algorithm: str, min_quality: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Entry ids and ``uint8`` codes of one perceptual algorithm over the selected sets."""
    width = HEX_LENGTH[algorithm] // 2
    if not set_ids:
        return np.zeros(0, np.int64), np.zeros((0, width), np.uint8)
    if library.engine.dialect.name == "sqlite":
        return _load_codes_sqlite(library, set_ids, algorithm, min_quality, width)
    return _load_codes_generic(library, set_ids, algorithm, min_quality, width)


def _load_codes_generic(
    library: HashSetLibrary, set_ids: list[int], algorithm: str, min_quality: int | None, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Any database: streamed SQLAlchemy rows."""
    column = HashEntry.__table__.c[algorithm]
    where = [HashEntry.set_id.in_(set_ids), column.is_not(None), func.length(column) == width]
    if algorithm == "pdq" and min_quality is not None:
        where.append((HashEntry.pdq_quality.is_(None)) | (HashEntry.pdq_quality >= min_quality))
    ids: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    query = select(HashEntry.id, column).where(*where)
    with library.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=LOAD_BATCH).execute(query)
        for chunk in result.partitions(LOAD_BATCH):
            ids.append(np.fromiter((row[0] for row in chunk), dtype=np.int64, count=len(chunk)))
            blob = b"".join(bytes(row[1]) for row in chunk)
            codes.append(np.frombuffer(blob, dtype=np.uint8).reshape(len(chunk), width))
    return _joined(ids, codes, width)


def _load_codes_sqlite(
    library: HashSetLibrary, set_ids: list[int], algorithm: str, min_quality: int | None, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """SQLite: the driver's rows taken apart in C (``itemgetter``, ``bytes.join``), no per-row Python code.

    SQLAlchemy's row objects cost about 1 CPU s per million codes, more than SQLite's own reading.
    """
    column = HashEntry.__table__.c[algorithm].name  # a known column name, never user text
    sql = (
        f"SELECT id, {column} FROM hash_entries WHERE set_id IN ({', '.join('?' * len(set_ids))}) "
        f"AND {column} IS NOT NULL AND length({column}) = ?"
    )
    params: list[int] = [*set_ids, width]
    if algorithm == "pdq" and min_quality is not None:
        sql += " AND (pdq_quality IS NULL OR pdq_quality >= ?)"
        params.append(min_quality)
    ids: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    with library.engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(LOAD_BATCH):
                ids.append(np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=len(rows)))
                blob = b"".join(map(itemgetter(1), rows))
                codes.append(np.frombuffer(blob, dtype=np.uint8).reshape(len(rows), width))
        finally:
            cursor.close()
    return _joined(ids, codes, width)


def _joined(ids: list[np.ndarray], codes: list[np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
    if not ids:
        return np.zeros(0, np.int64), np.zeros((0, width), np.uint8)
    return np.concatenate(ids), np.concatenate(codes)


def _case_perceptual_rows(case_engine: Engine, algorithm: str, min_quality: int) -> Iterator[list[Any]]:
    """Pages of ``(file_id, code, dihedral)`` from ``file_analysis``."""
    if algorithm == "pdq":
        columns = "file_id, pdq, pdq_dihedral"
        where = "pdq IS NOT NULL AND (pdq_quality IS NULL OR pdq_quality >= :quality)"
    else:
        columns = f"file_id, {algorithm}, NULL"
        where = f"{algorithm} IS NOT NULL"
    last = 0
    while True:
        with case_engine.connect() as connection:
            rows = connection.execute(
                text(
                    f"SELECT {columns} FROM file_analysis WHERE {where} AND file_id > :last "
                    "ORDER BY file_id LIMIT :page"
                ),
                {"last": last, "page": PAGE, "quality": min_quality},
            ).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _queries(rows: Iterable[Any], algorithm: str) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Query codes (all dihedral variants when stored) and who each one belongs to."""
    width = HEX_LENGTH[algorithm] // 2
    codes: list[bytes] = []
    owners: list[tuple[int, str]] = []
    for file_id, value, dihedral in rows:
        code = _hex_bytes(value, algorithm)
        if code is None:
            continue
        variants = bytes(dihedral) if dihedral is not None else b""
        if len(variants) == width * len(DIHEDRAL_VARIANTS):
            for index, name in enumerate(DIHEDRAL_VARIANTS):
                codes.append(variants[index * width : (index + 1) * width])
                owners.append((file_id, name))
        else:
            codes.append(code)
            owners.append((file_id, "original"))
    matrix = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(len(codes), width)
    return matrix, owners


def perceptual_index(
    library: HashSetLibrary,
    set_ids: list[int],
    algorithm: str,
    settings: MatchSettings,
    index_factory: Callable[[int, int, int], HammingIndex] = choose_index,
    cache: IndexCache | None = None,
) -> tuple[np.ndarray, HammingIndex] | None:
    """Library entry ids (by index label) and the index of one algorithm over the selected sets.

    A multi-index hashing index is taken from the index cache when a valid entry exists for exactly these
    sets and settings, else built from the library and stored there. ``None`` when no code qualifies.
    """
    threshold = settings.threshold(algorithm)
    assert threshold is not None
    wanted = set(set_ids)
    sets = [info for info in library.sets() if info.id in wanted]
    expected = sum(getattr(info, f"{algorithm}_count") for info in sets)
    if not expected:
        return None
    index = index_factory(HEX_LENGTH[algorithm] * 4, expected, threshold)
    key = None
    if isinstance(index, MultiIndexHashIndex):
        cache = cache or IndexCache(default_cache_root(library.location))
        key = cache_key(library.location, sets, algorithm, settings.pdq_min_quality, index)
        cached = cache.load(key)
        if cached is not None:
            return cached.entry_ids, cached.index
    entry_ids, codes = load_codes(library, set_ids, algorithm, settings.pdq_min_quality)
    if not len(entry_ids):
        return None
    index.add(codes)
    if cache is not None and key is not None and isinstance(index, MultiIndexHashIndex):
        cache.store(key, entry_ids, index)
    return entry_ids, index


def perceptual_hits(
    case_engine: Engine,
    library: HashSetLibrary,
    set_ids: list[int],
    algorithm: str,
    settings: MatchSettings,
    index_factory: Callable[[int, int, int], HammingIndex] = choose_index,
    cache: IndexCache | None = None,
) -> Iterator[Hit]:
    """Files whose perceptual hash (any stored dihedral variant) is within the threshold of an entry."""
    built = perceptual_index(library, set_ids, algorithm, settings, index_factory, cache)
    if built is None:
        return
    entry_ids, index = built
    threshold = settings.threshold(algorithm)
    assert threshold is not None
    for rows in _case_perceptual_rows(case_engine, algorithm, settings.pdq_min_quality):
        queries, owners = _queries(rows, algorithm)
        if not len(owners):
            continue
        lims, distances, labels = index.search_within(queries, threshold)
        best: dict[tuple[int, int], tuple[int, str]] = {}
        for q, (file_id, variant) in enumerate(owners):
            for distance, label in zip(
                distances[lims[q] : lims[q + 1]], labels[lims[q] : lims[q + 1]], strict=True
            ):
                key = (file_id, int(entry_ids[label]))
                if key not in best or int(distance) < best[key][0]:
                    best[key] = (int(distance), variant)
        for (file_id, entry_id), (distance, variant) in sorted(best.items()):
            yield Hit(file_id, entry_id, algorithm, distance, variant)


def _category_label(region: str, category: int | None) -> str:
    """The label of a category in the set's region; still a clear text if that scheme is gone."""
    try:
        return scheme_for(region).label(category)
    except HashSetError:
        return f"category {category} (scheme {region!r} not in the category table)"


class _Writer:
    """Turns hits into findings and known marks, skipping what the case already has."""

    def __init__(
        self,
        case_db: CaseDatabase,
        library: HashSetLibrary,
        usage: dict[int, SetUsage],
        run_id: int,
        settings: MatchSettings,
    ) -> None:
        self.case_db = case_db
        self.library = library
        self.usage = usage
        self.run_id = run_id
        self.settings = settings
        self.findings_added = 0
        self.known_added = 0

    def write(self, hits: Iterable[Hit]) -> None:
        batch: list[Hit] = []
        for hit in hits:
            batch.append(hit)
            if len(batch) >= WRITE_BATCH:
                self._write_batch(batch)
                batch = []
        if batch:
            self._write_batch(batch)

    def _entries(self, entry_ids: set[int]) -> dict[int, Any]:
        with self.library.engine.connect() as connection:
            rows = connection.execute(select(HashEntry).where(HashEntry.id.in_(entry_ids))).mappings().all()
        return {row["id"]: row for row in rows}

    def _write_batch(self, hits: list[Hit]) -> None:
        entries = self._entries({hit.entry_id for hit in hits})
        file_ids = sorted({hit.file_id for hit in hits})
        now = utc_now_iso()
        with self.case_db.session() as session:
            have_findings = {
                tuple(row)
                for row in session.execute(
                    select(Finding.file_id, Finding.set_uid, Finding.entry_id, Finding.algorithm).where(
                        Finding.file_id.in_(file_ids)
                    )
                )
            }
            have_known = {
                tuple(row)
                for row in session.execute(
                    select(FileKnown.file_id, FileKnown.set_uid).where(FileKnown.file_id.in_(file_ids))
                )
            }
            for hit in hits:
                entry = entries[hit.entry_id]
                usage = self.usage[entry["set_id"]]
                info = usage.info
                kind = entry["kind"] or info.kind
                if kind == "known":
                    if (hit.file_id, info.uid) in have_known:
                        continue
                    have_known.add((hit.file_id, info.uid))
                    session.add(
                        FileKnown(
                            run_id=self.run_id,
                            file_id=hit.file_id,
                            set_uid=info.uid,
                            set_name=info.name,
                            set_version=info.version,
                            set_source_sha256=info.source_sha256,
                            algorithm=hit.algorithm,
                            entry_id=hit.entry_id,
                            created_at=now,
                        )
                    )
                    usage.known += 1
                    self.known_added += 1
                    continue
                key = (hit.file_id, info.uid, hit.entry_id, hit.algorithm)
                if key in have_findings:
                    continue
                have_findings.add(key)
                session.add(self._finding(hit, entry, info, kind, now))
                usage.findings += 1
                self.findings_added += 1

    def _finding(self, hit: Hit, entry: Any, info: SetInfo, kind: str, now: str) -> Finding:
        is_vics = info.format.startswith(("vics", "nist-caid"))
        label = _category_label(info.region, entry["category"]) if is_vics else None
        return Finding(
            run_id=self.run_id,
            file_id=hit.file_id,
            set_uid=info.uid,
            set_name=info.name,
            set_version=info.version,
            set_kind=info.kind,
            set_format=info.format,
            set_source_name=info.source_name,
            set_source_sha256=info.source_sha256,
            set_region=info.region,
            kind=kind,
            entry_id=hit.entry_id,
            entry_record_no=entry["record_no"],
            media_id=entry["media_id"],
            category=entry["category"],
            category_label=label,
            series=entry["series"],
            tags=entry["tags"],
            entry_json=entry["raw_json"],
            algorithm=hit.algorithm,
            matched_hash=bytes(entry[hit.algorithm]).hex(),
            distance=hit.distance,
            threshold=self.settings.threshold(hit.algorithm),
            variant=hit.variant,
            created_at=now,
        )


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
    sets = library.select(set_names)
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
        run_id = run.id
    summary = MatchSummary(run_id=run_id, sets=list(usage.values()))
    writer = _Writer(case_db, library, usage, run_id, settings)
    set_ids = list(usage)
    try:
        if set_ids:
            writer.write(exact_hits(case_db.engine, library, set_ids))
            if progress:
                progress("exact", writer.findings_added + writer.known_added)
            if _has_table(case_db.engine, "file_analysis"):
                for algorithm in PERCEPTUAL_ALGORITHMS:
                    if any(algorithm in u.info.algorithms() for u in usage.values()):
                        writer.write(perceptual_hits(case_db.engine, library, set_ids, algorithm, settings))
                        if progress:
                            progress(algorithm, writer.findings_added + writer.known_added)
            else:
                summary.warnings.append("no file_analysis table in this case: perceptual matching skipped")
    except BaseException as exc:
        _finish(case_db, run_id, "failed", writer, str(exc))
        raise
    _finish(case_db, run_id, "finished", writer, None)
    summary.findings_added = writer.findings_added
    summary.known_added = writer.known_added
    return summary


def _finish(case_db: CaseDatabase, run_id: int, status: str, writer: _Writer, error: str | None) -> None:
    with case_db.session() as session:
        run = session.get(MatchRun, run_id)
        assert run is not None
        run.status = status
        run.finished_at = utc_now_iso()
        run.findings_added = writer.findings_added
        run.known_added = writer.known_added
        run.error = error
