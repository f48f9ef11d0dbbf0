"""CSV of every file of the case and of every finding (UTF-8, header row, LF line ends)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict

from forensics.case.queries.files import iter_file_records
from forensics.case.queries.video import iter_video_facts, iter_video_hashes
from forensics.reports.model import FindingRow
from forensics.reports.text import printable_text

FILE_COLUMNS = (
    "id",
    "parent_id",
    "link",
    "located",
    "item",
    "partition_offset",
    "fs_type",
    "path",
    "name",
    "inode",
    "attr_type",
    "attr_id",
    "stream",
    "size",
    "kind",
    "allocated",
    "deleted",
    "orphan",
    "meta_reallocated",
    "has_metadata",
    "link_target",
    "mtime",
    "atime",
    "ctime",
    "crtime",
    "md5",
    "sha1",
    "sha256",
    "status",
    "error",
)
FINDING_COLUMNS = tuple(FindingRow.__dataclass_fields__)
# One row per sampled frame of every video: its vPDQ hash (inside_bars 0, Meta's format) and, apart, the
# hashes of the picture inside its black bars (inside_bars 1).
VIDEO_HASH_COLUMNS = (
    "file_id",
    "item",
    "path",
    "md5",
    "frame_number",
    "timestamp_s",
    "quality",
    "pdq",
    "inside_bars",
)
# One row per video or audio file: the container's facts and how it was decoded.
VIDEO_COLUMNS = (
    "file_id",
    "item",
    "path",
    "md5",
    "kind",
    "container",
    "duration_s",
    "frame_rate",
    "width",
    "height",
    "video_codec",
    "audio_codecs",
    "declared_frames",
    "frames_decoded",
    "frames_hashed",
    "sample_fps",
    "keyframes",
    "creation_time_utc",
    "creation_time_written",
    "gps_lat",
    "gps_lon",
    "complete",
    "warnings",
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return " | ".join(printable_text(str(v)) for v in value)
    return printable_text(str(value))


def _table(columns: Iterable[str], rows: Iterable[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(columns)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
    return out.getvalue().encode("utf-8")


def files_csv(db) -> bytes:
    """Every item of the case in id order (the same fields as ``custos files``)."""
    with db.session() as session:
        return _table(FILE_COLUMNS, iter_file_records(session))


def findings_csv(findings: Iterable[FindingRow]) -> bytes:
    """Every finding in report order, with the file's location, times, hashes and match basis."""
    return _table(FINDING_COLUMNS, (asdict(row) for row in findings))


def video_hashes_csv(db) -> bytes:
    """Every sampled frame's PDQ of every video, in file and frame order."""
    return _table(VIDEO_HASH_COLUMNS, iter_video_hashes(db))


def videos_csv(db) -> bytes:
    """Every video or audio file's facts, in file order."""
    return _table(VIDEO_COLUMNS, iter_video_facts(db))
