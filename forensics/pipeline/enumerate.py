"""Enumeration: walk every file system of an evidence item and store one ``files`` row per item.

Rows are inserted in committed batches in walk order with their walk position (``seq``). A rerun
after an interruption skips the positions already stored, so nothing is lost and nothing doubled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

from sqlalchemy import func, insert, select, update

from forensics.case.db import CaseDatabase
from forensics.case.models import Evidence, File, FileSystem, IngestError
from forensics.errors import EvidenceError
from forensics.evidence.logical import walk_folder
from forensics.evidence.source import EvidenceSource
from forensics.evidence.walker import FileEntry, FileSystemWalker
from forensics.timeutil import utc_now_iso

BATCH = 2000


def _extension(name: str) -> str | None:
    suffix = PurePosixPath(name.split(":", 1)[0]).suffix
    return suffix[1:].lower()[:40] if len(suffix) > 1 else None


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


def enumerate_evidence(
    db: CaseDatabase,
    evidence_id: int,
    *,
    job_id: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bool:
    """Enumerate every not yet enumerated file system; returns False if cancelled part-way."""
    with db.session() as s:
        evidence = s.get(Evidence, evidence_id)
        path = evidence.path
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
        return True
    with EvidenceSource(path) as source:
        for fs_row in todo:
            try:
                if not _enumerate_one(db, source, evidence_id, fs_row, job_id, on_batch, cancelled):
                    return False
            except EvidenceError as exc:
                _record_fs_failure(db, fs_row.id, evidence_id, job_id, str(exc))
    return True


def _record_fs_failure(
    db: CaseDatabase, fs_id: int, evidence_id: int, job_id: int | None, message: str
) -> None:
    """A file system that opened at intake but not now: mark it, record why, go on with the others."""
    with db.session() as s:
        s.execute(update(FileSystem).where(FileSystem.id == fs_id).values(status="error", error=message))
        s.add(
            IngestError(
                job_id=job_id, evidence_id=evidence_id, stage="enumerate", message=message, at=utc_now_iso()
            )
        )


def _entries(source: EvidenceSource, fs_row: FileSystem) -> tuple[Iterator[FileEntry], list[str]]:
    if source.is_folder:
        return walk_folder(source.image.path), []
    walker = FileSystemWalker(source.filesystem(fs_row.offset), fs_row.offset, fs_row.fs_type or "")
    return walker.walk(), walker.errors


def _enumerate_one(db, source, evidence_id, fs_row, job_id, on_batch, cancelled) -> bool:
    with db.session() as s:
        done = s.scalar(
            select(func.max(File.seq)).where(File.filesystem_id == fs_row.id, File.parent_id.is_(None))
        )
    start = -1 if done is None else done
    entries, errors = _entries(source, fs_row)
    batch: list[dict] = []
    seq = -1
    for seq, entry in enumerate(entries):
        if seq <= start:
            continue
        batch.append(_row(entry, evidence_id, fs_row.id, seq))
        if len(batch) >= BATCH:
            _flush(db, batch)
            if on_batch:
                on_batch(len(batch))
            batch = []
            if cancelled and cancelled():
                return False
    if batch:
        _flush(db, batch)
        if on_batch:
            on_batch(len(batch))
    with db.session() as s:
        s.execute(
            update(FileSystem).where(FileSystem.id == fs_row.id).values(enumerated=True, file_count=seq + 1)
        )
        for message in errors:
            s.add(
                IngestError(
                    job_id=job_id,
                    evidence_id=evidence_id,
                    stage="enumerate",
                    message=message,
                    at=utc_now_iso(),
                )
            )
    return True


def _flush(db: CaseDatabase, rows: list[dict]) -> None:
    with db.session() as s:
        s.execute(insert(File), rows)
