"""Run hash-set matching for a case and record each set used in the custody log (CLI and ingest)."""

from __future__ import annotations

from forensics.custody import actions
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import MatchSettings, MatchSummary, match_case


def run_match(
    ctx,
    library_location: str | None,
    set_names: list[str] | None = None,
    settings: MatchSettings | None = None,
) -> MatchSummary:
    """Match the case's files against the library's sets; one ``hashset_used`` event per set."""
    settings = settings or MatchSettings()
    with HashSetLibrary(library_location) as library:
        summary = match_case(ctx.db, library, set_names=set_names, settings=settings, examiner=ctx.examiner)
    for usage in summary.sets:
        ctx.custody.append(actions.HASHSET_USED, details=usage.custody_details(settings))
    return summary
