"""Evidence items as a case shows them: intake summary, file systems, latest verification, problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.db import CaseDatabase
from forensics.case.models import Evidence, FileSystem, IngestError, Verification


@dataclass(frozen=True)
class FileSystemSummary:
    id: int
    offset: int
    fs_type: str | None
    status: str
    listing_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EvidenceSummary:
    """An evidence item with its file systems and its latest media verification (a stored row)."""

    id: int
    item: str
    description: str | None
    container: str
    latest_verification: Verification | None
    filesystems: list[FileSystemSummary]


def evidence_summaries(db: CaseDatabase) -> list[EvidenceSummary]:
    """Every evidence item in intake order."""
    out = []
    with db.session() as s:
        for ev in s.scalars(select(Evidence).order_by(Evidence.id)):
            latest = s.scalar(
                select(Verification)
                .where(Verification.evidence_id == ev.id)
                .order_by(Verification.id.desc())
                .limit(1)
            )
            systems = [
                FileSystemSummary(fs.id, fs.offset, fs.fs_type, fs.status, _listing_problems(s, fs.id))
                for fs in ev.filesystems
            ]
            out.append(EvidenceSummary(ev.id, ev.item, ev.description, ev.container, latest, systems))
    return out


def _listing_problems(session: Session, filesystem_id: int) -> list[str]:
    """What the ingest recorded while listing this file system (walk errors, damaged chunks), once each."""
    messages = session.scalars(
        select(IngestError.message)
        .where(IngestError.filesystem_id == filesystem_id, IngestError.stage == "enumerate")
        .order_by(IngestError.id)
    )
    return list(dict.fromkeys(messages))


def filesystem_label(db: CaseDatabase, filesystem_id: int) -> str:
    """``ext2 @ 1048576``-style label of a file system ("?" when unknown)."""
    with db.session() as s:
        fs = s.get(FileSystem, filesystem_id)
    return "?" if fs is None else f"{fs.fs_type or fs.status} @ {fs.offset}"


def evidence_path(db: CaseDatabase, item: str) -> str | None:
    """The path of an item's image (or folder) as opened at intake."""
    with db.session() as s:
        return s.scalar(select(Evidence.path).where(Evidence.item == item))
