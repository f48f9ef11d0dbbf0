"""Re-run an archive with the examiner's password: its encrypted members opened, hashed, analysed, matched.

``unlock_archive(ctx, file_id, password)`` re-runs the evidence file that holds the archive (the archive
itself when it is a file of the evidence) as a one-item ingest job (``pipeline.ingest.run_job(only=)``)
with the password handed to the worker in memory, in its ``WorkItem`` (never in a file, never printed,
never in the custody log). Members already listed as encrypted become the opened items: the same rows,
the same file ids (children are stored by their place below their parent). What they hold is listed in
turn, with the same defences. Members that stay closed keep their ``encrypted`` flag and say why
("wrong password", "encryption method not supported"). The job is sealed with the ingest tables and
signed ``archive_unlocked`` (file id, locator chain, members opened and still closed, whether the
password opened any member).

The password is not kept: a later read of an opened member (preview, ``content.read_item``) is given it
again (``passwords``: archive file id -> password).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select, update

from forensics.case.locators import file_locators
from forensics.case.models import Evidence, File, IngestJob
from forensics.core.errors import CaseError
from forensics.core.progress import CancelToken, Progress
from forensics.custody import actions
from forensics.evidence.locator import CARVED, FileLocator
from forensics.evidence.nested.records import FLAG_ENCRYPTED, NOTE_WRONG_PASSWORD
from forensics.hashsets.matching import MatchSummary
from forensics.pipeline.executor import WorkerProcesses
from forensics.pipeline.ingest import run_job, start_job
from forensics.pipeline.processing_profiles import ProcessingProfile, load_profile
from forensics.services.context import CaseContext
from forensics.services.seal import INGEST_TABLES, sealed_job

PASSWORD_ENCODING = "utf-8"  # what zip -P and 7-Zip write on the systems examiners use
CARVED_KINDS = frozenset({CARVED, "unallocated"})  # roots whose items are found by carving, not by a walk
LISTED_IN_CUSTODY = 1000  # members named one by one in the custody entry (counts are always given)


class ArchivePasswordError(CaseError):
    """The archive cannot be re-run with a password (no encrypted member, no finished ingest...)."""


@dataclass(frozen=True)
class ClosedMember:
    """An encrypted member that stays closed, and why (the note stored with it)."""

    file_id: int
    path: str
    note: str


@dataclass
class ArchiveUnlock:
    """What re-running an archive with a password gave."""

    file_id: int
    item: str
    job_id: int
    status: str  # finished | cancelled
    opened: list[tuple[int, str]] = field(default_factory=list)  # (file id, path) of members now read
    still_closed: list[ClosedMember] = field(default_factory=list)
    found_inside: int = 0  # items listed inside the opened members (archives in archives...)
    match: MatchSummary | None = None

    @property
    def password_accepted(self) -> bool:
        """The password opened at least one member."""
        return bool(self.opened)

    @property
    def wrong_password(self) -> bool:
        """No member opened and some member was told the password is wrong."""
        return not self.opened and any(NOTE_WRONG_PASSWORD in m.note for m in self.still_closed)


def encrypted_members(ctx: CaseContext, file_id: int) -> list[tuple[int, str, str, str | None]]:
    """(file id, path, status, note) of the members of ``file_id`` flagged encrypted, in order."""
    with ctx.db.session() as s:
        rows = s.execute(
            select(File.id, File.path, File.status, File.error, File.link_json)
            .where(File.parent_id == file_id)
            .order_by(File.seq, File.id)
        ).all()
    members = []
    for fid, path, status, note, link in rows:
        flags = json.loads(link).get("flags", []) if link else []
        if FLAG_ENCRYPTED in flags:
            members.append((fid, path, status, note))
    return members


def has_encrypted_members(ctx: CaseContext, file_id: int) -> bool:
    """Whether ``file_id`` lists a member flagged encrypted that is not read yet."""
    return any(status != "done" for _id, _path, status, _note in encrypted_members(ctx, file_id))


def chain_key(locator: FileLocator) -> str:
    """How the worker names the archive below its top item ('' when it is the top item itself)."""
    paths = []
    link = locator
    while link.parent is not None:
        paths.append(link.path)
        link = link.parent
    return " < ".join(paths)  # as NestedTree.chain_key spells it


def _top_of(ctx: CaseContext, file_id: int) -> int:
    with ctx.db.session() as s:
        current = file_id
        while True:
            parent = s.scalar(select(File.parent_id).where(File.id == current))
            if parent is None:
                return current
            current = parent


def _case_profile(ctx: CaseContext, item: str) -> str:
    """The profile of the item's last finished ingest; refused while items of it wait to be processed."""
    with ctx.db.session() as s:
        evidence_id = s.scalar(select(Evidence.id).where(Evidence.item == item))
        profile = s.scalar(
            select(IngestJob.profile)
            .where(IngestJob.evidence_id == evidence_id, IngestJob.status == "finished")
            .order_by(IngestJob.id.desc())
        )
        waiting = s.scalar(
            select(File.id).where(File.evidence_id == evidence_id, File.status == "pending").limit(1)
        )
    if profile is None or waiting is not None:
        state = "never finished" if profile is None else "has items still to process"
        raise ArchivePasswordError(
            f"evidence item {item}: the ingest {state}: run it to its end before re-running an archive"
        )
    return profile


