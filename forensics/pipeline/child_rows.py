"""Store the items found inside others: one ``files`` row each, below its parent, with its own link.

A child is placed by its key (the indexes of each level below the top item): its row points at its
parent (``parent_id``) and holds its position among its siblings (``seq``), so that a child stored again
(an item processed again, by a resumed job or a richer profile) updates its row instead of adding one.
An encrypted member read earlier with the examiner's password keeps its row as read when the item is
processed again without that password.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from forensics.case.analysis_store import store_analyses
from forensics.case.models import File, IngestError
from forensics.core.timeutil import utc_now_iso
from forensics.pipeline.tasks import ChildResult

DELETED_FLAG = "deleted"
ENCRYPTED_FLAG = "encrypted"


def _extension(name: str) -> str | None:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    return suffix[1:41] if suffix else None


class ChildRows:
    """Row ids of the children stored so far, by (top item id, key), until the top item's result."""

    def __init__(self) -> None:
        self._ids: dict[tuple[int, tuple[int, ...]], int] = {}
        self._parents: dict[int, tuple[int, int, bool, bool]] = {}

    def forget(self, top_ids: list[int]) -> None:
        """The top items' results are stored: their children's ids are no longer needed."""
        done = set(top_ids)
        self._ids = {k: v for k, v in self._ids.items() if k[0] not in done}
        for top in done:
            self._parents.pop(top, None)

    def store(
        self,
        s: Session,
        batches: list[tuple[int, list[ChildResult]]],
        job_id: int,
        evidence_id: int,
        stored_ids: list[int] | None = None,
    ) -> int:
        """Insert (or update) the rows of every child; returns how many were stored (their ids are added
        to ``stored_ids`` when given)."""
        analysed = []
        now = utc_now_iso()
        stored = 0
        for top_id, children in batches:
            evidence, filesystem, allocated, deleted = self._parent(s, top_id)
            for child in children:
                parent_id = top_id if len(child.key) == 1 else self._id(s, top_id, child.key[:-1], filesystem)
                if parent_id is None:
                    continue  # its parent was never stored (cannot happen: parents come first)
                row_id = self._upsert(s, child, evidence, filesystem, parent_id, allocated, deleted)
                self._ids[(top_id, child.key)] = row_id
                stored += 1
                if stored_ids is not None:
                    stored_ids.append(row_id)
                if child.analysis is not None:
                    analysed.append((row_id, child.analysis))
                if child.status == "error" and child.error:
                    s.add(
                        IngestError(
                            job_id=job_id,
                            evidence_id=evidence_id,
                            file_id=row_id,
                            stage="process",
                            message=child.error,
                            at=now,
                        )
                    )
        if analysed:
            store_analyses(s, analysed)
        return stored

    def _parent(self, s: Session, top_id: int) -> tuple[int, int, bool, bool]:
        found = self._parents.get(top_id)
        if found is None:
            row = s.execute(
                select(File.evidence_id, File.filesystem_id, File.allocated, File.deleted).where(
                    File.id == top_id
                )
            ).one()
            found = self._parents[top_id] = (row[0], row[1], bool(row[2]), bool(row[3]))
        return found

    def _id(self, s: Session, top_id: int, key: tuple[int, ...], filesystem: int) -> int | None:
        """The row id of the child at ``key`` below ``top_id`` (from memory, else from the rows)."""
        known = self._ids.get((top_id, key))
        if known is not None:
            return known
        row_id: int | None = top_id
        for seq in key:
            row_id = s.scalar(
                select(File.id).where(
                    File.filesystem_id == filesystem, File.parent_id == row_id, File.seq == seq
                )
            )
            if row_id is None:
                return None
        return row_id

    @staticmethod
    def _upsert(
        s: Session,
        child: ChildResult,
        evidence: int,
        filesystem: int,
        parent_id: int,
        allocated: bool,
        deleted: bool,
    ) -> int:
        values = {
            "path": child.path,
            "name": child.name,
            "extension": _extension(child.name),
            "size": child.size,
            "kind": child.kind,
            "allocated": allocated and DELETED_FLAG not in child.flags,
            "deleted": deleted or DELETED_FLAG in child.flags,
            "orphan": False,
            "meta_reallocated": False,
            "has_metadata": True,
            "mtime_ns": child.mtime_ns,
            "atime_ns": child.atime_ns,
            "ctime_ns": child.ctime_ns,
            "crtime_ns": child.crtime_ns,
            "byte_runs_json": json.dumps(child.byte_runs) if child.byte_runs else None,
            "md5": child.md5,
            "sha1": child.sha1,
            "sha256": child.sha256,
            "bytes_read": child.bytes_read,
            "tasks_mask": child.tasks_mask,
            "status": child.status,
            "error": child.error,
            "link_json": json.dumps(
                {"kind": child.link_kind, "params": child.params, "flags": list(child.flags)}, sort_keys=True
            ),
        }
        found = s.execute(
            select(File.id, File.status).where(
                File.filesystem_id == filesystem, File.parent_id == parent_id, File.seq == child.key[-1]
            )
        ).first()
        if found is not None:
            existing, status = found
            if status == "done" and child.status == "no-content" and ENCRYPTED_FLAG in child.flags:
                return existing  # opened earlier with the examiner's password: not closed again without it
            s.execute(update(File).where(File.id == existing).values(**values))
            return existing
        row = File(
            evidence_id=evidence, filesystem_id=filesystem, parent_id=parent_id, seq=child.key[-1], **values
        )
        s.add(row)
        s.flush()
        return row.id
