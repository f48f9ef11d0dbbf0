"""The ``files`` rows of a phone extraction's members, and the check of the hashes the extraction states.

Each member is an item of the extraction's one "file system" row: its path is the device path the
extraction records (the path inside the container when it records none), with its size, mode, owner,
UTC times and deleted marker, and a root locator link of the member's kind (``files.link_json``) whose
params reopen exactly its bytes. What the extraction says of the member beyond that (its path in the
container, the hashes a UFDR states, notes) is kept with the link under ``member``.

Folders that only appear in members' paths (zip and tar extractions rarely list them) are added after
the members as ``virtual-dir`` items, so that the phone's folder tree can be browsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.models import File, IngestError
from forensics.core.timeutil import utc_now_iso
from forensics.evidence.extractions.records import ZIP_MEMBER, ExtractionMember

STAGE_STATED_HASH = "extraction"  # ingest_errors.stage of a stated-hash mismatch
HASH_COLUMNS = ("md5", "sha1", "sha256")


def _extension(name: str) -> str | None:
    """``PurePosixPath(name).suffix`` without its dot, lower-cased (``name`` holds no ``/``)."""
    dot = name.rfind(".")
    return name[dot + 1 : dot + 41].lower() if 0 < dot < len(name) - 1 else None


def _as_written(path: str) -> bool:
    """Whether ``PurePosixPath`` keeps ``path`` as written (no empty or ``.`` part, no trailing slash):
    its name and parent are then plain string cuts, the walk's hot path (a phone holds 10^5-10^6 files)."""
    if path == "." or path[:2] == "./" or path.endswith(("/", "/.")):
        return False
    return "//" not in path and "/./" not in path


def _name_of(path: str) -> str:
    return path.rsplit("/", 1)[-1] if _as_written(path) else PurePosixPath(path).name


def _parent_of(path: str) -> str:
    if not _as_written(path):
        return str(PurePosixPath(path).parent)
    slash = path.rfind("/")
    return "." if slash < 0 else (path[:slash] or "/")


def member_path(member: ExtractionMember) -> str:
    """Where the member is shown: its device path, else its path inside the container."""
    if member.device_path:
        return member.device_path
    return "/" + member.path.replace("\\", "/").lstrip("/")


def _flags(member: ExtractionMember) -> list[str]:
    flags = []
    if member.deleted:
        flags.append("deleted")
    if member.encrypted:
        flags.append("encrypted")
    if not member.present:
        flags.append("absent")
    return flags


def link_document(member: ExtractionMember) -> str:
    """What ``files.link_json`` stores for a member: its link and what the extraction says of it."""
    said: dict[str, Any] = {"container_path": member.path}
    if member.hashes:
        said["stated_hashes"] = dict(member.hashes)
    if member.notes:
        said["notes"] = list(member.notes)
    if member.local_mtime and member.mtime_ns is None:
        said["local_mtime"] = member.local_mtime
    return json.dumps(
        {"kind": member.link_kind, "params": member.params, "flags": _flags(member), "member": said},
        sort_keys=True,
    )


def _has_content(member: ExtractionMember) -> bool:
    if not member.readable:
        return False
    return not (member.encrypted and member.link_kind == ZIP_MEMBER)


def member_row(member: ExtractionMember, evidence_id: int, fs_id: int, seq: int) -> dict:
    """The ``files`` row of one member at walk position ``seq``."""
    path = member_path(member)
    name = _name_of(path) or member.name
    deleted = bool(member.deleted)
    return {
        "evidence_id": evidence_id,
        "filesystem_id": fs_id,
        "parent_id": None,
        "seq": seq,
        "path": path,
        "name": name,
        "extension": _extension(name),
        "inode": None,
        "attr_type": None,
        "attr_id": None,
        "stream": None,
        "size": member.size,
        "kind": member.kind,
        "allocated": not deleted,
        "deleted": deleted,
        "orphan": False,
        "meta_reallocated": False,
        "has_metadata": True,
        "mode": member.mode,
        "uid": member.uid,
        "gid": member.gid,
        "nlink": None,
        "link_target": member.link_target,
        "mtime_ns": member.mtime_ns,
        "atime_ns": member.atime_ns,
        "ctime_ns": member.ctime_ns,
        "crtime_ns": member.crtime_ns,
        "byte_runs_json": None,
        "status": "pending" if _has_content(member) else "no-content",
        "link_json": link_document(member),
    }


