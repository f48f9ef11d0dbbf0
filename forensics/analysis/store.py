"""Write analysis results into the case database and read back the fields the CLI prints."""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from forensics.analysis.results import AnalysisResult
from forensics.case.models_analysis import FileAnalysis, FileExif, FileThumbnail

EXIF_FIELDS = (
    "make", "model", "body_serial", "software", "datetime_original", "offset", "orientation",
    "gps_lat", "gps_lon", "gps_alt", "gps_time", "has_thumbnail",
)
JSONL_FIELDS = (
    "mime", "description", "category", "extension_mismatch", "entropy", "exif", "phash", "dhash", "pdq",
    "pdq_quality",
)
_QUERY_CHUNK = 500  # stays far below SQLite's bound-parameter limit


def _analysis_row(file_id: int, result: AnalysisResult) -> FileAnalysis:
    row = FileAnalysis(file_id=file_id, truncated=False, too_large=False, too_small=False, blank=False,
                       low_quality=False)
    if result.filetype is not None:
        kind = result.filetype
        row.mime, row.description, row.category = kind.mime, kind.description, kind.category
        row.entropy, row.extension_mismatch = kind.entropy, kind.extension_mismatch
        row.mismatch_detail = kind.mismatch_detail
    if result.image is not None:
        image = result.image
        row.image_format, row.image_mode = image.format, image.mode
        row.width, row.height = image.width, image.height
        row.decode_scale, row.truncated, row.too_large = image.decode_scale, image.truncated, image.too_large
    if result.perceptual is not None:
        hashes = result.perceptual
        row.phash, row.dhash, row.pdq = hashes.phash, hashes.dhash, hashes.pdq
        row.pdq_quality = hashes.pdq_quality
        row.pdq_dihedral = hashes.pdq_dihedral
        row.too_small, row.blank, row.low_quality = hashes.too_small, hashes.blank, hashes.low_quality
    row.warnings_json = json.dumps(list(result.warnings)) if result.warnings else None
    return row


def store_analysis(session: Session, file_id: int, result: AnalysisResult) -> None:
    """Store (or replace, on a resumed job) one file's results; the caller owns the transaction."""
    for model in (FileAnalysis, FileExif, FileThumbnail):
        session.execute(delete(model).where(model.file_id == file_id))
    session.add(_analysis_row(file_id, result))
    if result.exif is not None:
        session.add(FileExif(file_id=file_id, **asdict(result.exif)))
    if result.thumbnail is not None:
        thumb = result.thumbnail
        session.add(FileThumbnail(file_id=file_id, mime=thumb.mime, width=thumb.width, height=thumb.height,
                                  data=thumb.data))


def _empty_fields() -> dict:
    return dict.fromkeys(JSONL_FIELDS)


def analysis_fields(session: Session, file_ids: list[int]) -> dict[int, dict]:
    """Per requested file id the JSON-able fields ``custos files --jsonl`` gains (None when absent)."""
    fields = {file_id: _empty_fields() for file_id in file_ids}
    ids = list(fields)
    for start in range(0, len(ids), _QUERY_CHUNK):
        chunk = ids[start:start + _QUERY_CHUNK]
        rows = session.execute(
            select(FileAnalysis, FileExif)
            .outerjoin(FileExif, FileExif.file_id == FileAnalysis.file_id)
            .where(FileAnalysis.file_id.in_(chunk))
        )
        for analysis, exif in rows:
            entry = fields[analysis.file_id]
            for name in ("mime", "description", "category", "extension_mismatch", "phash", "dhash", "pdq",
                         "pdq_quality"):
                entry[name] = getattr(analysis, name)
            entry["entropy"] = round(analysis.entropy, 4) if analysis.entropy is not None else None
            entry["exif"] = {name: getattr(exif, name) for name in EXIF_FIELDS} if exif is not None else None
    return fields


def thumbnail_bytes(session: Session, file_id: int) -> tuple[str, bytes] | None:
    """(MIME type, image bytes) of a file's thumbnail, for the GUI and reports."""
    row = session.get(FileThumbnail, file_id)
    return (row.mime, row.data) if row is not None else None
