"""Enumeration: walk every file system of an evidence item and store one ``files`` row per item.

Rows are inserted in committed batches in walk order with their walk position (``seq``). A rerun
after an interruption skips the positions already stored, so nothing is lost and nothing doubled.

The walk (:func:`walk_steps`, reads only) and the writes (:func:`apply_step`) are separate. An ingest
runs the enumeration in a :class:`BackgroundEnumeration` thread beside the workers; it shares one
write lock with the job's result writer, so only one write transaction is open at any time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from forensics.case.bulk import insert_rows
from forensics.case.db import CaseDatabase
from forensics.case.models import Evidence, File, FileSystem, IngestError
from forensics.case.unallocated import add_unallocated_items
from forensics.core.errors import CaseError, EvidenceError
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.extractions.access import EXTRACTION_CONTAINER, ExtractionAccess
from forensics.evidence.logical import walk_folder
from forensics.evidence.media import damage_message, ranges_not_in
from forensics.evidence.source import EvidenceSource
from forensics.evidence.walker import FileEntry
from forensics.pipeline.extraction_rows import member_rows

BATCH = 2000
# The first batches of a walk are smaller, so that the workers get their first items within a few
# milliseconds of the walk's start instead of after 2,000 rows are walked and stored.
FIRST_BATCHES = (64, 256, 1000)


@dataclass
class RowsFound:
    """A batch of new ``files`` rows of one file system, in walk order (``notes``: (seq, message) of the
    problems the walk noted on an item; each becomes an ``ingest_errors`` row naming the file)."""

    fs_id: int
    rows: list[dict]
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def pending(self) -> tuple[int, int]:
        """(items to process, their bytes) among these rows."""
        sizes = [row["size"] or 0 for row in self.rows if row["status"] == "pending"]
        return len(sizes), sum(sizes)


@dataclass
class FileSystemDone:
    """Every item of the file system is stored; ``errors`` are the walk's own warnings."""

    fs_id: int
    count: int
    errors: list[str] = field(default_factory=list)


@dataclass
class FileSystemFailed:
    """The file system opened at intake but not now (or its walk broke off)."""

    fs_id: int
    message: str


Step = RowsFound | FileSystemDone | FileSystemFailed


def _extension(name: str) -> str | None:
    """The lower-case extension of a name (stream suffix ``:name`` dropped), as ``PurePosixPath.suffix``."""
    base = name.split(":", 1)[0].rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot + 1 :].lower()[:40] if 0 < dot < len(base) - 1 else None


def _row(entry: FileEntry, evidence_id: int, fs_id: int, seq: int) -> dict:
    return {
        "evidence_id": evidence_id,
        "filesystem_id": fs_id,
        "parent_id": None,
        "seq": seq,
        "path": entry.path,
        "name": entry.name,
        "extension": _extension(entry.name),
        "inode": entry.inode,
        "attr_type": entry.attr_type,
        "attr_id": entry.attr_id,
        "stream": entry.stream,
        "size": entry.size,
        "kind": entry.kind,
        "allocated": entry.allocated,
        "deleted": entry.deleted,
        "orphan": entry.orphan,
        "meta_reallocated": entry.meta_reallocated,
        "has_metadata": entry.has_metadata,
        "mode": entry.mode,
        "uid": entry.uid,
        "gid": entry.gid,
        "nlink": entry.nlink,
        "link_target": entry.link_target,
        "mtime_ns": entry.mtime_ns,
        "atime_ns": entry.atime_ns,
        "ctime_ns": entry.ctime_ns,
        "crtime_ns": entry.crtime_ns,
        "byte_runs_json": json.dumps(entry.byte_runs) if entry.byte_runs else None,
        "status": "pending" if entry.has_content else "no-content",
    }


