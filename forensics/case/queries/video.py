"""A video's frame strip and facts, for the gallery and the detail panel (read-only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from forensics.case.db import CaseDatabase
from forensics.case.queries.cursor import one_row, raw_cursor


@dataclass(frozen=True)
class StripPicture:
    """One frame of a video's strip: where it is in the video and its JPEG bytes."""

    position: int
    frame_number: int
    timestamp_s: float
    width: int
    height: int
    data: bytes


def video_strip(db: CaseDatabase, file_id: int) -> list[StripPicture]:
    """The strip of a video in time order (empty when it has none: not a video, or a triage ingest)."""
    with raw_cursor(db) as cur:
        cur.execute(
            "SELECT position, frame_number, timestamp_s, width, height, data FROM video_strip "
            "WHERE file_id = ? ORDER BY position",
            (file_id,),
        )
        rows = cur.fetchall()
    pictures = getattr(db, "pictures", None)  # the case key's cipher (pictures are sealed at rest)

    def picture(data: bytes) -> bytes:
        return pictures.open("video_strip", file_id, bytes(data)) if pictures is not None else bytes(data)

    return [StripPicture(p, n, t, w, h, picture(d)) for p, n, t, w, h, d in rows]


def video_facts(db: CaseDatabase, file_id: int) -> dict[str, Any] | None:
    """The ``file_video`` row of a video or audio item (codecs and warnings decoded), None for others."""
    with raw_cursor(db) as cur:
        cur.execute("SELECT * FROM file_video WHERE file_id = ?", (file_id,))
        row = one_row(cur)
    if row is None:
        return None
    row.pop("file_id", None)
    row["audio_codecs"] = json.loads(row["audio_codecs"]) if row.get("audio_codecs") else []
    row["warnings"] = json.loads(row.pop("warnings_json") or "[]")
    return row


def nearest_position(strip: list[StripPicture], timestamp_s: float) -> int:
    """The strip frame shown closest to ``timestamp_s`` (where a finding on a frame opens the strip)."""
    if not strip:
        return -1
    return min(range(len(strip)), key=lambda i: (abs(strip[i].timestamp_s - timestamp_s), i))


_PAGE = 5000


def iter_video_hashes(db: CaseDatabase) -> Iterator[dict[str, Any]]:
    """Every sampled frame of every video (file, frame and view order), with its file's item and path."""
    last = (0, -1, -1)
    while True:
        with raw_cursor(db) as cur:
            cur.execute(
                "SELECT v.file_id, e.item, f.path, f.md5, v.frame_number, v.timestamp_s, v.quality, v.pdq, "
                "v.inside_bars FROM video_frames v JOIN files f ON f.id = v.file_id "
                "JOIN evidence e ON e.id = f.evidence_id "
                "WHERE (v.file_id, v.inside_bars, v.frame_number) > (?, ?, ?) "
                "ORDER BY v.file_id, v.inside_bars, v.frame_number LIMIT ?",
                (*last, _PAGE),
            )
            rows = cur.fetchall()
        if not rows:
            return
        for file_id, item, path, md5, number, stamp, quality, pdq, bars in rows:
            yield {
                "file_id": file_id,
                "item": item,
                "path": path,
                "md5": md5,
                "frame_number": number,
                "timestamp_s": f"{stamp:.3f}",
                "quality": quality,
                "pdq": bytes(pdq).hex(),
                "inside_bars": bool(bars),
            }
        last = (rows[-1][0], int(rows[-1][8]), rows[-1][4])


def iter_video_facts(db: CaseDatabase) -> Iterator[dict[str, Any]]:
    """Every video or audio file's ``file_video`` row with its item, path and MD5, in file order."""
    with raw_cursor(db) as cur:
        cur.execute(
            "SELECT v.*, e.item AS item, f.path AS path, f.md5 AS md5 FROM file_video v "
            "JOIN files f ON f.id = v.file_id JOIN evidence e ON e.id = f.evidence_id ORDER BY v.file_id"
        )
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    for values in rows:
        row = dict(zip(names, values, strict=True))
        row["audio_codecs"] = " ".join(json.loads(row["audio_codecs"] or "[]"))
        row["warnings"] = " | ".join(json.loads(row.pop("warnings_json") or "[]"))
        yield row
