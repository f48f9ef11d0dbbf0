"""Locators of stored items: the one place where a ``files`` row becomes a :class:`FileLocator` chain.

A file-system entry's link is read from its row (evidence item, file-system offset, inode, attribute,
stream, path). An item found inside another stores its own link in ``files.link_json`` (kind and
params) and points at the holding item with ``parent_id``; a carved item stores its ``carved`` link
with no parent. The chain is rebuilt by following ``parent_id``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.db import CaseDatabase
from forensics.case.models import Evidence, File, FileSystem
from forensics.core.errors import CaseError
from forensics.evidence.locator import FileLocator

LOGICAL = "logical"  # file-system type of a folder source: no offset in an image
_CHUNK = 500


def root_locator_dict(
    item: str,
    fs_type: str | None,
    fs_offset: int | None,
    inode: int | None,
    attr_type: int | None,
    attr_id: int | None,
    stream: str | None,
    path: str,
    *,
    ambiguous: bool = False,
) -> dict[str, Any]:
    """The locator dict of a file-system entry (or folder file) as the ingest feed hands it to workers.

    ``ambiguous``: more than one file-system type is valid at the offset, so the link names the type
    to open (``fs_type``); elsewhere TSK detects it and the dict keeps its seven keys.
    """
    data = {
        "item": item,
        "partition_offset": None if fs_type == LOGICAL else fs_offset,
        "inode": inode,
        "attr_type": attr_type,
        "attr_id": attr_id,
        "stream": stream,
        "path": path,
    }
    if ambiguous and fs_type:
        data["fs_type"] = fs_type
    return data


def with_link(root: dict[str, Any], stored_link: str) -> dict[str, Any]:
    """A root locator dict given the kind and params of its stored link (``files.link_json``)."""
    link = json.loads(stored_link)
    return {**root, "kind": link["kind"], "params": link.get("params") or {}, "parent": None}


def link_json(locator: FileLocator) -> str | None:
    """What ``files.link_json`` stores for an item's own link (None for a plain file-system entry)."""
    if locator.kind == "file" and locator.parent is None and not locator.params:
        return None
    return json.dumps({"kind": locator.kind, "params": locator.parameters}, sort_keys=True)


def _link(
    item: str,
    fs_type: str | None,
    fs_offset: int | None,
    ambiguous: bool,
    f: File,
    parent: FileLocator | None,
) -> FileLocator:
    root = root_locator_dict(
        item, fs_type, fs_offset, f.inode, f.attr_type, f.attr_id, f.stream, f.path, ambiguous=ambiguous
    )
    if f.link_json is None:
        return FileLocator.from_dict(root)
    link = json.loads(f.link_json)
    if parent is None:  # a root link of another kind (a carved run)
        return FileLocator.from_dict({**root, "kind": link["kind"], "params": link.get("params")})
    return FileLocator.nested(parent, link["kind"], f.path, link.get("params") or {})


def file_locators(db: CaseDatabase, file_ids: Iterable[int]) -> dict[int, tuple[str, FileLocator]]:
    """Evidence item and locator chain of each file id; unknown ids raise :class:`CaseError`."""
    with db.session() as s:
        return session_locators(s, file_ids)


def session_locators(s: Session, file_ids: Iterable[int]) -> dict[int, tuple[str, FileLocator]]:
    """:func:`file_locators` within an open session."""
    ids = sorted(set(file_ids))
    rows: dict[int, tuple[File, str, str | None, int, bool]] = {}
    wanted = list(ids)
    while wanted:  # the items, then their parents, until every chain reaches its top
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for f, item, fs_type, offset, ambiguous in s.execute(
                select(File, Evidence.item, FileSystem.fs_type, FileSystem.offset, FileSystem.ambiguous)
                .join(Evidence, File.evidence_id == Evidence.id)
                .join(FileSystem, File.filesystem_id == FileSystem.id)
                .where(File.id.in_(chunk))
            ).all():
                rows[f.id] = (f, item, fs_type, offset, bool(ambiguous))
        wanted = sorted({r[0].parent_id for r in rows.values() if r[0].parent_id} - set(rows))
    missing = [i for i in ids if i not in rows]
    if missing:
        raise CaseError(f"no such file id(s) in this case: {missing[:5]}")
    built: dict[int, FileLocator] = {}

    def build(file_id: int) -> FileLocator:
        if file_id not in built:
            f, item, fs_type, offset, ambiguous = rows[file_id]
            parent = build(f.parent_id) if f.parent_id else None
            built[file_id] = _link(item, fs_type, offset, ambiguous, f, parent)
        return built[file_id]

    return {i: (rows[i][1], build(i)) for i in ids}
