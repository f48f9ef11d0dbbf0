"""Read a case's hash-set findings for reports and exports, in a deterministic order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import text

from forensics.case.db import CaseDatabase
from forensics.case.queries.whatsapp import message_findings, provenance_of
from forensics.hashsets.calibration import rate_statement
from forensics.hashsets.hashes import PERCEPTUAL_ALGORITHMS

FINDINGS_QUERY = text(
    """
    SELECT f.*, e.item AS item, fs."offset" AS partition_offset, x.inode AS inode,
           x.attr_type AS attr_type, x.attr_id AS attr_id, x.path AS path,
           x.md5 AS file_md5, x.sha1 AS file_sha1, x.sha256 AS file_sha256,
           r.region_kind AS region_kind, r.x AS region_x, r.y AS region_y, r.w AS region_w,
           r.h AS region_h, r.list_variant AS list_variant,
           v.finding_id AS v_finding, v.basis AS v_basis, v.view AS v_view, v.query_frames AS v_query_frames,
           v.query_matched AS v_query_matched, v.listed_frames AS v_listed_frames,
           v.listed_matched AS v_listed_matched, v.query_percent AS v_query_percent,
           v.listed_percent AS v_listed_percent, v.listed_share AS v_listed_share,
           v.query_share AS v_query_share, v.quality AS v_quality, v.listed_video AS v_listed_video,
           v.first_timestamp_s AS v_first_timestamp_s, v.frames_json AS v_frames_json
    FROM findings f
    JOIN files x ON x.id = f.file_id
    LEFT JOIN finding_video v ON v.finding_id = f.id
    JOIN evidence e ON e.id = x.evidence_id
    JOIN filesystems fs ON fs.id = x.filesystem_id
    LEFT JOIN finding_regions r ON r.finding_id = f.id
    WHERE CAST(:file_id AS INTEGER) IS NULL OR f.file_id = :file_id
    ORDER BY e.item, fs."offset", x.path, x.id, f.set_name, f.set_uid, f.algorithm, f.entry_id, f.id
    """
)


VIDEO_BASIS_FIELDS = (
    "basis",
    "view",
    "query_frames",
    "query_matched",
    "listed_frames",
    "listed_matched",
    "query_percent",
    "listed_percent",
    "listed_share",
    "query_share",
    "quality",
    "listed_video",
    "first_timestamp_s",
)


def video_basis(row: Any) -> dict[str, Any] | None:
    """A video finding's basis: frames and shares matched, the rule, and the matched frames in time order
    (``frames``: ``{frame, timestamp_s, distance}`` plus the listed frame for vPDQ, or ``inside_bars``)."""
    if row.get("v_finding") is None:  # a message finding has no video columns
        return None
    basis = {name: row[f"v_{name}"] for name in VIDEO_BASIS_FIELDS}
    frames = []
    for entry in json.loads(row["v_frames_json"] or "[]"):
        if basis["basis"] == "vpdq":
            number, stamp, listed_number, listed_stamp, distance = entry
            frames.append(
                {
                    "frame": number,
                    "timestamp_s": stamp,
                    "listed_frame": listed_number,
                    "listed_timestamp_s": listed_stamp,
                    "distance": distance,
                }
            )
        else:
            number, stamp, distance, inside_bars = entry
            frames.append(
                {"frame": number, "timestamp_s": stamp, "distance": distance, "inside_bars": inside_bars}
            )
    basis["frames"] = frames
    return basis


def finding_object(row: Any, provenance: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One finding as a plain object: file locator and hashes, set and entry provenance, the match, the
    WhatsApp messages the file was sent or received in (``provenance``) and (``video``) the basis of a
    video finding (None for others)."""
    return {
        "finding_id": row["id"],
        "message_only": False,
        "provenance": provenance or [],
        "run_id": row["run_id"],
        "created_at": row["created_at"],
        "kind": row["kind"],
        "item": row["item"],
        "partition_offset": row["partition_offset"],
        "inode": row["inode"],
        "attr_type": row["attr_type"],
        "attr_id": row["attr_id"],
        "path": row["path"],
        "md5": row["file_md5"],
        "sha1": row["file_sha1"],
        "sha256": row["file_sha256"],
        "algorithm": row["algorithm"],
        "matched_hash": row["matched_hash"],
        "distance": row["distance"],
        "threshold": row["threshold"],
        "variant": row["variant"],
        # The measured false-match rate of the threshold in force (perceptual findings only).
        "false_match_rate": (
            rate_statement(row["algorithm"], row["threshold"])
            if row["algorithm"] in PERCEPTUAL_ALGORITHMS and row["threshold"] is not None
            else None
        ),
        # The part of the picture that matched (None: the whole picture) and the list entry's extra hash
        # that matched (None: its own hash).
        "region": (
            {
                "kind": row["region_kind"],
                "x": row["region_x"],
                "y": row["region_y"],
                "w": row["region_w"],
                "h": row["region_h"],
            }
            if row["region_kind"]
            else None
        ),  # fmt: skip
        "list_variant": row["list_variant"],
        "video": video_basis(row),
        **_set_and_entry(row),
    }


