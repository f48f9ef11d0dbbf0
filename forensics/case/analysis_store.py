"""Write analysis results into the case database and read back the fields the CLI prints."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from forensics.analysis.results import AnalysisResult
from forensics.case.bulk import insert_rows
from forensics.case.models_analysis import FileAnalysis, FileExif, FileThumbnail
from forensics.case.models_regions import FileRegion
from forensics.case.models_video import FileVideo, VideoFrameHash, VideoStripFrame
from forensics.case.pictures import PictureCipher
from forensics.core.sqldialect import execute, is_postgres

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
    "video",
)
# The facts of a video (or audio-only) item that ``custos files --jsonl`` gives under "video".
VIDEO_FIELDS = (
    "kind",
    "container",
    "duration_s",
    "frame_rate",
    "width",
    "height",
    "video_codec",
    "pixel_format",
    "declared_frames",
    "frames_decoded",
    "frames_hashed",
    "bit_rate",
    "creation_time_utc",
    "creation_time_written",
    "creation_time_tag",
    "gps_lat",
    "gps_lon",
    "gps_alt",
    "sample_fps",
    "keyframes",
    "complete",
)
_QUERY_CHUNK = 500  # stays far below SQLite's bound-parameter limit
# Declarative models type __table__ as a FromClause; these are Tables (insert() and delete() need one).
_ANALYSIS_TABLES = cast(
    "tuple[Table, ...]",
    (
        FileAnalysis.__table__,
        FileExif.__table__,
        FileThumbnail.__table__,
        FileVideo.__table__,
        VideoFrameHash.__table__,
        VideoStripFrame.__table__,
        FileRegion.__table__,
    ),
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


def region_rows(file_id: int, result: AnalysisResult) -> list[dict]:
    """The ``file_regions`` rows of one file: its ``whole`` row (64-bit variants), then each region."""
    hashes = result.perceptual
    if hashes is None or hashes.phash_dihedral is None:
        return []
    empty = dict.fromkeys(("x", "y", "w", "h", "pdq", "pdq_quality", "pdq_dihedral"))
    rows = [
        dict(
            empty,
            file_id=file_id,
            region_no=0,
            kind="whole",
            phash=hashes.phash,
            dhash=hashes.dhash,
            phash_dihedral=hashes.phash_dihedral,
            dhash_dihedral=hashes.dhash_dihedral,
        )
    ]
    for number, region in enumerate(hashes.regions, start=1):
        rows.append(
            {
                "file_id": file_id,
                "region_no": number,
                "kind": region.kind,
                "x": region.x,
                "y": region.y,
                "w": region.w,
                "h": region.h,
                "phash": region.phash,
                "dhash": region.dhash,
                "pdq": region.pdq,
                "pdq_quality": region.pdq_quality,
                "pdq_dihedral": region.pdq_dihedral,
                "phash_dihedral": region.phash_dihedral,
                "dhash_dihedral": region.dhash_dihedral,
            }
        )
    return rows


def video_row(file_id: int, video) -> dict:  # noqa: ANN001 - a VideoAnalysis (PyAV not imported here)
    """The ``file_video`` row of one video task's result."""
    info = video.info
    facts = {
        "kind": "none",
        "container": None,
        "duration_s": None,
        "frame_rate": None,
        "width": None,
        "height": None,
        "video_codec": None,
        "pixel_format": None,
        "audio_codecs": None,
        "declared_frames": None,
        "bit_rate": None,
        "creation_time_utc": None,
        "creation_time_written": None,
        "creation_time_tag": None,
        "gps_lat": None,
        "gps_lon": None,
        "gps_alt": None,
        "gps_tag": None,
    }
    if info is not None:
        facts.update({name: getattr(info, name) for name in facts if name != "audio_codecs"})
        facts["audio_codecs"] = json.dumps(list(info.audio_codecs))
    return facts | {
        "file_id": file_id,
        "frames_decoded": video.frames_decoded,
        "frames_hashed": len(video.frames),
        "hash_width": video.hash_width,
        "hash_height": video.hash_height,
        "sample_fps": video.sample_fps,
        "keyframes": video.keyframes,
        "complete": video.complete,
        "warnings_json": json.dumps(list(video.warnings)) if video.warnings else None,
    }