def walk_steps(
    db: CaseDatabase,
    evidence_id: int,
    *,
    cancelled: Callable[[], bool] | None = None,
    extraction: ExtractionAccess | None = None,
) -> Iterator[Step]:
    """The steps that enumerate every not yet enumerated file system (this only reads; see apply_step).

    Stops early (without a :class:`FileSystemDone` for the file system it was in) when ``cancelled``
    says so; the steps must be applied in the order given. ``extraction``: the keys of an encrypted
    phone extraction (an extraction evidence item is listed through its reader either way).
    """
    with db.session() as s:
        evidence = s.get(Evidence, evidence_id)
        if evidence is None:
            raise CaseError(f"no evidence item with id {evidence_id} in this case")
        path, container = evidence.path, evidence.container
        if container == EXTRACTION_CONTAINER and extraction is None:
            extraction = ExtractionAccess()
        todo = s.scalars(
            select(FileSystem)
            .where(
                FileSystem.evidence_id == evidence_id,
                FileSystem.status == "ok",
                FileSystem.enumerated.is_(False),
            )
            .order_by(FileSystem.offset)
        ).all()
    if not todo:
        return
    with EvidenceSource(path, extraction=extraction) as source:
        for fs_row in todo:
            damaged_before = source.damaged_ranges()
            steps = _walk_one(db, source, evidence_id, fs_row)
            try:
                for step in steps:
                    if isinstance(step, FileSystemDone):
                        step.errors.extend(_damage_notes(db, source, fs_row, damaged_before))
                    yield step
                    if isinstance(step, RowsFound) and cancelled and cancelled():
                        return
            except EvidenceError as exc:
                notes = _damage_notes(db, source, fs_row, damaged_before)
                yield FileSystemFailed(fs_row.id, " ".join([str(exc), *notes]))


def _damage_notes(
    db: CaseDatabase, source: EvidenceSource, fs_row: FileSystem, before: list[tuple[int, int]]
) -> list[str]:
    """One warning per damaged EWF chunk range the walk of this file system read (TSK got zeros there).

    TSK reads ahead (its image cache), so a walk also touches chunks that hold only file content. A
    range wholly inside the blocks of allocated regular files is such content: those items fail on
    their own when read, and the listing is not in doubt.
    """
    touched = ranges_not_in(source.damaged_ranges(), before)
    if touched:
        touched = [span for span in touched if ranges_not_in([span], _content_blocks(db, fs_row, span))]
    return [
        f"file system at byte offset {fs_row.offset} ({fs_row.fs_type}): the listing read a damaged "
        f"{damage_message(start, end, source.image.sector_size)}. File-system records stored there "
        "(directory entries, inodes, MFT records, allocation tables) were read as zeros: items may be "
        "missing from the listing or listed with wrong names, sizes, times or locations."
        for start, end in touched
    ]


