"""Findings for the report: one row per finding with the file's location, times, hashes and match basis."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from forensics.case.locators import session_locators
from forensics.case.models import CaseInfo, Evidence, File, FileSystem
from forensics.case.models_analysis import FileAnalysis
from forensics.case.models_findings import Finding
from forensics.case.models_regions import FindingRegion
from forensics.case.models_review import FileCategory
from forensics.case.models_video import FileVideo, FindingVideo, VideoFrameHash
from forensics.case.queries.whatsapp import message_findings, provenance_of, provenance_text
from forensics.core.local_times import is_local_time_fs, time_basis, time_iso
from forensics.reports.model import Count, FindingRow, MessageFindingRow, VideoHashes
from forensics.reports.text import printable_text

EXACT_ALGORITHMS = ("md5", "sha1", "sha256")
ALGORITHM_NAMES = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "pdq": "PDQ",
    "phash": "pHash",
    "dhash": "dHash",
    "vpdq": "vPDQ",
    "pdq-frame": "PDQ of video frames",
}
UNCATEGORISED = "Uncategorised"
MATCHED_TIMES_SHOWN = 20  # matched frames' times named in a finding's basis (all are in the CSV export)


def media_kind(analysis_category: str | None) -> str:
    """``still``, ``video`` or ``other`` from the content category found at analysis."""
    if analysis_category == "image":
        return "still"
    if analysis_category == "video":
        return "video"
    return "other"


def match_basis(
    algorithm: str,
    distance: int,
    threshold: int | None,
    variant: str | None = None,
    region: FindingRegion | None = None,
) -> str:
    """How the file matched, in words: exact hash, or perceptual with distance and threshold, and for a
    perceptual match the turned variant, the content region and the list entry's extra hash that matched.
    """
    name = ALGORITHM_NAMES.get(algorithm, algorithm)
    if algorithm in EXACT_ALGORITHMS:
        return f"exact {name}"
    limit = f" (threshold {threshold})" if threshold is not None else ""
    parts = [f"perceptual {name}, distance {distance}{limit}"]
    if variant and variant != "original":
        parts.append(f"the file's {variant} variant")
    if region is not None and region.region_kind:
        parts.append(
            f"content region ({region.region_kind}) at x {region.x}, y {region.y}, {region.w} x {region.h} px"
        )
    if region is not None and region.list_variant:
        parts.append(f"the listed picture's {region.list_variant} hash")
    return "; ".join(parts)


def finding_basis(finding: Finding, region: FindingRegion | None) -> str:
    """A picture finding's basis in words (see :func:`match_basis`)."""
    return match_basis(finding.algorithm, finding.distance, finding.threshold, finding.variant, region)


