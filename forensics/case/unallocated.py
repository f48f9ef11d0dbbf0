"""A file system's unallocated space as an item to carve: the ``$Unallocated`` row, with its byte runs.

Unallocated space is what no allocated item's blocks cover (the complement of their byte runs within
the file system, each item rounded up to whole blocks: its slack is not unallocated). The row's locator
link (kind ``unallocated``) holds those runs in the media and the extents of listed deleted items, so
that a carved file equal to a deleted file already listed is not carved twice. Carved files become its
children (see ``forensics/pipeline/nested_items.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.models import File, FileSystem
from forensics.evidence.carving.unallocated import known_extents, unallocated_runs

UNALLOCATED_KIND = "unallocated"
UNALLOCATED_SEQ = -1  # its walk position: before every walked item, unique per file system
UNALLOCATED_NAME = "$Unallocated"


def _runs(s: Session, fs_id: int, allocated: bool) -> Iterator[list[list[int]]]:
    rows = s.execute(
        select(File.byte_runs_json).where(
            File.filesystem_id == fs_id,
            File.parent_id.is_(None),
            File.allocated.is_(allocated),
            File.byte_runs_json.is_not(None),
        )
    ).scalars()
    for text in rows:
        if text is not None:  # as the query asks
            yield json.loads(text)


def unallocated_row(s: Session, fs: FileSystem) -> dict | None:
    """The ``$Unallocated`` row to add for a walked file system (None when it has one or cannot have one)."""
    if fs.status != "ok" or fs.fs_type in (None, "logical") or not fs.block_size or not fs.block_count:
        return None
    exists = s.scalar(
        select(File.id).where(
            File.filesystem_id == fs.id, File.parent_id.is_(None), File.seq == UNALLOCATED_SEQ
        )
    )
    if exists is not None:
        return None
    runs = unallocated_runs(fs.offset, fs.block_count * fs.block_size, _runs(s, fs.id, True), fs.block_size)
    known = sorted(known_extents(_runs(s, fs.id, False)))
    size = sum(length for _start, length in runs)
    return {
        "evidence_id": fs.evidence_id,
        "filesystem_id": fs.id,
        "parent_id": None,
        "seq": UNALLOCATED_SEQ,
        "path": f"/{UNALLOCATED_NAME}",
        "name": UNALLOCATED_NAME,
        "extension": None,
        "size": size,
        "kind": "virtual",
        "allocated": False,
        "deleted": False,
        "orphan": False,
        "meta_reallocated": False,
        "has_metadata": False,
        "tasks_mask": 0,
        "status": "pending" if runs else "no-content",
        "link_json": json.dumps(
            {
                "kind": UNALLOCATED_KIND,
                "params": {"runs": [list(r) for r in runs], "known": [list(k) for k in known]},
            },
            sort_keys=True,
        ),
    }


def add_unallocated_items(s: Session, evidence_id: int, fs_ids: list[int] | None = None) -> tuple[int, int]:
    """Add the ``$Unallocated`` rows the walked file systems lack; returns (rows added, their bytes)."""
    query = select(FileSystem).where(FileSystem.evidence_id == evidence_id, FileSystem.enumerated.is_(True))
    if fs_ids is not None:
        query = query.where(FileSystem.id.in_(fs_ids))
    added, size = 0, 0
    for fs in s.scalars(query).all():
        row = unallocated_row(s, fs)
        if row is None:
            continue
        s.add(File(**row))
        added += row["status"] == "pending"
        size += row["size"] if row["status"] == "pending" else 0
    s.flush()
    return added, size