def _content_blocks(db: CaseDatabase, fs_row: FileSystem, span: tuple[int, int]) -> list[tuple[int, int]]:
    """Media byte ranges (whole blocks) of allocated regular files' content that overlap ``span``.

    Names starting with ``$`` are left out: NTFS keeps its own records in such files ($MFT, $Secure)
    and TSK names its virtual files so ($FAT1, $OrphanFiles).
    """
    block = fs_row.block_size or 1
    found: list[tuple[int, int]] = []
    with db.session() as s:
        rows = s.scalars(
            select(File.byte_runs_json).where(
                File.filesystem_id == fs_row.id,
                File.parent_id.is_(None),
                File.kind == "file",
                File.allocated.is_(True),
                File.byte_runs_json.is_not(None),
                File.name.not_like("$%"),
            )
        )
        for runs in rows:
            if runs is None:  # never: the query keeps the rows that have runs
                continue
            for _, start, length in json.loads(runs):
                end = start + -(-length // block) * block
                if start >= 0 and start < span[1] and span[0] < end:
                    found.append((start, end))
    return found


def _entries(source: EvidenceSource, fs_row: FileSystem) -> tuple[Iterator[FileEntry], list[str]]:
    if source.is_folder:
        return walk_folder(source.image.path), []
    walker = source.walker(fs_row.offset, fs_row.fs_type or "")
    return walker.walk(), walker.errors


def _intake_notes(fs_row: FileSystem) -> list[str]:
    """What the survey noted about the file system at intake (truncation, ambiguity, values out of range)."""
    notes = json.loads(fs_row.notes) if fs_row.notes else []
    return [f"file system at byte offset {fs_row.offset} ({fs_row.fs_type}): {note}" for note in notes]


def _walk_one(
    db: CaseDatabase, source: EvidenceSource, evidence_id: int, fs_row: FileSystem
) -> Iterator[Step]:
    with db.session() as s:
        done = s.scalar(
            select(func.max(File.seq)).where(File.filesystem_id == fs_row.id, File.parent_id.is_(None))
        )
    start = -1 if done is None else done
    fs_id = fs_row.id  # read once: an ORM attribute costs more than the row it would go into
    # Each row with the problems the walk noted on its item (path: note).
    rows: Iterator[tuple[dict, list[str]]]
    errors: list[str]
    if source.is_extraction:  # a phone extraction: its members, under their device paths
        members = member_rows(source.extraction().members(), evidence_id, fs_id)
        rows, errors = ((row, []) for row in members), []
    else:
        entries, errors = _entries(source, fs_row)
        rows = (
            (_row(entry, evidence_id, fs_id, seq), [f"{entry.path}: {note}" for note in entry.notes])
            for seq, entry in enumerate(entries)
        )
    batch: list[dict] = []
    notes: list[tuple[int, str]] = []
    sizes = iter(FIRST_BATCHES)
    limit = next(sizes, BATCH)
    seq = -1
    try:
        for row, row_notes in rows:
            seq = row["seq"]
            if seq <= start:
                continue
            batch.append(row)
            notes.extend((seq, note) for note in row_notes)
            if len(batch) >= limit:
                yield RowsFound(fs_id, batch, notes)
                batch, notes = [], []
                limit = next(sizes, BATCH)
    except EvidenceError:
        if batch:  # what was listed before the walk broke off (a truncated extraction) is kept
            yield RowsFound(fs_id, batch, notes)
        raise
    if batch:
        yield RowsFound(fs_id, batch, notes)
    yield FileSystemDone(fs_id, seq + 1, [*_intake_notes(fs_row), *errors])


def apply_step(
    db: CaseDatabase, evidence_id: int, job_id: int | None, step: Step, *, carve: bool = False
) -> tuple[int, int]:
    """Write one enumeration step in its own transaction; returns (items to process, bytes) it added
    beyond the step's own rows (a walked file system's ``$Unallocated`` item when ``carve``)."""
    with db.session() as s:
        added = (0, 0)
        if isinstance(step, RowsFound):
            # SQLAlchemy types a declarative model's __table__ as a FromClause; it is a Table.
            insert_rows(s.connection(), cast(Table, File.__table__), step.rows)
            if step.notes:
                _add_item_notes(s, evidence_id, job_id, step)
            return added
        if isinstance(step, FileSystemDone):
            s.execute(
                update(FileSystem)
                .where(FileSystem.id == step.fs_id)
                .values(enumerated=True, file_count=step.count)
            )
            if carve:
                added = add_unallocated_items(s, evidence_id, [step.fs_id])
            messages = step.errors
        else:
            s.execute(
                update(FileSystem)
                .where(FileSystem.id == step.fs_id)
                .values(status="error", error=step.message)
            )
            messages = [step.message]
        now = utc_now_iso()
        for message in messages:
            s.add(
                IngestError(
                    job_id=job_id,
                    evidence_id=evidence_id,
                    filesystem_id=step.fs_id,
                    stage="enumerate",
                    message=message,
                    at=now,
                )
            )
    return added


def _add_item_notes(s: Session, evidence_id: int, job_id: int | None, step: RowsFound) -> None:
    """One ``ingest_errors`` row per note of the batch, naming its file (found by walk position)."""
    seqs = sorted({seq for seq, _ in step.notes})
    ids = dict(
        s.execute(
            select(File.seq, File.id).where(
                File.filesystem_id == step.fs_id, File.parent_id.is_(None), File.seq.in_(seqs)
            )
        ).all()
    )
    now = utc_now_iso()
    for seq, message in step.notes:
        s.add(
            IngestError(
                job_id=job_id,
                evidence_id=evidence_id,
                file_id=ids.get(seq),
                filesystem_id=step.fs_id,
                stage="enumerate",
                message=message,
                at=now,
            )
        )


def enumerate_evidence(
    db: CaseDatabase,
    evidence_id: int,
    *,
    job_id: int | None = None,
    on_batch: Callable[[RowsFound], None] | None = None,
    on_stored: Callable[[], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    write_lock: AbstractContextManager | None = None,
    carve: bool = False,
    on_added: Callable[[int, int], None] | None = None,
    extraction: ExtractionAccess | None = None,
) -> bool:
    """Enumerate every not yet enumerated file system; returns False if cancelled part-way.

    ``on_batch`` gets each batch of rows just before it is stored (progress totals then never lag
    behind what workers can see), ``on_stored`` is called after each committed step; every write
    transaction holds ``write_lock`` when given. With ``carve`` each walked file system gets its
    ``$Unallocated`` item, counted through ``on_added(items, bytes)``.
    """
    stopped = False
    lock = write_lock or nullcontext()

    def stop_here() -> bool:
        nonlocal stopped
        stopped = stopped or bool(cancelled and cancelled())
        return stopped

    for step in walk_steps(db, evidence_id, cancelled=stop_here, extraction=extraction):
        if isinstance(step, RowsFound) and on_batch:
            on_batch(step)
        with lock:
            added = apply_step(db, evidence_id, job_id, step, carve=carve)
        if on_added and added[0]:
            on_added(*added)
        if on_stored:
            on_stored()
    return not stopped


class BackgroundEnumeration:
    """:func:`enumerate_evidence` in a thread, beside the workers that process what it stores.

    It commits its own batches, each under ``write_lock`` (shared with the job's result writer), and
    counts the items to process it has stored for the caller's progress. ``stop`` ends it at its
    next batch; an unexpected failure is re-raised in the caller by :meth:`take_found`.
    """

    def __init__(
        self,
        db: CaseDatabase,
        evidence_id: int,
        job_id: int | None,
        write_lock: AbstractContextManager,
        carve: bool = False,
        extraction: ExtractionAccess | None = None,
    ) -> None:
        self._args = (db, evidence_id, job_id, write_lock)
        self._carve = carve
        self._extraction = extraction
        self._stop = threading.Event()
        self._news = threading.Event()  # set when a batch is committed (readable) and at the end
        self._count_lock = threading.Lock()
        self._found = (0, 0)
        self._error: BaseException | None = None
        self._ended = False
        self._thread = threading.Thread(target=self._run, name="custos-enumeration", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def ended(self) -> bool:
        """The thread has stored its last batch (walk complete, stopped or failed)."""
        return self._ended

    def _run(self) -> None:
        db, evidence_id, job_id, write_lock = self._args
        try:
            enumerate_evidence(
                db,
                evidence_id,
                job_id=job_id,
                on_batch=self._count,
                on_stored=self._news.set,
                cancelled=self._stop.is_set,
                write_lock=write_lock,
                carve=self._carve,
                on_added=self._add,
                extraction=self._extraction,
            )
        except BaseException as exc:  # handed to the caller's thread by take_found
            self._error = exc
        finally:
            self._ended = True
            self._news.set()

    def _count(self, step: RowsFound) -> None:
        self._add(*step.pending)

    def _add(self, items: int, size: int) -> None:
        with self._count_lock:
            self._found = (self._found[0] + items, self._found[1] + size)

    def wait(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the next stored batch (or the end)."""
        if self._news.wait(timeout):
            self._news.clear()

    def take_found(self) -> tuple[int, int]:
        """(items to process, their bytes) stored since the last call; re-raises the thread's failure."""
        with self._count_lock:
            found, self._found = self._found, (0, 0)
        if self._ended and self._error is not None:
            error, self._error = self._error, None
            raise error
        return found

    def stop(self, timeout: float = 1.0) -> None:
        """End the enumeration at its next batch; wait for the thread up to ``timeout`` seconds."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
