"""Collect the report-data model from an open case (read-only: nothing in the case changes)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from forensics import __version__
from forensics.case.db import CaseDatabase
from forensics.case.models import CaseInfo
from forensics.core.errors import CaseError
from forensics.reports.annex import collect_annex
from forensics.reports.collect_case import (
    collect_custody,
    collect_examiners,
    collect_file_notes,
    collect_geo,
    collect_hash_sets,
    collect_methodology,
    computed_limitations,
)
from forensics.reports.collect_evidence import collect_evidence
from forensics.reports.collect_findings import (
    category_of,
    category_region,
    collect_categorised_without_findings,
    collect_findings,
    collect_message_findings,
    collect_video_hashes,
    count_files,
)
from forensics.reports.model import CaseSection, Person, ReportData, Scope
from forensics.reports.tools import tool_versions

STANDARD_LIMITATIONS = (
    "Hash matching finds only files identical to a listed entry (exact MD5, SHA-1 or SHA-256) or visually "
    "similar to one (perceptual PDQ, pHash, dHash within the stated threshold). A file without a match may "
    "still be relevant; coverage is limited to the hash sets listed.",
    "Perceptual matches are candidates: each needs confirmation by an examiner viewing the file.",
    "Categories shown are the hash set's category or the examiner's assessment; the legal classification "
    "is for the court.",
    "File-system times are shown in UTC as the file system records them; file systems that store local "
    "time (e.g. FAT) are converted under the stated time-zone assumption.",
    "Only the evidence items listed were examined; deleted files are reported only where their metadata "
    "and content could still be recovered by The Sleuth Kit.",
)


@dataclass(frozen=True)
class ReportOptions:
    """What the examiner adds at report time: reviewer, scope, notes, annex choices."""

    reviewer: str | None = None
    request: str | None = None
    authority: str | None = None
    constraints: str | None = None
    notes: tuple[str, ...] = ()
    annex: bool = False
    unblurred_annex: bool = False


def report_id(case_number: str, now: str) -> str:
    """A report identifier derived from the case number and the generation time."""
    stamp = "".join(ch for ch in now if ch.isalnum())
    return f"{case_number}-R{stamp}"


def collect_report(db: CaseDatabase, *, now: str, generated_by: str, options: ReportOptions) -> ReportData:
    """The report-data model of the case at time ``now`` (an ISO-8601 UTC time)."""
    with db.session() as session:
        info = session.scalar(select(CaseInfo).order_by(CaseInfo.id))
        if info is None:
            raise CaseError(f"{db.case_dir}: the case has no case record")
        case = CaseSection(info.number, info.title, info.agency, info.created_at, info.created_by)
        findings = collect_findings(session)
        message_findings = collect_message_findings(session)
        categorised = collect_categorised_without_findings(session)
        region = category_region(session)
        evidence = collect_evidence(db, session)
        methodology = collect_methodology(db, session)
        hash_sets = collect_hash_sets(session)
        file_notes = collect_file_notes(session)
        geo = collect_geo(session)
        limitations = [*STANDARD_LIMITATIONS, *computed_limitations(session)]
        annex = collect_annex(session, findings, blurred=not options.unblurred_annex) if options.annex else []
        video_hashes = collect_video_hashes(session, findings)
    if findings and all(row.examiner_category is None for row in findings):
        limitations.append("No finding has been categorised by an examiner yet: categories are the lists'.")
    custody, custody_verdict = collect_custody(db)
    return ReportData(
        report_id=report_id(case.number, now),
        generated_at=now,
        generated_by=generated_by,
        custos_version=__version__,
        case=case,
        examiners=collect_examiners(db),
        reviewer=Person(options.reviewer, "Reviewer") if options.reviewer else None,
        scope=Scope(options.request, options.authority, options.constraints),
        evidence=evidence,
        tools=tool_versions(),
        hash_sets=hash_sets,
        methodology=methodology,
        findings=findings,
        counts_by_category=count_files(findings, category_of),
        counts_by_set=count_files(findings, lambda row: row.set_name),
        examiner_notes=[*options.notes, *file_notes],
        limitations=limitations,
        custody=custody,
        custody_verification=custody_verdict,
        geo=geo,
        annex=annex,
        categorised=categorised,
        category_region=region,
        video_hashes=video_hashes,
        message_findings=message_findings,
    )
