"""A small case database built row by row for the hash-set tests (files, file_analysis)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Boolean, inspect, text

from forensics.case.db import CaseDatabase

DATA = Path(__file__).resolve().parents[1] / "data"

# The analysis engineer's file_analysis table, as the contract gives it (created here only while their
# migration has not landed yet).
FILE_ANALYSIS_DDL = """
CREATE TABLE IF NOT EXISTS file_analysis (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL UNIQUE REFERENCES files(id),
    phash VARCHAR(16), dhash VARCHAR(16), pdq VARCHAR(64), pdq_quality INTEGER, pdq_dihedral BLOB)
"""


class CaseBuilder:
    """A case database with one evidence item and one file system, filled with file rows by tests."""

    def __init__(self, case_dir: Path, item: str = "EXH-01", offset: int = 32256) -> None:
        self.case_dir = case_dir
        case_dir.mkdir(parents=True, exist_ok=True)
        self.db = CaseDatabase(case_dir, create=True)
        self._seq = 0
        with self.db.engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO evidence (item, path, segments_json, container, added_at) "
                    "VALUES (:item, '/evidence/disk.dd', '[]', 'raw', '2026-01-01T00:00:00Z')"
                ),
                {"item": item},
            )
            c.execute(
                text(
                    'INSERT INTO filesystems (evidence_id, "offset", status, enumerated) '
                    "VALUES (1, :offset, 'ok', TRUE)"
                ),
                {"offset": offset},
            )

    def add_file(self, path: str, data: bytes | None = None, inode: int | None = None, **hashes: str) -> int:
        """A file row; hashes computed from ``data`` unless given."""
        self._seq += 1
        if data is not None:
            hashes = {
                "md5": hashlib.md5(data).hexdigest(),
                "sha1": hashlib.sha1(data).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest(),
            } | hashes
        with self.db.engine.begin() as c:
            result = c.execute(
                text(
                    "INSERT INTO files (evidence_id, filesystem_id, seq, path, name, inode, attr_type, "
                    "attr_id, size, kind, allocated, deleted, orphan, meta_reallocated, has_metadata, "
                    "md5, sha1, sha256, status) VALUES (1, 1, :seq, :path, :name, :inode, 128, 0, :size, "
                    "'file', TRUE, FALSE, FALSE, FALSE, TRUE, :md5, :sha1, :sha256, 'done') RETURNING id"
                ),
                {
                    "seq": self._seq,
                    "path": path,
                    "name": path.rsplit("/", 1)[-1],
                    "inode": inode if inode is not None else 100 + self._seq,
                    "size": len(data) if data is not None else None,
                    "md5": hashes.get("md5"),
                    "sha1": hashes.get("sha1"),
                    "sha256": hashes.get("sha256"),
                },
            )
            return int(result.scalar_one())

    def add_analysis(self, file_id: int, **values: object) -> None:
        """A file_analysis row (pdq, pdq_quality, pdq_dihedral, phash, dhash)."""
        with self.db.engine.begin() as c:
            if not inspect(c).has_table("file_analysis"):
                c.execute(text(FILE_ANALYSIS_DDL))
            # Required columns of the real table that a test does not care about get a zero/false value.
            for column in inspect(c).get_columns("file_analysis"):
                required = not column["nullable"] and column.get("default") is None
                if required and column["name"] not in ("id", "file_id", *values):
                    values[column["name"]] = False if isinstance(column["type"], Boolean) else 0
            columns = ["file_id", *values]
            c.execute(
                text(
                    f"INSERT INTO file_analysis ({', '.join(columns)}) "
                    f"VALUES ({', '.join(':' + n for n in columns)})"
                ),
                {"file_id": file_id, **values},
            )

    def close(self) -> None:
        self.db.close()
