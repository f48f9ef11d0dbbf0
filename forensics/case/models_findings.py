"""Hash-set results of a case: match runs, findings (with full provenance) and known-file marks.

Findings copy everything a report needs from the library (set name, version, source file and
SHA-256, entry metadata and raw record), so they stay readable after a set is removed from the
library. ``(file_id, set_uid, entry_id, algorithm)`` is unique: re-running a match adds nothing twice.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forensics.case.base import CaseBase


class MatchRun(CaseBase):
    """One run of matching the case's files against library sets."""

    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    examiner: Mapped[str | None] = mapped_column(String(200))
    library: Mapped[str] = mapped_column(Text)
    # JSON list of the sets used: name, uid, version, source_sha256, kind, entries, algorithms.
    sets_json: Mapped[str] = mapped_column(Text)
    # JSON of the thresholds in force (pdq distance, pdq quality, phash, dhash).
    settings_json: Mapped[str] = mapped_column(Text)
    # running | finished | failed
    status: Mapped[str] = mapped_column(String(20))
    findings_added: Mapped[int] = mapped_column(Integer, default=0)
    known_added: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Finding(CaseBase):
    """A file matched an entry of an alert or informational set: why, by what, how close."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    set_uid: Mapped[str] = mapped_column(String(32))
    set_name: Mapped[str] = mapped_column(String(200))
    set_version: Mapped[str | None] = mapped_column(String(200))
    set_kind: Mapped[str] = mapped_column(String(20))
    set_format: Mapped[str] = mapped_column(String(40))
    set_source_name: Mapped[str] = mapped_column(Text)
    set_source_sha256: Mapped[str] = mapped_column(String(64))
    set_region: Mapped[str] = mapped_column(String(20))
    # alert | informational: the entry's kind (category scheme) or else the set's.
    kind: Mapped[str] = mapped_column(String(20))
    entry_id: Mapped[int] = mapped_column(BigInteger)
    entry_record_no: Mapped[int | None] = mapped_column(BigInteger)
    media_id: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[int | None] = mapped_column(Integer)
    category_label: Mapped[str | None] = mapped_column(Text)
    series: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    entry_json: Mapped[str | None] = mapped_column(Text)
    # md5 | sha1 | sha256 | pdq | phash | dhash
    algorithm: Mapped[str] = mapped_column(String(10))
    # The list entry's hash (lowercase hex) that matched.
    matched_hash: Mapped[str] = mapped_column(String(64))
    distance: Mapped[int] = mapped_column(Integer, default=0)
    # Maximum Hamming distance in force (null for exact matches).
    threshold: Mapped[int | None] = mapped_column(Integer)
    # Perceptual: which dihedral variant of the file matched (original, rot90, ..., rot90_flip_horizontal).
    variant: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        UniqueConstraint(
            "file_id", "set_uid", "entry_id", "algorithm", name="uq_findings_file_set_entry_algorithm"
        ),
    )


class FileKnown(CaseBase):
    """A file is in a known (ignorable) set: the GUI and reports may hide it."""

    __tablename__ = "file_known"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id"), index=True)
    set_uid: Mapped[str] = mapped_column(String(32))
    set_name: Mapped[str] = mapped_column(String(200))
    set_version: Mapped[str | None] = mapped_column(String(200))
    set_source_sha256: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(10))
    entry_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[str] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("file_id", "set_uid", name="uq_file_known_file_set"),)
