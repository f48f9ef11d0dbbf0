"""Read a case's hash-set findings for reports and exports, in a deterministic order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import text

from forensics.case.db import CaseDatabase
from forensics.hashsets.calibration import rate_statement
from forensics.hashsets.hashes import PERCEPTUAL_ALGORITHMS

FINDINGS_QUERY = text(
    """
    SELECT f.*, e.item AS item, fs."offset" AS partition_offset, x.inode AS inode,
           x.attr_type AS attr_type, x.attr_id AS attr_id, x.path AS path,
           x.md5 AS file_md5, x.sha1 AS file_sha1, x.sha256 AS file_sha256,
           r.region_kind AS region_kind, r.x AS region_x, r.y AS region_y, r.w AS region_w,
           r.h AS region_h, r.list_variant AS list_variant
    FROM findings f
    JOIN files x ON x.id = f.file_id
    JOIN evidence e ON e.id = x.evidence_id
    JOIN filesystems fs ON fs.id = x.filesystem_id
    LEFT JOIN finding_regions r ON r.finding_id = f.id
    WHERE :file_id IS NULL OR f.file_id = :file_id
    ORDER BY e.item, fs."offset", x.path, x.id, f.set_name, f.set_uid, f.algorithm, f.entry_id, f.id
    """
)


def finding_object(row: Any) -> dict[str, Any]:
    """One finding as a plain object: file locator and hashes, set and entry provenance, the match."""
    raw = row["entry_json"]
    return {
        "finding_id": row["id"],
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


def iter_findings(case_db: CaseDatabase, file_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Every finding of the case (or of one file), ordered by item, partition, path, set, algorithm, entry."""
    with case_db.engine.connect() as connection:
        for row in connection.execute(FINDINGS_QUERY, {"file_id": file_id}).mappings():
            yield finding_object(row)


def known_file_ids(case_db: CaseDatabase) -> set[int]:
    """Ids of the files marked known by any known-ignorable set."""
    with case_db.engine.connect() as connection:
        return set(connection.execute(text("SELECT DISTINCT file_id FROM file_known")).scalars())
