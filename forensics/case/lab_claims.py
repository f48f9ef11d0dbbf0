"""Atomic claims on evidence items for the lab's auto-ingest watchers (table ``lab_claims``).

:func:`claim_item` is a single INSERT into a table with a unique key on the item: of any number of
watchers claiming the same item at once, on one machine or several, exactly one succeeds. A claim whose
watcher went away before the job ended (status ``claimed`` or ``cancelled``) can be taken over by one
other watcher with :func:`take_over`, a single compare-and-set UPDATE on the previous owner's name; the
caller makes sure first that the previous owner is gone (it holds the case's ingest lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.exc import IntegrityError

from forensics.case.db import CaseDatabase
from forensics.case.models_lab import LabClaim
from forensics.core.timeutil import utc_now_iso

CLAIMED = "claimed"
FINISHED = "finished"
STOPPED = "stopped"  # the profile stops at the first alert: the item is not fully processed
FAILED = "failed"
CANCELLED = "cancelled"
FINAL_STATUSES = frozenset({FINISHED, STOPPED, FAILED})
ERROR_CHARS = 2000  # longest error kept in a claim


@dataclass(frozen=True)
class ClaimRecord:
    """A claim as read from the case."""

    item: str
    manifest: str
    manifest_sha256: str
    claimed_by: str
    status: str
    takeovers: int
    job_id: int | None
    error: str | None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


def read_claim(db: CaseDatabase, item: str) -> ClaimRecord | None:
    """The claim on ``item``, None when no watcher claimed it."""
    with db.session() as s:
        row = s.scalar(select(LabClaim).where(LabClaim.item == item))
        if row is None:
            return None
        return ClaimRecord(
            row.item,
            row.manifest,
            row.manifest_sha256,
            row.claimed_by,
            row.status,
            row.takeovers,
            row.job_id,
            row.error,
        )


def claim_item(db: CaseDatabase, item: str, manifest: str, manifest_sha256: str, watcher: str) -> bool:
    """Claim ``item`` for ``watcher`` (one INSERT); False when another watcher holds a claim on it."""
    try:
        with db.session() as s:
            s.execute(
                insert(LabClaim).values(
                    item=item,
                    manifest=manifest,
                    manifest_sha256=manifest_sha256,
                    claimed_by=watcher,
                    claimed_at=utc_now_iso(),
                    takeovers=0,
                    status=CLAIMED,
                )
            )
    except IntegrityError:
        return False
    return True


def take_over(db: CaseDatabase, item: str, previous: str, watcher: str) -> bool:
    """Take the unfinished claim of ``previous`` on ``item`` (one compare-and-set UPDATE); False if lost."""
    with db.session() as s:
        done = s.execute(
            update(LabClaim)
            .where(
                LabClaim.item == item,
                LabClaim.claimed_by == previous,
                LabClaim.status.not_in(sorted(FINAL_STATUSES)),
            )
            .values(
                claimed_by=watcher,
                claimed_at=utc_now_iso(),
                takeovers=LabClaim.takeovers + 1,
                status=CLAIMED,
                error=None,
            )
        )
        return isinstance(done, CursorResult) and done.rowcount == 1


def settle_claim(
    db: CaseDatabase, item: str, watcher: str, status: str, job_id: int | None, error: str | None = None
) -> bool:
    """Record how the claimed job ended; only the claim's owner can (False when it is no longer ours)."""
    with db.session() as s:
        done = s.execute(
            update(LabClaim)
            .where(LabClaim.item == item, LabClaim.claimed_by == watcher)
            .values(
                status=status,
                job_id=job_id,
                error=None if error is None else error[:ERROR_CHARS],
                finished_at=utc_now_iso() if status in FINAL_STATUSES else None,
            )
        )
        return isinstance(done, CursorResult) and done.rowcount == 1
