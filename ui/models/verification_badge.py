"""What the evidence tree says about an item's latest media verification: a short word and the details."""

from __future__ import annotations

from dataclasses import dataclass

from forensics.reports.model import VerificationRun
from forensics.reports.sections import check_verdict, damaged_chunk_line

MAX_DAMAGED_LINES = 8  # the tooltip lists this many damaged ranges, then counts the rest

_WORDS = {
    "match": "verified",
    "mismatch": "HASH MISMATCH",
    "failure": "VERIFICATION FAILURE (damaged chunks)",
    "no-reference": "hashed, no acquisition hash to compare",
    "error": "verification failed",
}


_SOURCES = {"ewf-stored": "stored in the image", "examiner": "entered by the examiner"}


@dataclass(frozen=True)
class VerificationBadge:
    """``text`` beside the item, ``details`` as its tooltip; ``alert`` when the examiner must look,
    ``verified`` when every acquisition hash matched and no chunk was damaged."""

    text: str
    details: str
    alert: bool
    verified: bool = False


def verification_badge(run: VerificationRun | None) -> VerificationBadge:
    """The badge of an item whose latest verification is ``run`` (None: never verified)."""
    if run is None:
        return VerificationBadge("not verified", "No verification of this item's media has been run.", False)
    damaged = len(run.damaged_sectors)
    text = _WORDS.get(run.result, run.result)
    if damaged:
        text += f", {damaged} damaged chunk range{'s' if damaged != 1 else ''}"
    size = f" over {run.bytes_hashed:,} bytes" if run.bytes_hashed is not None else ""
    lines = [f"Media verification of {run.finished_at or run.started_at}: {run.result.upper()}{size}"]
    if run.error:
        lines.append(run.error)
    for check in run.checks:
        source = _SOURCES.get(check.source or "", check.source or "unknown source")
        lines.append(f"{check.algorithm.upper()} ({source}): {check_verdict(check.match)}")
    lines += [damaged_chunk_line(first, count) for first, count in run.damaged_sectors[:MAX_DAMAGED_LINES]]
    if damaged > MAX_DAMAGED_LINES:
        lines.append(f"… and {damaged - MAX_DAMAGED_LINES} more damaged ranges (see the report)")
    alert = run.result in ("mismatch", "failure", "error") or bool(damaged)
    return VerificationBadge(text, "\n".join(lines), alert, verified=run.result == "match" and not alert)
