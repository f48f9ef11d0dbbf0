"""Streaming import of one hash-set file into the library, visible only once it fully committed.

Entries are written in batches into a set row whose ``complete`` flag is false (matching ignores it);
duplicates are then removed in SQL (bounded memory at any size), counts are taken, and the final
transaction flips ``complete``. Any failure deletes the staged rows.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import json
import sqlite3
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, RootTransaction, delete, func, insert, select, update

from forensics.core.categories import KINDS, CategoryScheme, scheme_for
from forensics.core.errors import CategoryError
from forensics.core.timeutil import utc_now_iso
from forensics.hashsets.errors import HashSetError, ImportFailed
from forensics.hashsets.formats import KNOWN_BY_DEFAULT, PARSERS, VIDEO_FORMATS, ParseContext
from forensics.hashsets.formats.detect import AmbiguousFormat, UnknownFormat, detect_format
from forensics.hashsets.formats.limits import DEFAULT_LIMITS, ImportLimits, InputLimitExceeded
from forensics.hashsets.formats.nsrl import NotRds
from forensics.hashsets.formats.vics import NotVics
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry, HashEntryVariant, HashSet
from forensics.hashsets.records import EntryRecord, Problem
from forensics.hashsets.set_info import SetInfo

BATCH_SIZE = 20_000
# Rows per write transaction. Entries land at random places of the hash indexes, so each commit rewrites
# most index pages it touched: few large transactions write far less than many small ones.
COMMIT_EVERY = 1_000_000
IMPORT_CACHE_KIB = 512 * 1024
PROBLEMS_KEPT = 20
VICS_FORMATS = frozenset({"vics", "nist-caid"})
FORMAT_ALIASES = {"sha1sum": "md5sum", "sha256sum": "md5sum", "sumfile": "md5sum", "nsrl": "rds3"}

Progress = Callable[[int, int], None]  # (records read, malformed so far)


@dataclass
class ImportOptions:
    """How to import: name, kind, format (None = detect), region scheme, strictness, who."""

    name: str | None = None
    kind: str | None = None
    format: str | None = None
    region: str = "US"
    version: str | None = None
    description: str | None = None
    strict: bool = False
    examiner: str | None = None
    progress: Progress | None = None
    limits: ImportLimits = DEFAULT_LIMITS


@dataclass
class ImportReport:
    """The outcome of a successful import."""

    set: SetInfo
    format: str
    records_read: int
    malformed: int
    duplicates: int
    problems: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def file_sha256(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    """SHA-256 and size of the source file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while block := stream.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def choose_format(path: Path, requested: str | None, limits: ImportLimits = DEFAULT_LIMITS) -> str:
    """The format named by the examiner (validated) or detected from the content."""
    if requested:
        name = FORMAT_ALIASES.get(requested.lower(), requested.lower())
        if name not in PARSERS:
            raise HashSetError(f"unknown format {requested!r}; known: {', '.join(sorted(PARSERS))}")
        return name
    try:
        return detect_format(path, limits)
    except AmbiguousFormat as exc:
        raise HashSetError(f"{path.name}: {exc}") from exc
    except (UnknownFormat, NotVics) as exc:
        raise HashSetError(f"{path.name}: format not recognised ({exc}); name it with --format") from exc
    except InputLimitExceeded as exc:
        raise ImportFailed(f"{path.name}: refused: {exc}") from exc


ENTRY_COLUMNS = (
    "set_id", "record_no", "md5", "sha1", "sha256", "pdq", "pdq_quality", "phash", "dhash", "kind",
    "media_id", "category", "series", "tags", "file_name", "size", "raw_json",
)  # fmt: skip
PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}
# The free-text values of a row, whose size bounds the memory of a batch.
TEXT_COLUMNS = tuple(
    ENTRY_COLUMNS.index(name) for name in ("media_id", "series", "tags", "file_name", "raw_json")
)


