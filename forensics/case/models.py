"""Core tables of the case database: case info, evidence, volumes, file systems, files, jobs.

Times are stored as text in ISO-8601 UTC (``...Z``) for audit fields, and as integer
nanoseconds since the Unix epoch (UTC) for file-system times, so that sub-second precision
(NTFS: 100 ns, ext4: 1 ns) survives and ranges can be filtered in SQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forensics.case.base import CaseBase


class CaseInfo(CaseBase):
    """One row: the case this database belongs to."""

    __tablename__ = "case_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str | None] = mapped_column(String(200))
    custos_version: Mapped[str] = mapped_column(String(40))
    # VICS category scheme (region) of the examiner's review in this case: US, Canada, UK.
    category_region: Mapped[str] = mapped_column(String(20), server_default=text("'US'"))


class Evidence(CaseBase):
    """An evidence item (exhibit): its image, intake fields, container metadata."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    # Intake (custody) fields as recorded at intake; corrections live in the custody log.
    seal_number: Mapped[str | None] = mapped_column(Text)
    seized_from: Mapped[str | None] = mapped_column(Text)
    seized_by: Mapped[str | None] = mapped_column(Text)
    seized_at: Mapped[str | None] = mapped_column(String(40))
    received_by: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[str | None] = mapped_column(String(40))
    device_make: Mapped[str | None] = mapped_column(Text)
    device_model: Mapped[str | None] = mapped_column(Text)
    device_serial: Mapped[str | None] = mapped_column(Text)
    storage_location: Mapped[str | None] = mapped_column(Text)
    acquisition_tool: Mapped[str | None] = mapped_column(Text)
    acquisition_examiner: Mapped[str | None] = mapped_column(Text)
    acquisition_date: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    # Examiner-supplied acquisition hashes (e.g. from the imaging log of a raw image).
    acquisition_md5: Mapped[str | None] = mapped_column(String(32))
    acquisition_sha1: Mapped[str | None] = mapped_column(String(40))
    acquisition_sha256: Mapped[str | None] = mapped_column(String(64))
    # The image as opened.
    path: Mapped[str] = mapped_column(Text)
    segments_json: Mapped[str] = mapped_column(Text)
    container: Mapped[str] = mapped_column(String(20))
    media_size: Mapped[int | None] = mapped_column(BigInteger)
    sector_size: Mapped[int | None] = mapped_column(Integer)
    volume_system: Mapped[str | None] = mapped_column(String(40))
    # Container metadata (E01 header values, stored media hashes) as JSON text.
    container_meta_json: Mapped[str | None] = mapped_column(Text)
    stored_md5: Mapped[str | None] = mapped_column(String(32))
    stored_sha1: Mapped[str | None] = mapped_column(String(40))
    added_at: Mapped[str] = mapped_column(String(40))
    added_by: Mapped[str | None] = mapped_column(String(200))
    # IANA time zone of the source device (e.g. Asia/Karachi); None = unknown. Times that a file system
    # stores as local wall-clock time (FAT, exFAT) are shown in it (forensics/core/local_times.py).
    time_zone: Mapped[str | None] = mapped_column(String(64))

    volumes: Mapped[list[Volume]] = relationship(back_populates="evidence", order_by="Volume.addr")
    filesystems: Mapped[list[FileSystem]] = relationship(
        back_populates="evidence", order_by="FileSystem.offset"
    )


class Verification(CaseBase):
    """One acquisition-hash verification run over the whole media of an evidence item."""

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    started_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    bytes_hashed: Mapped[int | None] = mapped_column(BigInteger)
    md5: Mapped[str | None] = mapped_column(String(32))
    sha1: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str | None] = mapped_column(String(64))
    # JSON: {"md5": {"expected": .., "source": "ewf-stored"|"examiner", "match": bool}, ...}
    comparisons_json: Mapped[str] = mapped_column(Text)
    # match | mismatch | no-reference | error
    result: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)


class Volume(CaseBase):
    """A partition-table entry: allocated partition, unallocated gap, or table/meta entry."""

    __tablename__ = "volumes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    addr: Mapped[int] = mapped_column(Integer)
    start_sector: Mapped[int] = mapped_column(BigInteger)
    length_sectors: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    # allocated | unallocated | meta
    kind: Mapped[str] = mapped_column(String(20))
    flags: Mapped[int] = mapped_column(Integer)

    evidence: Mapped[Evidence] = relationship(back_populates="volumes")


