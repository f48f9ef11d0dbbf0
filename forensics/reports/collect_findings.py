"""Findings for the report: one row per finding with the file's location, times, hashes and match basis."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.models import CaseInfo, Evidence, File, FileSystem
from forensics.case.models_analysis import FileAnalysis
from forensics.case.models_findings import Finding
from forensics.case.models_review import FileCategory
from forensics.local_times import is_local_time_fs, time_basis, time_iso
from forensics.reports.model import Count, FindingRow
from forensics.reports.text import printable_text

EXACT_ALGORITHMS = ("md5", "sha1", "sha256")
ALGORITHM_NAMES = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "pdq": "PDQ",
    "phash": "pHash",
    "dhash": "dHash",
}
UNCATEGORISED = "Uncategorised"


def media_kind(analysis_category: str | None) -> str:
    """``still``, ``video`` or ``other`` from the content category found at analysis."""
    if analysis_category == "image":
        return "still"
    if analysis_category == "video":
        return "video"
    return "other"


def match_basis(algorithm: str, distance: int, threshold: int | None) -> str:
    """How the file matched, in words: exact hash, or perceptual with distance and threshold."""
    name = ALGORITHM_NAMES.get(algorithm, algorithm)
    if algorithm in EXACT_ALGORITHMS:
        return f"exact {name}"
    limit = f" (threshold {threshold})" if threshold is not None else ""
    return f"perceptual {name}, distance {distance}{limit}"


def partition_label(fs: FileSystem) -> str:
    """The file system a file lives in, as the report names it."""
    if fs.fs_type == "logical":
        return "logical folder"
    return f"{fs.fs_type or 'unknown'} @ {fs.offset}"


def inode_label(f: File) -> str:
    """Inode or MFT entry, with the attribute for NTFS streams."""
    if f.inode is None:
        return "-"
    if f.attr_type is not None and f.stream:
        return f"{f.inode}-{f.attr_type}-{f.attr_id} ({f.stream})"
    return str(f.inode)


def _entry_label(finding: Finding) -> str:
    parts = []
    if finding.entry_record_no is not None:
        parts.append(f"record {finding.entry_record_no}")
    if finding.media_id:
        parts.append(f"MediaID {finding.media_id}")
    if finding.series:
        parts.append(f"series {finding.series}")
    return ", ".join(parts) or f"entry {finding.entry_id}"


def examiner_categories(session: Session) -> dict[int, tuple[int, str]]:
    """The category each reviewed file was given by an examiner: file id -> (number, label)."""
    return {row.file_id: (row.category, row.label) for row in session.scalars(select(FileCategory))}


def file_row(
    number: int,
    f: File,
    item: str,
    fs: FileSystem,
    analysis_category: str | None,
    zone: str | None = None,
    **why,
) -> FindingRow:
    """A report row for file ``f``: where it is, its times and hashes, plus why it is reported (``why``).

    Times are ISO-8601 for the exports (:func:`forensics.local_times.time_iso`: UTC with ``Z`` when
    certain, the local wall-clock value otherwise); ``time_basis`` says how to read them.
    """
    local = is_local_time_fs(fs.fs_type)
    return FindingRow(
        number=number,
        file_id=f.id,
        item=item,
        partition=partition_label(fs),
        path=printable_text(f.path),
        inode=inode_label(f),
        size=f.size,
        mtime=time_iso(f.mtime_ns, local=local, zone=zone),
        atime=time_iso(f.atime_ns, local=local, zone=zone),
        ctime=time_iso(f.ctime_ns, local=local, zone=zone),
        crtime=time_iso(f.crtime_ns, local=local, zone=zone),
        time_basis=time_basis(local=local, zone=zone),
        md5=f.md5,
        sha1=f.sha1,
        sha256=f.sha256,
        media=media_kind(analysis_category),
        allocated=f.allocated,
        deleted=f.deleted,
        **why,
    )


def collect_categorised_without_findings(session: Session) -> list[FindingRow]:
    """Files an examiner categorised that no hash set flagged (basis 'examiner categorisation')."""
    flagged = select(Finding.file_id)
    query = (
        select(FileCategory, File, Evidence.item, FileSystem, FileAnalysis.category, Evidence.time_zone)
        .join(File, File.id == FileCategory.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .join(FileSystem, FileSystem.id == File.filesystem_id)
        .outerjoin(FileAnalysis, FileAnalysis.file_id == File.id)
        .where(FileCategory.file_id.not_in(flagged))
        .order_by(Evidence.item, FileSystem.offset, File.path, File.id)
    )
    return [
        file_row(
            number,
            f,
            item,
            fs,
            analysis_category,
            zone,
            basis="examiner categorisation",
            algorithm="",
            distance=0,
            threshold=None,
            set_name="",
            set_version=None,
            entry="",
            list_category=None,
            list_category_label=None,
            examiner_category=review.category,
            examiner_category_label=review.label,
        )
        for number, (review, f, item, fs, analysis_category, zone) in enumerate(
            session.execute(query), start=1
        )
    ]


def category_region(session: Session) -> str:
    """The case's category region (chosen at creation, changes recorded in custody)."""
    region = session.scalar(select(CaseInfo.category_region).order_by(CaseInfo.id).limit(1))
    return region or "US"


def collect_findings(session: Session) -> list[FindingRow]:
    """Every finding, ordered by item, partition, path, file, set, algorithm and entry; numbered from 1."""
    query = (
        select(Finding, File, Evidence.item, FileSystem, FileAnalysis.category, Evidence.time_zone)
        .join(File, File.id == Finding.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .join(FileSystem, FileSystem.id == File.filesystem_id)
        .outerjoin(FileAnalysis, FileAnalysis.file_id == File.id)
        .order_by(
            Evidence.item,
            FileSystem.offset,
            File.path,
            File.id,
            Finding.set_name,
            Finding.set_uid,
            Finding.algorithm,
            Finding.entry_id,
            Finding.id,
        )
    )
    reviewed = examiner_categories(session)
    rows = []
    for number, (finding, f, item, fs, analysis_category, zone) in enumerate(session.execute(query), start=1):
        rows.append(
            file_row(
                number,
                f,
                item,
                fs,
                analysis_category,
                zone,
                basis=match_basis(finding.algorithm, finding.distance, finding.threshold),
                algorithm=finding.algorithm,
                distance=finding.distance,
                threshold=finding.threshold,
                set_name=finding.set_name,
                set_version=finding.set_version,
                entry=_entry_label(finding),
                list_category=finding.category,
                list_category_label=finding.category_label,
                examiner_category=reviewed[f.id][0] if f.id in reviewed else None,
                examiner_category_label=reviewed[f.id][1] if f.id in reviewed else None,
            )
        )
    return rows


def category_of(row: FindingRow) -> str:
    """The category a finding counts under: the examiner's, else the list's, else uncategorised."""
    return row.examiner_category_label or row.list_category_label or UNCATEGORISED


def _count(groups: dict[str, dict[str, set[int]]]) -> list[Count]:
    return [
        Count(
            label=label,
            stills=len(by_media.get("still", set())),
            videos=len(by_media.get("video", set())),
            other=len(by_media.get("other", set())),
        )
        for label, by_media in sorted(groups.items())
    ]


def count_files(rows: Iterable[FindingRow], key) -> list[Count]:
    """Distinct files per label (``key(row)``), stills, videos and other files apart, sorted by label."""
    groups: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        groups[key(row)][row.media].add(row.file_id)
    return _count(groups)