def _row(set_id: int, record: EntryRecord, scheme: CategoryScheme | None) -> tuple[Any, ...]:
    """The values of one ``hash_entries`` row, in :data:`ENTRY_COLUMNS` order."""
    return (
        set_id,
        record.record_no,
        record.md5,
        record.sha1,
        record.sha256,
        record.pdq,
        record.pdq_quality,
        record.phash,
        record.dhash,
        scheme.kind(record.category) if scheme else None,
        record.media_id,
        record.category,
        record.series,
        record.tags,
        record.file_name,
        record.size,
        json.dumps(record.raw, sort_keys=True, ensure_ascii=False) if record.raw else None,
    )


class _Staging:
    """The staged set row and its batched entry writes."""

    def __init__(self, library: HashSetLibrary, values: dict[str, Any], max_batch_bytes: int) -> None:
        self.library = library
        with library.engine.begin() as connection:
            key = connection.execute(insert(HashSet).values(**values)).inserted_primary_key
            assert key is not None  # the key of the row an INSERT just wrote
            self.set_id = key[0]
        self.rows: list[tuple[Any, ...]] = []
        # Extra hashes of entries not yet written: (record_no, algorithm, label, code, quality).
        self.variants: list[tuple[int, str, str, bytes, int | None]] = []
        self.variant_count = 0
        self.last_entry_id = 0
        self.max_batch_bytes = max_batch_bytes
        self.text_bytes = 0  # text held in ``rows``: a batch is also written once it holds this much
        self.connection: Connection | None = None
        self.driver_connection: Any = None  # kept to release the write lock if an interrupt broke the batch
        self.transaction: RootTransaction | None = None
        self.in_transaction = 0
        # Batches go straight to the driver's executemany: SQLAlchemy's per-row compilation costs more
        # than the insert itself at tens of millions of rows.
        mark = PLACEHOLDER.get(library.engine.dialect.paramstyle, "?")
        self.insert_sql = (
            f"INSERT INTO {HashEntry.__tablename__} ({', '.join(ENTRY_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(ENTRY_COLUMNS))})"
        )

    def add(self, row: tuple[Any, ...], record: EntryRecord | None = None) -> None:
        self.rows.append(row)
        if record is not None and record.variants:
            self.variants.extend((record.record_no, *variant) for variant in record.variants)
        self.text_bytes += sum(len(row[index] or "") for index in TEXT_COLUMNS)
        if len(self.rows) >= BATCH_SIZE or self.text_bytes >= self.max_batch_bytes:
            self.flush()

    def _write_variants(self) -> None:
        """Store the pending extra hashes under the ids their entries just got (one importer per set)."""
        assert self.connection is not None
        rows = self.connection.execute(
            select(HashEntry.id, HashEntry.record_no)
            .where(HashEntry.set_id == self.set_id, HashEntry.id > self.last_entry_id)
            .order_by(HashEntry.id)
        ).all()
        if rows:
            self.last_entry_id = rows[-1][0]
        ids = {record_no: entry_id for entry_id, record_no in rows}
        values = [
            {"entry_id": ids[number], "set_id": self.set_id, "algorithm": algorithm, "label": label,
             "code": code, "quality": quality}
            for number, algorithm, label, code, quality in self.variants
            if number in ids
        ]  # fmt: skip
        if values:
            self.connection.execute(insert(HashEntryVariant), values)
            self.variant_count += len(values)
        self.variants = []

    def flush(self) -> None:
        """Write the pending rows; commit once :data:`COMMIT_EVERY` rows are in the open transaction."""
        if not self.rows:
            return
        if self.connection is None:
            self.connection = self.library.engine.connect()
            self.driver_connection = self.connection.connection.dbapi_connection
            if self.library.engine.dialect.name == "sqlite":
                self.connection.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
                self.connection.commit()
        if self.transaction is None:
            self.transaction = self.connection.begin()
        self.connection.exec_driver_sql(self.insert_sql, self.rows)
        self.in_transaction += len(self.rows)
        self.rows = []
        if self.variants:
            self._write_variants()
        self.text_bytes = 0
        if self.in_transaction >= COMMIT_EVERY:
            self.end_writes()

    def end_writes(self, *, commit: bool = True) -> None:
        """Commit (or roll back) the open write transaction."""
        if self.transaction is not None:
            if commit:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        self.transaction = None
        self.in_transaction = 0

    def close(self) -> None:
        self.end_writes(commit=False)
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def remove_duplicates(self, per_media: bool = False) -> tuple[int, list[dict[str, Any]]]:
        """Delete entries whose hashes repeat an earlier entry of the set; count and cite the first.

        ``per_media``: only within the same ``media_id`` (frames of listed videos: a frame two videos share
        stays in both, or the second video's share of matched frames would be wrong).
        """
        columns: list[Any] = [
            HashEntry.md5,
            HashEntry.sha1,
            HashEntry.sha256,
            HashEntry.pdq,
            HashEntry.phash,
            HashEntry.dhash,
        ]
        if per_media:
            columns.append(HashEntry.media_id)
        keep = select(func.min(HashEntry.id)).where(HashEntry.set_id == self.set_id).group_by(*columns)
        duplicate = (HashEntry.set_id == self.set_id) & HashEntry.id.not_in(keep)
        with self.library.engine.begin() as connection:
            in_set = select(func.count()).where(HashEntry.set_id == self.set_id)
            total = connection.execute(in_set).scalar_one()
            distinct = connection.execute(select(func.count()).select_from(keep.subquery())).scalar_one()
            if distinct == total:  # the usual case: one grouping pass and done
                return 0, []
            first = connection.execute(
                select(HashEntry.record_no).where(duplicate).order_by(HashEntry.id).limit(PROBLEMS_KEPT)
            ).scalars()
            cited = [{"record": n, "message": f"record {n}: duplicate of an earlier entry"} for n in first]
            removed = connection.execute(delete(HashEntry).where(duplicate)).rowcount or 0
        return removed, cited

    def counts(self) -> dict[str, int]:
        columns = [
            HashEntry.md5,
            HashEntry.sha1,
            HashEntry.sha256,
            HashEntry.pdq,
            HashEntry.phash,
            HashEntry.dhash,
        ]
        query = select(func.count(), *[func.count(c) for c in columns]).where(HashEntry.set_id == self.set_id)
        with self.library.engine.connect() as connection:
            total, *per_algorithm = connection.execute(query).one()
        names = ["md5_count", "sha1_count", "sha256_count", "pdq_count", "phash_count", "dhash_count"]
        return {"entry_count": total, **dict(zip(names, per_algorithm, strict=True))}

    def commit(self, values: dict[str, Any]) -> None:
        with self.library.engine.begin() as connection:
            connection.execute(
                update(HashSet).where(HashSet.id == self.set_id).values(**values, complete=True)
            )

    def discard(self) -> None:
        # An interrupt inside the driver's executemany leaves SQLAlchemy's connection invalidated but the
        # driver's transaction (and SQLite's write lock) open: that one is ended at the driver first.
        invalidated = self.connection is not None and self.connection.invalidated
        broken = self.driver_connection if invalidated else None
        try:
            self.close()
        except Exception:  # noqa: BLE001 - an invalidated connection may refuse its rollback
            self.connection = None
        if broken is not None:
            with contextlib.suppress(Exception):
                broken.rollback()
            with contextlib.suppress(Exception):
                broken.close()
        with self.library.engine.begin() as connection:
            connection.execute(delete(HashEntryVariant).where(HashEntryVariant.set_id == self.set_id))
            connection.execute(delete(HashEntry).where(HashEntry.set_id == self.set_id))
            connection.execute(delete(HashSet).where(HashSet.id == self.set_id))


