"""Match a case's files against the hash-set library, recording each set used in the custody log."""

from __future__ import annotations

from forensics.custody import actions
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import MatchSettings, MatchSummary, match_case
from forensics.services.context import CaseContext
from forensics.services.seal import MATCH_TABLES, sealed_job


def match(
    ctx: CaseContext,
    library_location: str | None,
    set_names: list[str] | None = None,
    settings: MatchSettings | None = None,
) -> MatchSummary:
    """Exact and perceptual matching with provenance; one ``hashset_used`` entry per set used."""
    settings = settings or MatchSettings()
    with sealed_job(ctx, "match", MATCH_TABLES):
        with HashSetLibrary(library_location) as library:
            summary = match_case(
                ctx.db, library, set_names=set_names, settings=settings, examiner=ctx.examiner
            )
        for usage in summary.sets:
            ctx.custody.append(actions.HASHSET_USED, details=usage.custody_details(settings))
    return summary