def _folder_row(path: str, evidence_id: int, fs_id: int, seq: int) -> dict:
    name = PurePosixPath(path).name
    return {
        **dict.fromkeys(("inode", "attr_type", "attr_id", "stream", "size", "mode", "uid", "gid", "nlink")),
        **dict.fromkeys(("link_target", "mtime_ns", "atime_ns", "ctime_ns", "crtime_ns", "byte_runs_json")),
        "evidence_id": evidence_id,
        "filesystem_id": fs_id,
        "parent_id": None,
        "seq": seq,
        "path": path,
        "name": name,
        "extension": None,
        "kind": "virtual-dir",
        "allocated": True,
        "deleted": False,
        "orphan": False,
        "meta_reallocated": False,
        "has_metadata": False,
        "status": "no-content",
        "link_json": None,
    }


def member_rows(members: Iterator[ExtractionMember], evidence_id: int, fs_id: int) -> Iterator[dict]:
    """Rows of every member in the extraction's order, then of the folders no member listed (sorted)."""
    listed: set[str] = set()
    implied: set[str] = set()
    seq = -1
    for seq, member in enumerate(members):
        row = member_row(member, evidence_id, fs_id, seq)
        if row["kind"] == "directory":
            listed.add(row["path"].rstrip("/") or "/")
        parent = _parent_of(row["path"])
        while parent not in ("/", ".") and parent not in implied:
            implied.add(parent)
            parent = _parent_of(parent)
        yield row
    for offset, folder in enumerate(sorted(implied - listed), start=seq + 1):
        yield _folder_row(folder, evidence_id, fs_id, offset)


def check_stated_hashes(db: CaseDatabase, evidence_id: int, job_id: int | None) -> tuple[int, int]:
    """Compare the hashes an extraction states for its members (UFDR) with the computed ones.

    A mismatch is a note on the item (``ingest_errors``, stage ``extraction``), once per item and
    algorithm. Returns (items checked, items with a mismatch).
    """
    checked = mismatched = 0
    with db.session() as s:
        rows = s.execute(
            select(File.id, File.path, File.link_json, File.md5, File.sha1, File.sha256).where(
                File.evidence_id == evidence_id,
                File.parent_id.is_(None),
                File.status == "done",
                File.link_json.like('%"stated_hashes"%'),
            )
        ).all()
        noted = {
            (file_id, message)
            for file_id, message in s.execute(
                select(IngestError.file_id, IngestError.message).where(
                    IngestError.evidence_id == evidence_id, IngestError.stage == STAGE_STATED_HASH
                )
            )
        }
        now = utc_now_iso()
        for file_id, path, link, *computed in rows:
            if link is None:  # never: the query keeps rows whose link names stated hashes
                continue
            stated = (json.loads(link).get("member") or {}).get("stated_hashes") or {}
            differs = [
                f"{algorithm.upper()} stated {stated[algorithm]}, computed {value}"
                for algorithm, value in zip(HASH_COLUMNS, computed, strict=True)
                if algorithm in stated and value and stated[algorithm] != value
            ]
            if not any(algorithm in stated for algorithm in HASH_COLUMNS):
                continue
            checked += 1
            if not differs:
                continue
            mismatched += 1
            message = (
                f"{path}: the hash the extraction states differs from the computed one ({'; '.join(differs)})"
            )
            if (file_id, message) not in noted:
                s.add(
                    IngestError(
                        job_id=job_id,
                        evidence_id=evidence_id,
                        file_id=file_id,
                        stage=STAGE_STATED_HASH,
                        message=message,
                        at=now,
                    )
                )
    return checked, mismatched