class FileSystem(CaseBase):
    """A file system found in a partition (or at offset 0), or a logical folder source."""

    __tablename__ = "filesystems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    volume_id: Mapped[int | None] = mapped_column(ForeignKey("volumes.id"))
    offset: Mapped[int] = mapped_column(BigInteger)
    # ext2, ntfs, fat32, ... ; "logical" for a folder source; null when it could not be opened
    fs_type: Mapped[str | None] = mapped_column(String(40))
    block_size: Mapped[int | None] = mapped_column(Integer)
    block_count: Mapped[int | None] = mapped_column(BigInteger)
    first_inum: Mapped[int | None] = mapped_column(BigInteger)
    last_inum: Mapped[int | None] = mapped_column(BigInteger)
    root_inum: Mapped[int | None] = mapped_column(BigInteger)
    # How the file system's own times relate to UTC (e.g. FAT stores local time, zone unknown).
    time_zone_note: Mapped[str | None] = mapped_column(Text)
    # ok | unrecognised | multiple-types | error
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    enumerated: Mapped[bool] = mapped_column(Boolean, default=False)
    file_count: Mapped[int | None] = mapped_column(Integer)
    # More than one file-system type is valid at this offset: each is its own row, each flagged.
    ambiguous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("0"))
    # Problems found at intake (file system beyond the image, out-of-range values): JSON list of lines.
    notes: Mapped[str | None] = mapped_column(Text)

    evidence: Mapped[Evidence] = relationship(back_populates="filesystems")

    __table_args__ = (
        UniqueConstraint("evidence_id", "offset", "fs_type", name="uq_filesystems_evidence_offset_type"),
    )


class File(CaseBase):
    """One item found in evidence: a file, directory, link, stream, or a child of another item."""

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    filesystem_id: Mapped[int] = mapped_column(ForeignKey("filesystems.id"))
    # Items found inside other items (archive members, embedded objects, frames) point at their parent.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"), index=True)
    # The item's own locator link when it is not a plain file-system entry: {"kind": ..., "params": {...}}
    # (see forensics.case.locators); NULL for file-system entries and folder files.
    link_json: Mapped[str | None] = mapped_column(Text)
    # Position in the deterministic walk of its file system (or its parent): resumable enumeration.
    seq: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    extension: Mapped[str | None] = mapped_column(String(40))
    inode: Mapped[int | None] = mapped_column(BigInteger)
    attr_type: Mapped[int | None] = mapped_column(Integer)
    attr_id: Mapped[int | None] = mapped_column(Integer)
    stream: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(BigInteger)
    # file | directory | link | fifo | char-device | block-device | socket | virtual | virtual-dir
    # | shadow | whiteout | unknown
    kind: Mapped[str] = mapped_column(String(20))
    allocated: Mapped[bool] = mapped_column(Boolean)
    deleted: Mapped[bool] = mapped_column(Boolean)
    orphan: Mapped[bool] = mapped_column(Boolean)
    # The name is deleted but its metadata entry now belongs to another file.
    meta_reallocated: Mapped[bool] = mapped_column(Boolean, default=False)
    has_metadata: Mapped[bool] = mapped_column(Boolean, default=True)
    mode: Mapped[int | None] = mapped_column(Integer)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    gid: Mapped[int | None] = mapped_column(BigInteger)
    nlink: Mapped[int | None] = mapped_column(Integer)
    link_target: Mapped[str | None] = mapped_column(Text)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    atime_ns: Mapped[int | None] = mapped_column(BigInteger)
    ctime_ns: Mapped[int | None] = mapped_column(BigInteger)
    crtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    # JSON list of [file_offset, image_offset, length] data runs, when the file system reports them.
    byte_runs_json: Mapped[str | None] = mapped_column(Text)
    md5: Mapped[str | None] = mapped_column(String(32))
    sha1: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str | None] = mapped_column(String(64))
    bytes_read: Mapped[int | None] = mapped_column(BigInteger)
    # Analysis tasks already run on this item (bits of forensics.pipeline.tasks.TASK_BITS): a later
    # ingest with a richer profile processes the item again for what is missing.
    tasks_mask: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # pending | done | error | no-content
    status: Mapped[str] = mapped_column(String(20), default="pending")
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("filesystem_id", "parent_id", "seq", name="uq_files_fs_parent_seq"),
        # Top-level items (parent_id NULL) are unique per file system and walk position.
        Index(
            "uq_files_fs_seq_top",
            "filesystem_id",
            "seq",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
        Index("ix_files_status", "status"),
        Index("ix_files_md5", "md5"),
        Index("ix_files_sha1", "sha1"),
        Index("ix_files_sha256", "sha256"),
        Index("ix_files_fs_path", "filesystem_id", "path"),
        Index("ix_files_evidence", "evidence_id"),
    )


class IngestJob(CaseBase):
    """One run (or resumed run) of ingest over an evidence item."""

    __tablename__ = "ingest_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    profile: Mapped[str] = mapped_column(String(40))
    workers: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    # running | finished | cancelled | failed (a job left "running" was interrupted)
    status: Mapped[str] = mapped_column(String(20))
    resumed_from: Mapped[int | None] = mapped_column(ForeignKey("ingest_jobs.id"))
    items_total: Mapped[int | None] = mapped_column(Integer)
    items_done: Mapped[int | None] = mapped_column(Integer)
    items_failed: Mapped[int | None] = mapped_column(Integer)
    bytes_total: Mapped[int | None] = mapped_column(BigInteger)
    bytes_done: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)


class IngestError(CaseBase):
    """A problem met during ingest: a bad file system, an unreadable item, a worker crash."""

    __tablename__ = "ingest_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_jobs.id"), index=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id"))
    # The file system a listing problem concerns (stage "enumerate"; null for item problems)
    filesystem_id: Mapped[int | None] = mapped_column(ForeignKey("filesystems.id"))
    stage: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))