def _enclosing_encrypted(ctx: CaseContext, file_id: int) -> list[int]:
    """The archives through whose encrypted members ``file_id`` is reached (innermost first)."""
    found: list[int] = []
    with ctx.db.session() as s:
        current = file_id
        while True:
            parent, link = s.execute(select(File.parent_id, File.link_json).where(File.id == current)).one()
            if parent is None:
                return found
            if link and FLAG_ENCRYPTED in json.loads(link).get("flags", []):
                found.append(parent)
            current = parent


def _passwords_on_the_way(
    ctx: CaseContext, file_id: int, password: str, others: Mapping[int, str]
) -> tuple[tuple[str, bytes], ...]:
    """The worker's passwords (by chain below the evidence file) for the archive and those enclosing it."""
    needed = _enclosing_encrypted(ctx, file_id)
    missing = [archive for archive in needed if archive not in others]
    if missing:
        raise ArchivePasswordError(
            f"file {file_id} lies inside encrypted archive(s) {missing}: their passwords are needed too"
        )
    wanted = {file_id: password, **{archive: others[archive] for archive in needed}}
    located = file_locators(ctx.db, wanted)
    return tuple(
        (chain_key(located[archive][1]), secret.encode(PASSWORD_ENCODING))
        for archive, secret in sorted(wanted.items())
    )


def _count_inside(ctx: CaseContext, parents: list[int]) -> int:
    total = 0
    with ctx.db.session() as s:
        while parents:
            parents = list(s.scalars(select(File.id).where(File.parent_id.in_(parents))))
            total += len(parents)
    return total


def unlock_archive(
    ctx: CaseContext,
    file_id: int,
    password: str,
    *,
    profile: ProcessingProfile | None = None,
    workers: int = 1,
    cancel: CancelToken | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    processes: WorkerProcesses | None = None,
    library: str | None = None,
    other_passwords: Mapping[int, str] | None = None,
) -> ArchiveUnlock:
    """Re-run archive ``file_id`` with ``password``; see the module docstring.

    ``profile``: default, the profile of the evidence item's last ingest (the case's processing); a
    profile that matches runs matching at the end, as an ingest does (``library``: its hash-set library).
    Raises :class:`ArchivePasswordError` before anything is recorded when the file lists no encrypted
    member still closed, when its evidence item's ingest has not finished (or items of it wait), or when
    the archive lies in unallocated space (carved). A cancelled run leaves the file as it was listed and
    its members as far as the job got; run it again. ``other_passwords``: archive file id -> password of
    the encrypted archives that enclose this one (the job reads it through them); one that is needed
    and missing is refused before anything is recorded.
    """
    item, locator = file_locators(ctx.db, [file_id])[file_id]
    if not has_encrypted_members(ctx, file_id):
        raise ArchivePasswordError(f"file {file_id} ({locator.path}) lists no encrypted member still closed")
    top = locator
    while top.parent is not None:
        top = top.parent
    if top.kind in CARVED_KINDS:
        raise ArchivePasswordError(f"file {file_id} ({locator.path}): a carved archive is not re-run yet")
    profile = profile or load_profile(_case_profile(ctx, item))
    if profile.nested is None:
        raise ArchivePasswordError(f"processing profile {profile.name!r} does not open archives")
    top_id = _top_of(ctx, file_id)
    secret = _passwords_on_the_way(ctx, file_id, password, other_passwords or {})
    job_id, _evidence_id, _resumed = start_job(ctx.db, item, profile, workers)
    with sealed_job(ctx, "archive-unlock", INGEST_TABLES, [item]):
        with ctx.db.session() as s:  # inside the sealed job: the seal covers the item going back to work
            s.execute(update(File).where(File.id == top_id).values(status="pending"))
        outcome = run_job(
            ctx.db,
            job_id,
            profile,
            workers,
            cancel=cancel,
            on_progress=on_progress,
            processes=processes,
            only={top_id: secret},
        )
        if outcome.status != "finished":  # cancelled: the file keeps its results (its members as they are)
            with ctx.db.session() as s:
                s.execute(
                    update(File).where(File.id == top_id, File.status == "pending").values(status="done")
                )
    result = ArchiveUnlock(file_id, item, job_id, outcome.status)
    for member_id, path, status, note in encrypted_members(ctx, file_id):
        if status == "done":
            result.opened.append((member_id, path))
        else:
            result.still_closed.append(ClosedMember(member_id, path, note or "not opened"))
    result.found_inside = _count_inside(ctx, [member_id for member_id, _path in result.opened])
    ctx.custody.append(
        actions.ARCHIVE_UNLOCKED,
        item=item,
        target=locator.to_dict(),
        details={
            "file_id": file_id,
            "job_id": job_id,
            "profile": profile.name,
            "status": outcome.status,
            "password_accepted": result.password_accepted,
            "members_opened": len(result.opened),
            "members_still_closed": len(result.still_closed),
            "items_found_inside": result.found_inside,
            "opened": [{"file_id": i, "path": p} for i, p in result.opened[:LISTED_IN_CUSTODY]],
            "still_closed": [
                {"file_id": m.file_id, "path": m.path, "note": m.note}
                for m in result.still_closed[:LISTED_IN_CUSTODY]
            ],
        },
    )
    if outcome.status == "finished" and profile.matches and result.opened:
        from forensics.services.matching import match

        result.match = match(ctx, library)
    return result
