"""Everything known of one file (metadata, hashes, analysis, EXIF, known marks, findings, review)."""

from __future__ import annotations

from typing import Any

from forensics.case.db import CaseDatabase
from forensics.case.locators import file_locators
from forensics.case.queries.cursor import one_row, raw_cursor
from forensics.case.queries.review import review_of
from forensics.case.queries.video import video_facts
from forensics.core.errors import CaseError
from forensics.core.local_times import is_local_time_fs, time_basis, time_text


def folders(db: CaseDatabase, filesystem_id: int) -> list[str]:
    """Paths of every directory of a file system, sorted (a tree builds its levels from them)."""
    with raw_cursor(db) as cur:
        cur.execute(
            "SELECT path FROM files WHERE filesystem_id = ? AND kind IN ('directory', 'virtual-dir') "
            "AND parent_id IS NULL ORDER BY path",
            (filesystem_id,),
        )
        return [r[0] for r in cur]


def file_detail(db: CaseDatabase, file_id: int) -> dict[str, Any]:
    """The file's row (times as ISO-8601, read as its ``time_basis`` says), analysis, EXIF, video facts, known
    marks, review and locator chain.

    Findings are added by the caller (:func:`forensics.hashsets.findings.iter_findings`).
    """
    with raw_cursor(db) as cur:
        cur.execute(
            'SELECT f.*, e.item AS item, fs.fs_type AS fs_type, fs."offset" AS fs_offset, '
            "e.time_zone AS time_zone "
            "FROM files f JOIN evidence e ON e.id = f.evidence_id "
            "JOIN filesystems fs ON fs.id = f.filesystem_id WHERE f.id = ?",
            (file_id,),
        )
        row = one_row(cur)
        if row is None:
            raise CaseError(f"no file {file_id}")
        cur.execute("SELECT * FROM file_analysis WHERE file_id = ?", (file_id,))
        analysis = one_row(cur)
        cur.execute("SELECT * FROM file_exif WHERE file_id = ?", (file_id,))
        exif = one_row(cur)
        cur.execute("SELECT set_name, algorithm FROM file_known WHERE file_id = ?", (file_id,))
        known = [f"{r[0]} ({r[1]})" for r in cur.fetchall()]
    if analysis is not None:
        analysis.pop("pdq_dihedral", None)
    local = is_local_time_fs(row["fs_type"])  # FAT/exFAT: local clock time, read in the item's zone
    for key in ("mtime", "atime", "ctime", "crtime"):
        row[key] = time_text(row.pop(f"{key}_ns"), local=local, zone=row["time_zone"])
    row["time_basis"] = time_basis(local=local, zone=row["time_zone"])
    _item, locator = file_locators(db, [file_id])[file_id]
    return {
        "file": row,
        "analysis": analysis,
        "exif": exif,
        "video": video_facts(db, file_id),
        "known": known,
        "review": review_of(db, file_id),
        "located": locator.describe(row["fs_type"]),
    }


def finding_file_ids(db: CaseDatabase) -> dict[int, int]:
    """finding id -> file id, for every finding of the case."""
    with raw_cursor(db) as cur:
        cur.execute("SELECT id, file_id FROM findings")
        return dict(cur.fetchall())
