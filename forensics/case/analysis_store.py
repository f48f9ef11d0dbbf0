"""Write analysis results into the case database and read back the fields the CLI prints."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from forensics.analysis.results import AnalysisResult
from forensics.case.models_analysis import FileAnalysis, FileExif, FileThumbnail

EXIF_FIELDS = (
    "make",
    "model",
    "body_serial",
    "software",
    "datetime_original",
    "offset",
    "orientation",
    "gps_lat",
    "gps_lon",
    "gps_alt",
    "gps_time",
    "has_thumbnail",
)
JSONL_FIELDS = (
    "mime",
    "description",
    "category",
    "extension_mismatch",
    "entropy",
    "exif",
    "phash",
    "dhash",
    "pdq",
    "pdq_quality",
)
_QUERY_CHUNK = 500  # stays far below SQLite's bound-parameter limit
# Declarative models type __table__ as a FromClause; these are Tables (insert() and delete() need one).
_ANALYSIS_TABLES = cast(
    "tuple[Table, Table, Table]", (FileAnalysis.__table__, FileExif.__table__, FileThumbnail.__table__)
)
# Every file_analysis column with its value when a task gave nothing: NULL, or False for the flags.
_ANALYSIS_DEFAULTS: dict[str, Any] = {
    column.name: None for column in FileAnalysis.__table__.columns
} | dict.fromkeys(("truncated", "too_large", "too_small", "blank", "low_quality"), False)


def analysis_row(file_id: int, result: AnalysisResult) -> dict:
    """The ``file_analysis`` row of one file's results, every column present."""
    row = dict(_ANALYSIS_DEFAULTS, file_id=file_id)
    if result.filetype is not None:
        kind = result.filetype
        row.update(
            mime=kind.mime,
            description=kind.description,
            category=kind.category,
            entropy=kind.entropy,
            extension_mismatch=kind.extension_mismatch,
            mismatch_detail=kind.mismatch_detail,
        )
    if result.image is not None:
        image = result.image
        row.update(
            image_format=image.format,
            image_mode=image.mode,
            width=image.width,
            height=image.height,
            decode_scale=image.decode_scale,
            truncated=image.truncated,
            too_large=image.too_large,
        )
    if result.perceptual is not None:
        hashes = result.perceptual
        row.update(
            phash=hashes.phash,
            dhash=hashes.dhash,
            pdq=hashes.pdq,
            pdq_quality=hashes.pdq_quality,
            pdq_dihedral=hashes.pdq_dihedral,
            too_small=hashes.too_small,
            blank=hashes.blank,
            low_quality=hashes.low_quality,
        )
    row["warnings_json"] = json.dumps(list(result.warnings)) if result.warnings else None
    return row


def _delete_rows(session: Session, file_ids: list[int]) -> None:
    for start in range(0, len(file_ids), _QUERY_CHUNK):
        chunk = file_ids[start : start + _QUERY_CHUNK]
        for table in _ANALYSIS_TABLES:
            session.execute(delete(table).where(table.c.file_id.in_(chunk)))


def store_analyses(
    session: Session, results: Iterable[tuple[int, AnalysisResult]], *, fresh: bool = False
) -> None:
    """Store (or replace) the results of a batch of files with one statement per table.

    ``fresh=True`` says that none of these files has stored results yet (a new job), so nothing is
    deleted first; otherwise existing rows of these files are replaced (a resumed job). A file listed
    twice keeps its last result. The caller owns the transaction. Rows are plain dicts written with Core
    statements (executemany), not ORM objects: rows of these tables already loaded as objects in the same
    session are not refreshed.
    """
    items = list(dict(results).items())
    if not items:
        return
    if not fresh:
        _delete_rows(session, [file_id for file_id, _ in items])
    analysis = [analysis_row(file_id, result) for file_id, result in items]
    exif = [
        dict(asdict(result.exif), file_id=file_id) for file_id, result in items if result.exif is not None
    ]
    thumbnails = [
        {
            "file_id": file_id,
            "mime": result.thumbnail.mime,
            "width": result.thumbnail.width,
            "height": result.thumbnail.height,
            "data": result.thumbnail.data,
        }
        for file_id, result in items
        if result.thumbnail is not None
    ]
    for table, rows in zip(_ANALYSIS_TABLES, (analysis, exif, thumbnails), strict=True):
        if rows:
            session.execute(insert(table), rows)


def store_analysis(session: Session, file_id: int, result: AnalysisResult) -> None:
    """Store (or replace, on a resumed job) one file's results; the caller owns the transaction."""
    store_analyses(session, [(file_id, result)])


def _empty_fields() -> dict:
    return dict.fromkeys(JSONL_FIELDS)


def analysis_fields(session: Session, file_ids: list[int]) -> dict[int, dict]:
    """Per requested file id the JSON-able fields ``custos files --jsonl`` gains (None when absent)."""
    fields = {file_id: _empty_fields() for file_id in file_ids}
    ids = list(fields)
    for start in range(0, len(ids), _QUERY_CHUNK):
        chunk = ids[start : start + _QUERY_CHUNK]
        rows = session.execute(
            select(FileAnalysis, FileExif)
            .outerjoin(FileExif, FileExif.file_id == FileAnalysis.file_id)
            .where(FileAnalysis.file_id.in_(chunk))
        )
        for analysis, exif in rows:
            entry = fields[analysis.file_id]
            for name in (
                "mime",
                "description",
                "category",
                "extension_mismatch",
                "phash",
                "dhash",
                "pdq",
                "pdq_quality",
            ):
                entry[name] = getattr(analysis, name)
            entry["entropy"] = round(analysis.entropy, 4) if analysis.entropy is not None else None
            entry["exif"] = {name: getattr(exif, name) for name in EXIF_FIELDS} if exif is not None else None
    return fields


def thumbnail_bytes(session: Session, file_id: int) -> tuple[str, bytes] | None:
    """(MIME type, image bytes) of a file's thumbnail, for the GUI and reports."""
    row = session.get(FileThumbnail, file_id)
    return (row.mime, row.data) if row is not None else None