def clock(seconds: float) -> str:
    """A position in a video as ``m:ss`` (``h:mm:ss`` from an hour), whole seconds."""
    whole = int(seconds)
    if whole >= 3600:
        return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{whole // 60}:{whole % 60:02d}"


def matched_times(detail: FindingVideo) -> list[float]:
    """The seconds at which a video finding's matched frames are shown, in order."""
    return sorted({float(frame[1]) for frame in json.loads(detail.frames_json or "[]")})


def video_basis(finding: Finding, detail: FindingVideo) -> str:
    """How a video matched, in words: frames and shares, the rule, the listed video, where in the video."""
    times = matched_times(detail)
    shown = ", ".join(clock(t) for t in times[:MATCHED_TIMES_SHOWN])
    more = f" and {len(times) - MATCHED_TIMES_SHOWN} more" if len(times) > MATCHED_TIMES_SHOWN else ""
    bars = " (the picture inside the video's black bars)" if detail.view == "inside_bars" else ""
    frames = f"{detail.query_matched} of {detail.query_frames} sampled frames ({detail.query_percent:.1f} %)"
    if detail.basis == "vpdq":
        return (
            f"vPDQ video match{bars}: {frames} of this video and {detail.listed_matched} of "
            f"{detail.listed_frames} frames ({detail.listed_percent:.1f} %) of listed video "
            f"{detail.listed_video} within PDQ distance {finding.threshold}, frame quality >= "
            f"{detail.quality}; rule: listed share >= {detail.listed_share:g} %, this video's share >= "
            f"{detail.query_share:g} %; nearest pair distance {finding.distance}; matched at {shown}{more}"
        )
    return (
        f"PDQ of video frames{bars}, distance {finding.distance} (threshold {finding.threshold}): {frames} "
        f"match the list entry; at {shown}{more}"
    )


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

    Times are ISO-8601 for the exports (:func:`forensics.core.local_times.time_iso`: UTC with ``Z`` when
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


def with_chains(
    session: Session, rows: list[FindingRow], nested: dict[int, tuple[int | None, str | None]]
) -> list[FindingRow]:
    """Rows of items inside others get their parent and their locator chain in words.

    ``nested``: file id -> (parent id, file-system type) of the rows' items that are not plain entries of
    a file system (archive members, embedded objects, carved files).
    """
    if not nested:
        return rows
    chains = session_locators(session, nested)
    return [
        replace(
            row,
            parent_id=nested[row.file_id][0],
            located=chains[row.file_id][1].describe(nested[row.file_id][1]),
        )
        if row.file_id in nested
        else row
        for row in rows
    ]


def _nested(f: File, fs: FileSystem, nested: dict[int, tuple[int | None, str | None]]) -> None:
    if f.parent_id is not None or f.link_json is not None:
        nested[f.id] = (f.parent_id, fs.fs_type)


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
    nested: dict[int, tuple[int | None, str | None]] = {}
    rows = []
    for number, (review, f, item, fs, analysis_category, zone) in enumerate(session.execute(query), start=1):
        _nested(f, fs, nested)
        rows.append(
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
        )
    return with_chains(session, rows, nested)


def category_region(session: Session) -> str:
    """The case's category region (chosen at creation, changes recorded in custody)."""
    region = session.scalar(select(CaseInfo.category_region).order_by(CaseInfo.id).limit(1))
    return region or "US"


def collect_findings(session: Session) -> list[FindingRow]:
    """Every finding, ordered by item, partition, path, file, set, algorithm and entry; numbered from 1."""
    query = (
        select(
            Finding, File, Evidence.item, FileSystem, FileAnalysis.category, FindingRegion, Evidence.time_zone
        )
        .add_columns(FindingVideo, FileVideo.duration_s)
        .join(File, File.id == Finding.file_id)
        .join(Evidence, Evidence.id == File.evidence_id)
        .join(FileSystem, FileSystem.id == File.filesystem_id)
        .outerjoin(FileAnalysis, FileAnalysis.file_id == File.id)
        .outerjoin(FindingRegion, FindingRegion.finding_id == Finding.id)
        .outerjoin(FindingVideo, FindingVideo.finding_id == Finding.id)
        .outerjoin(FileVideo, (FileVideo.file_id == File.id) & (FileVideo.kind == "video"))
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
    nested: dict[int, tuple[int | None, str | None]] = {}
    for number, found in enumerate(session.execute(query), start=1):
        finding, f, item, fs, analysis_category, region, zone, detail, duration = found
        _nested(f, fs, nested)
        rows.append(
            file_row(
                number,
                f,
                item,
                fs,
                "video" if duration is not None and analysis_category != "image" else analysis_category,
                zone,
                basis=video_basis(finding, detail) if detail is not None else finding_basis(finding, region),
                duration_s=round(duration, 3) if duration is not None else None,
                matched_at="; ".join(f"{t:.3f}" for t in matched_times(detail)) if detail is not None else "",
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
    return with_provenance(session, with_chains(session, rows, nested))


def with_provenance(session: Session, rows: list[FindingRow]) -> list[FindingRow]:
    """Rows of files that came through WhatsApp get the messages they were sent or received in, in words."""
    found = provenance_of(session, [row.file_id for row in rows])
    if not found:
        return rows
    return [
        replace(row, provenance=tuple(printable_text(provenance_text(p)) for p in found[row.file_id]))
        if row.file_id in found
        else row
        for row in rows
    ]


def _finding_entry_label(finding: dict) -> str:
    parts = []
    if finding.get("entry_record_no") is not None:
        parts.append(f"record {finding['entry_record_no']}")
    if finding.get("media_id"):
        parts.append(f"MediaID {finding['media_id']}")
    if finding.get("series"):
        parts.append(f"series {finding['series']}")
    return ", ".join(parts) or f"entry {finding['entry_id']}"


def collect_message_findings(session: Session) -> list[MessageFindingRow]:
    """Findings from a WhatsApp message's stored hash (the file is in no item), numbered from 1."""
    return [
        MessageFindingRow(
            number=number,
            item=finding["message"]["item"],
            database=printable_text(finding["message"]["database"]),
            media_path=printable_text(finding["message"]["media_path"] or ""),
            stored_sha256=finding["matched_hash"],
            provenance=printable_text(provenance_text(finding["message"])),
            message_id=finding["message"]["message_id"],
            set_name=finding["set_name"],
            set_version=finding["set_version"],
            entry=_finding_entry_label(finding),
            list_category=finding["category"],
            list_category_label=finding["category_label"],
        )
        for number, finding in enumerate(message_findings(session), start=1)
    ]


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


def collect_video_hashes(session: Session, rows: Iterable[FindingRow]) -> list[VideoHashes]:
    """The vPDQ hashes (whole frames, in order) of the videos among the findings' files."""
    ids = sorted({row.file_id for row in rows if row.duration_s is not None})
    out = []
    for file_id in ids:
        frames = session.execute(
            select(VideoFrameHash.frame_number, VideoFrameHash.timestamp_s)
            .add_columns(VideoFrameHash.quality, VideoFrameHash.pdq)
            .where(VideoFrameHash.file_id == file_id, VideoFrameHash.inside_bars.is_(False))
            .order_by(VideoFrameHash.frame_number)
        ).all()
        if frames:
            out.append(VideoHashes(file_id, tuple((n, t, q, bytes(p).hex()) for n, t, q, p in frames)))
    return out
