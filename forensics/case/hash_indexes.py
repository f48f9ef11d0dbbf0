"""The MD5, SHA-1 and SHA-256 indexes of ``files``, dropped while an ingest writes hashes.

SQLite updates an index row by row. These three take random keys, so once a case holds some
hundred thousand files every commit of results rewrites pages all over them, and the single
writer's cost per item grows with the case (BENCHMARKS.md, "Ingest writer"). An ingest therefore
drops them when it starts and builds them in one sorted pass when it ends, also when it is
cancelled or fails. A case left without them by a killed ingest gets them back the next time it
is opened for writing while no ingest runs; until then hash lookups still work, by scanning.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Index, Table, text

from forensics.case.models import File
from forensics.core.sqldialect import index_names

HASH_COLUMNS = ("md5", "sha1", "sha256")


def hash_indexes() -> list[Index]:
    """The indexes of ``files`` on one hash column each, as the models declare them."""
    found = [
        index
        for index in cast(Table, File.__table__).indexes  # a declarative model's __table__ is a Table
        if len(index.columns) == 1 and next(iter(index.columns)).name in HASH_COLUMNS
    ]
    return sorted(found, key=lambda index: str(index.name))


def present_indexes(conn: Connection) -> set[str]:
    """Names of the indexes the database holds on ``files``."""
    return index_names(conn, "files")


def missing_hash_indexes(conn: Connection) -> list[Index]:
    """The hash indexes the database lacks (after a killed ingest, or while one runs)."""
    present = present_indexes(conn)
    return [index for index in hash_indexes() if index.name not in present]


def drop_hash_indexes(conn: Connection) -> None:
    """Drop the hash indexes that exist (an ingest is about to write many hashes)."""
    for index in hash_indexes():
        conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))


def create_hash_indexes(conn: Connection) -> list[str]:
    """Build the hash indexes that are missing; returns their names."""
    missing = missing_hash_indexes(conn)
    for index in missing:
        index.create(conn)
    return [str(index.name) for index in missing]