def _guarded(items: Iterator[EntryRecord | Problem]) -> Iterator[EntryRecord | Problem]:
    """The parser's items; a read error of the source (hostile or corrupt input) ends them as a problem."""
    last = 0
    try:
        for item in items:
            last = item.record_no
            yield item
    except (csv.Error, sqlite3.DatabaseError, UnicodeError, OSError) as exc:
        yield Problem(last + 1, f"record {last + 1}: cannot read further: {exc}", fatal=True)


def _check_name(library: HashSetLibrary, name: str) -> None:
    with library.engine.connect() as connection:
        existing = connection.execute(select(HashSet.complete).where(HashSet.name == name)).scalars().all()
    if existing:
        state = "a hash set" if any(existing) else "an unfinished import"
        raise HashSetError(f"{state} named {name!r} exists; remove it first or choose another --name")


def set_uid(source_sha256: str, name: str, kind: str, format_name: str, imported_at: str) -> str:
    """A set's identifier: derived from what was imported, as what and when (same inputs, same id)."""
    text = "\0".join((source_sha256, name, kind, format_name, imported_at))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def import_hash_set(library: HashSetLibrary, path: Path | str, options: ImportOptions) -> ImportReport:
    """Import one file as a new set; raises :class:`ImportFailed` if nothing valid remains."""
    path = Path(path)
    if not path.is_file():
        raise HashSetError(f"{path}: no such file")
    format_name = choose_format(path, options.format, options.limits)
    kind = options.kind or ("known" if format_name in KNOWN_BY_DEFAULT else "alert")
    if kind not in KINDS:
        raise HashSetError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    try:
        scheme = scheme_for(options.region)
    except CategoryError as exc:
        raise HashSetError(str(exc)) from exc
    name = options.name or path.stem
    _check_name(library, name)
    imported_at = utc_now_iso()
    staging = _Staging(
        library,
        {
            # Provisional until the file is hashed (at commit); the name, kind and time keep it unique.
            "uid": set_uid("", name, kind, format_name, imported_at),
            "name": name,
            "kind": kind,
            "format": format_name,
            "source_name": path.name,
            # Hashed once the content was accepted: a refused file (a hostile 2 GiB line) fails fast.
            "source_sha256": "",
            "source_size": 0,
            "version": options.version,
            "region": scheme.region,
            "description": options.description,
            "imported_at": imported_at,
            "imported_by": options.examiner,
            "complete": False,
        },
        options.limits.max_batch_bytes,
    )
    entry_scheme = scheme if format_name in VICS_FORMATS and kind == "alert" else None
    context = ParseContext(format=format_name, limits=options.limits)
    read = malformed = 0
    problems: list[dict[str, Any]] = []
    try:
        for item in _guarded(PARSERS[format_name](path, context)):
            read += 1
            if isinstance(item, Problem):
                malformed += 1
                if options.strict:
                    raise ImportFailed(f"{path.name}: {item.message} (strict mode)")
                if len(problems) < PROBLEMS_KEPT:
                    problems.append(item.as_dict())
            else:
                staging.add(_row(staging.set_id, item, entry_scheme), item)
            if options.progress and read % BATCH_SIZE == 0:
                options.progress(read, malformed)
        staging.flush()
        staging.end_writes()
        staging.close()
        if options.progress:
            options.progress(read, malformed)
        duplicates, cited = staging.remove_duplicates(per_media=format_name in VIDEO_FORMATS)
        counts = staging.counts()
        if counts["entry_count"] == 0:
            first = f"; first: {problems[0]['message']}" if problems else ""
            raise ImportFailed(f"{path.name}: nothing valid to import ({malformed} malformed){first}")
        if staging.variant_count:
            context.facts["variants"] = staging.variant_count
        version = options.version or context.facts.get("version") or context.facts.get("vics_version")
        variant = context.facts.get("variant")
        source_sha256, source_size = file_sha256(path)
        staging.commit(
            {
                **counts,
                "uid": set_uid(source_sha256, name, kind, format_name, imported_at),
                "source_sha256": source_sha256,
                "source_size": source_size,
                "format": f"{format_name}-{variant}" if variant else format_name,
                "version": version,
                "malformed_count": malformed,
                "duplicate_count": duplicates,
                "problems_json": json.dumps(problems + cited[: max(0, PROBLEMS_KEPT - len(problems))]),
            }
        )
    except (NotVics, NotRds) as exc:
        staging.discard()
        raise ImportFailed(f"{path.name}: {exc}") from exc
    except InputLimitExceeded as exc:
        staging.discard()
        raise ImportFailed(f"{path.name}: refused, nothing imported: {exc}") from exc
    except BaseException as exc:
        # The interrupted driver statement lives on in the traceback's frames and, while it does, SQLite
        # keeps the closed connection's write lock: the frames are cleared before the staged rows go.
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
        staging.discard()
        raise
    info = library.get(name)
    return ImportReport(
        set=info,
        format=info.format,
        records_read=read,
        malformed=malformed,
        duplicates=duplicates,
        problems=info.problems,
        facts=context.facts,
    )