def _set_and_entry(row: Any) -> dict[str, Any]:
    raw = row["entry_json"]
    return {
        "set": {
            "uid": row["set_uid"],
            "name": row["set_name"],
            "version": row["set_version"],
            "kind": row["set_kind"],
            "format": row["set_format"],
            "source_name": row["set_source_name"],
            "source_sha256": row["set_source_sha256"],
            "region": row["set_region"],
        },
        "entry": {
            "id": row["entry_id"],
            "record_no": row["entry_record_no"],
            "media_id": row["media_id"],
            "category": row["category"],
            "category_label": row["category_label"],
            "series": row["series"],
            "tags": row["tags"],
            "raw": json.loads(raw) if raw else None,
        },
    }


def message_finding_object(row: dict[str, Any]) -> dict[str, Any]:
    """A finding from a WhatsApp message's stored hash whose file no item holds: the message stands in
    for the file (path as the message stores it, its stored SHA-256), with the same set and entry
    provenance as a file finding."""
    message = row["message"]
    return {
        "finding_id": None,
        "message_finding_id": row["id"],
        "message_only": True,
        "provenance": [message],
        "run_id": row["run_id"],
        "created_at": row["created_at"],
        "kind": row["kind"],
        "item": message["item"],
        "partition_offset": None,
        "inode": None,
        "attr_type": None,
        "attr_id": None,
        "path": message["media_path"],
        "md5": None,
        "sha1": None,
        "sha256": message["stored_sha256"],
        "algorithm": row["algorithm"],
        "matched_hash": row["matched_hash"],
        "distance": 0,
        "threshold": None,
        "variant": None,
        "false_match_rate": None,
        "region": None,
        "list_variant": None,
        **_set_and_entry(row),
        "video": None,  # a message's stored hash is a file hash
    }


def iter_findings(case_db: CaseDatabase, file_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Every finding of the case (or of one file), ordered by item, partition, path, set, algorithm, entry;
    for the whole case, then the findings from WhatsApp messages whose file is gone."""
    with case_db.engine.connect() as connection:
        rows = list(connection.execute(FINDINGS_QUERY, {"file_id": file_id}).mappings())
    provenance = provenance_of(case_db, {row["file_id"] for row in rows})
    for row in rows:
        yield finding_object(row, provenance.get(row["file_id"]))
    if file_id is None:
        for message in message_findings(case_db):
            yield message_finding_object(message)


def known_file_ids(case_db: CaseDatabase) -> set[int]:
    """Ids of the files marked known by any known-ignorable set."""
    with case_db.engine.connect() as connection:
        return set(connection.execute(text("SELECT DISTINCT file_id FROM file_known")).scalars())
