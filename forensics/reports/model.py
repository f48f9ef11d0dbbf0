"""The plain report-data model: everything a report or export shows, collected once from the case.

Renderers (PDF, HTML) and exports read only this model, never the database, so that every output of
one generation agrees. Every list is sorted explicitly by the collector: same case, same clock, same model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class CaseSection:
    """Case and agency."""

    number: str
    title: str
    agency: str | None
    created_at: str
    created_by: str | None


@dataclass(frozen=True)
class Person:
    """An examiner registered on the case, or the reviewer named for this report."""

    name: str
    role: str
    agency: str | None = None
    badge: str | None = None
    key_id: str | None = None


@dataclass(frozen=True)
class Scope:
    """Request, legal authority and constraints (free text supplied by the examiner)."""

    request: str | None = None
    authority: str | None = None
    constraints: str | None = None


@dataclass(frozen=True)
class HashCheck:
    """One acquisition hash compared with the hash computed over the media."""

    algorithm: str
    expected: str | None
    source: str | None
    computed: str | None
    match: bool | None


@dataclass(frozen=True)
class VerificationRun:
    """One verification of an item's media: when, what was computed, the verdict."""

    started_at: str
    finished_at: str | None
    bytes_hashed: int | None
    result: str
    md5: str | None
    sha1: str | None
    sha256: str | None
    checks: tuple[HashCheck, ...]
    segment_sha256: tuple[tuple[str, str], ...]
    error: str | None
    damaged_sectors: tuple[tuple[int, int], ...] = ()  # (first sector, count): EWF chunks read as zeros


@dataclass(frozen=True)
class EvidenceSection:
    """An evidence item: intake data (with corrections applied), seals, image, hashes and verifications."""

    item: str
    intake: tuple[tuple[str, str], ...]
    image_files: tuple[str, ...]
    container: str
    media_size: int | None
    stored_md5: str | None
    stored_sha1: str | None
    acquisition_hashes: tuple[tuple[str, str], ...]
    verifications: tuple[VerificationRun, ...]
    file_systems: tuple[str, ...]
    file_count: int
    corrections: int


@dataclass(frozen=True)
class ToolVersion:
    """A program or library that took part, with its version."""

    name: str
    version: str
    role: str


@dataclass(frozen=True)
class HashSetUsed:
    """A hash set used for matching: name, version, source file and SHA-256, entry counts."""

    name: str
    uid: str
    kind: str
    version: str | None
    source_name: str
    source_sha256: str
    entries: int | None
    algorithms: tuple[str, ...]


@dataclass(frozen=True)
class Methodology:
    """What was run: ingest jobs with their profiles and tasks, match runs with their thresholds."""

    ingest_jobs: tuple[dict[str, Any], ...]
    match_runs: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class FindingRow:
    """One finding: where the file is, its times and hashes, why it matched, and its category."""

    number: int
    file_id: int
    item: str
    partition: str
    path: str
    inode: str
    size: int | None
    mtime: str | None
    atime: str | None
    ctime: str | None
    crtime: str | None
    md5: str | None
    sha1: str | None
    sha256: str | None
    media: str
    basis: str
    algorithm: str
    distance: int
    threshold: int | None
    set_name: str
    set_version: str | None
    entry: str
    list_category: int | None
    list_category_label: str | None
    examiner_category: int | None
    examiner_category_label: str | None
    allocated: bool
    deleted: bool
    # The item that holds it (archive, document, disk image, unallocated space) and its locator chain in
    # words; None and "" for a file of the evidence's own file system.
    parent_id: int | None = None
    located: str = ""
    # A video: its length, and for a video finding the seconds at which its matched frames are shown.
    duration_s: float | None = None
    matched_at: str = ""
    # The WhatsApp messages the file was sent or received in, one line each ("received 2026-03-02 14:11 UTC
    # in group 'X' from +92... (Name), forwarded"); empty when no message links to it.
    provenance: tuple[str, ...] = ()
    # How to read the times: "UTC", "local time, converted to UTC from Asia/Karachi", "local time, zone
    # unknown" (forensics.core.local_times).
    time_basis: str = "UTC"


