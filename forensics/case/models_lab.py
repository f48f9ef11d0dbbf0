"""Claims of the lab's auto-ingest watchers (``custos lab watch``): which watcher took which manifest's job.

One row per evidence item a watcher took: the unique key on ``item`` makes the claim atomic (the first
INSERT wins; a second watcher's INSERT fails), so that several watchers on several machines never take the
same job twice. ``status`` follows the job: ``claimed`` -> ``finished`` | ``stopped`` | ``failed`` (final),
or ``cancelled`` (the watcher was stopped; another may take the claim over and resume the job).
"""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class LabClaim(CaseBase):
    """One watcher's claim on the ingest of one evidence item described by a manifest."""

    __tablename__ = "lab_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[str] = mapped_column(String(200))
    # The manifest's file name and the SHA-256 of its bytes when it was claimed.
    manifest: Mapped[str] = mapped_column(Text)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    # The watcher: ``host:pid:nonce``; ``takeovers``: claims taken over from a watcher that went away.
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[str] = mapped_column(String(40))
    takeovers: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    job_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("item", name="uq_lab_claims_item"),)