def video_frame_rows(file_id: int, video) -> list[dict]:  # noqa: ANN001 - a VideoAnalysis
    """One ``video_frames`` row per sampled frame: the whole frame, then the picture inside its bars."""
    rows = []
    for inside_bars, frames in ((False, video.frames), (True, video.unletterboxed)):
        seen: set[int] = set()
        for frame in frames:
            if frame.number in seen:  # (a frame is sampled once; kept safe against a repeated number)
                continue
            seen.add(frame.number)
            rows.append(
                {
                    "file_id": file_id,
                    "frame_number": frame.number,
                    "inside_bars": inside_bars,
                    "timestamp_s": frame.timestamp_s,
                    "quality": frame.quality,
                    "pdq": frame.pdq,
                }
            )
    return rows


def video_strip_rows(
    file_id: int,
    video,  # noqa: ANN001 - a VideoAnalysis
    pictures: PictureCipher | None = None,
) -> list[dict]:
    """One ``video_strip`` row per strip frame, in time order (each picture sealed with ``pictures``)."""
    return [
        {
            "file_id": file_id,
            "position": position,
            "frame_number": frame.number,
            "timestamp_s": frame.timestamp_s,
            "width": frame.width,
            "height": frame.height,
            "mime": frame.mime,
            "data": pictures.seal("video_strip", file_id, frame.data) if pictures is not None else frame.data,
        }
        for position, frame in enumerate(video.strip)
    ]


def _delete_rows(session: Session, file_ids: list[int]) -> None:
    connection = session.connection()
    if is_postgres(connection):  # one statement per table, the ids as one array: found through the index
        for table in _ANALYSIS_TABLES:
            execute(
                connection, f"DELETE FROM {table.name} WHERE file_id = ANY(CAST(? AS bigint[]))", (file_ids,)
            )
        return
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
    pictures = picture_cipher(session)
    thumbnails = [
        {
            "file_id": file_id,
            "mime": result.thumbnail.mime,
            "width": result.thumbnail.width,
            "height": result.thumbnail.height,
            "data": pictures.seal("thumbnails", file_id, result.thumbnail.data)
            if pictures is not None
            else result.thumbnail.data,
        }
        for file_id, result in items
        if result.thumbnail is not None
    ]
    regions = [row for file_id, result in items for row in region_rows(file_id, result)]
    videos = [(file_id, result.video) for file_id, result in items if result.video is not None]
    facts = [video_row(file_id, video) for file_id, video in videos]
    frames = [row for file_id, video in videos for row in video_frame_rows(file_id, video)]
    strips = [row for file_id, video in videos for row in video_strip_rows(file_id, video, pictures)]
    tables = (analysis, exif, thumbnails, facts, frames, strips, regions)
    postgres = is_postgres(session.connection())
    for table, rows in zip(_ANALYSIS_TABLES, tables, strict=True):
        if rows and postgres:  # one statement of arrays, not one per row (forensics/case/bulk.py)
            insert_rows(session.connection(), table, rows)
        elif rows:
            session.execute(insert(table), rows)


def picture_cipher(session: Session) -> PictureCipher | None:
    """The case key's cipher of the database this session belongs to (None: opened without a key)."""
    db = session.info.get("db")
    return getattr(db, "pictures", None)


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
        for file_id, video in video_fields(session, chunk).items():
            fields[file_id]["video"] = video
    return fields


def video_fields(session: Session, file_ids: list[int]) -> dict[int, dict]:
    """Per video (or audio-only) item among ``file_ids``: its facts, codecs, strip size and warnings."""
    strips = dict(
        session.execute(
            select(VideoStripFrame.file_id, func.count())
            .where(VideoStripFrame.file_id.in_(file_ids))
            .group_by(VideoStripFrame.file_id)
        ).all()
    )
    out = {}
    for video in session.scalars(select(FileVideo).where(FileVideo.file_id.in_(file_ids))):
        entry = {name: getattr(video, name) for name in VIDEO_FIELDS}
        for name in ("duration_s", "frame_rate", "sample_fps"):
            entry[name] = round(entry[name], 3) if entry[name] is not None else None
        entry["audio_codecs"] = json.loads(video.audio_codecs) if video.audio_codecs else []
        entry["strip_frames"] = strips.get(video.file_id, 0)
        entry["warnings"] = json.loads(video.warnings_json) if video.warnings_json else []
        out[video.file_id] = entry
    return out


def thumbnail_bytes(session: Session, file_id: int) -> tuple[str, bytes] | None:
    """(MIME type, image bytes) of a file's thumbnail, for the GUI and reports."""
    row = session.get(FileThumbnail, file_id)
    if row is None:
        return None
    pictures = picture_cipher(session)
    return row.mime, pictures.open("thumbnails", file_id, row.data) if pictures is not None else row.data