@dataclass(frozen=True)
class MessageFindingRow:
    """A finding from a WhatsApp message's stored SHA-256 alone: no item of the case holds the file."""

    number: int
    item: str  # the evidence item whose message database holds the message
    database: str
    media_path: str | None  # the file's path as the message stores it
    stored_sha256: str
    provenance: str
    message_id: str | None
    set_name: str
    set_version: str | None
    entry: str
    list_category: int | None
    list_category_label: str | None


@dataclass(frozen=True)
class Count:
    """A labelled count (findings by category, by set, by media type)."""

    label: str
    stills: int
    videos: int
    other: int

    @property
    def total(self) -> int:
        return self.stills + self.videos + self.other


@dataclass(frozen=True)
class CustodyEvent:
    """A custody-log entry as summarised in the report."""

    seq: int
    ts: str
    examiner: str
    action: str
    item: str | None
    entry_hash: str


@dataclass(frozen=True)
class CustodySummary:
    """The custody log at report time: entry counts by action, the events, and the head hash."""

    entries: int
    head_hash: str | None
    by_action: tuple[tuple[str, int], ...]
    events: tuple[CustodyEvent, ...]


@dataclass(frozen=True)
class GeoPoint:
    """A file with GPS coordinates from its EXIF data."""

    file_id: int
    item: str
    path: str
    lat: float
    lon: float
    alt: float | None
    taken: str | None
    md5: str | None
    sha256: str | None


@dataclass(frozen=True)
class AnnexImage:
    """A thumbnail of a file with a finding, for the restricted annex only (JPEG bytes, blurred or not)."""

    finding_number: int
    path: str
    sha256: str | None
    jpeg: bytes
    blurred: bool


@dataclass(frozen=True)
class VideoHashes:
    """The vPDQ hash of a video with a finding: its sampled frames (number, seconds, quality, PDQ hex)."""

    file_id: int
    frames: tuple[tuple[int, float, int, str], ...]


@dataclass
class ReportData:
    """Everything the report and the exports show, in the order of the report's sections."""

    report_id: str
    generated_at: str
    generated_by: str
    custos_version: str
    case: CaseSection
    examiners: list[Person]
    reviewer: Person | None
    scope: Scope
    evidence: list[EvidenceSection]
    tools: list[ToolVersion]
    hash_sets: list[HashSetUsed]
    methodology: Methodology
    findings: list[FindingRow]
    counts_by_category: list[Count]
    counts_by_set: list[Count]
    examiner_notes: list[str]
    limitations: list[str]
    custody: CustodySummary
    custody_verification: str
    geo: list[GeoPoint] = field(default_factory=list)
    annex: list[AnnexImage] = field(default_factory=list)
    # Files an examiner categorised that no hash set flagged (basis "examiner categorisation"): exported
    # to VICS with the findings, so that new material goes back to the hash database.
    categorised: list[FindingRow] = field(default_factory=list)
    # The VICS category scheme (region) the examiner's categories use.
    category_region: str = "US"
    # vPDQ hashes (whole frames) of the videos with findings, for the CASE/UCO export.
    video_hashes: list[VideoHashes] = field(default_factory=list)
    # The custody log's state this report saw, signed by its examiner (forensics.custody.checkpoint);
    # a verifier reads it back from the report file. None for exports and unsigned renderings.
    checkpoint: dict[str, Any] | None = None
    # Findings from a WhatsApp message's stored hash whose file no item holds (after the file findings).
    message_findings: list[MessageFindingRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The model as plain JSON-ready data (annex images are left out: they never leave the annex)."""
        data = asdict(self)
        data["annex"] = [
            {"finding_number": a.finding_number, "path": a.path, "sha256": a.sha256, "blurred": a.blurred}
            for a in self.annex
        ]
        return data
