"""Queries over the case database for listings, exports, reports and the GUI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.locators import session_locators
from forensics.case.models import Evidence, File, FileSystem
from forensics.core.local_times import is_local_time_fs, time_basis, time_text
from forensics.evidence.locator import FileLocator

PAGE = 1000


def file_record(
    f: File, item: str, fs: FileSystem, locator: FileLocator | None = None, zone: str | None = None
) -> dict[str, Any]:
    """The listing fields of one item; null where the file system has none.

    ``parent_id`` is the item that holds it (archive, document, ``$Unallocated`` for a carved file),
    ``link`` the kind of its own locator link, ``flags`` what its container said of it (encrypted,
    partial, unsafe-name, ...), ``located`` its locator chain in words. Times follow
    :mod:`forensics.core.local_times`: ISO-8601 UTC, or for a file system that stores local time (FAT,
    exFAT) converted with the item's source time zone ``zone``, or marked "local, zone unknown";
    ``time_basis`` says which.
    """
    link = json.loads(f.link_json) if f.link_json else {}
    local = is_local_time_fs(fs.fs_type)
    return {
        "id": f.id,
        "parent_id": f.parent_id,
        "link": link.get("kind", "file"),
        "flags": link.get("flags", []),
        "located": locator.describe(fs.fs_type) if locator is not None else None,
        "item": item,
        "partition_offset": None if fs.fs_type == "logical" else fs.offset,
        "fs_type": fs.fs_type,
        "path": f.path,
        "name": f.name,
        "inode": f.inode,
        "attr_type": f.attr_type,
        "attr_id": f.attr_id,
        "stream": f.stream,
        "size": f.size,
        "kind": f.kind,
        "allocated": f.allocated,
        "deleted": f.deleted,
        "orphan": f.orphan,
        "meta_reallocated": f.meta_reallocated,
        "has_metadata": f.has_metadata,
        "link_target": f.link_target,
        "mtime": time_text(f.mtime_ns, local=local, zone=zone),
        "atime": time_text(f.atime_ns, local=local, zone=zone),
        "ctime": time_text(f.ctime_ns, local=local, zone=zone),
        "crtime": time_text(f.crtime_ns, local=local, zone=zone),
        "time_basis": time_basis(local=local, zone=zone),
        "md5": f.md5,
        "sha1": f.sha1,
        "sha256": f.sha256,
        "status": f.status,
        "error": f.error,
    }


def iter_file_records(session: Session, item: str | None = None) -> Iterator[dict[str, Any]]:
    """Every item of the case (or of one evidence item) in a stable order, page by page."""
    last_id = 0
    while True:
        query = (
            select(File, Evidence.item, FileSystem, Evidence.time_zone)
            .join(Evidence, File.evidence_id == Evidence.id)
            .join(FileSystem, File.filesystem_id == FileSystem.id)
            .order_by(File.id)
            .where(File.id > last_id)
            .limit(PAGE)
        )
        if item is not None:
            query = query.where(Evidence.item == item)
        rows = session.execute(query).all()
        if not rows:
            return
        chains = session_locators(session, [f.id for f, _item, _fs, _zone in rows])
        for f, ev_item, fs, zone in rows:
            yield file_record(f, ev_item, fs, chains[f.id][1], zone)
        last_id = rows[-1][0].id
