"""The indexes of ``files`` an ingest drops while it writes results, and builds again when it ends.

* The MD5, SHA-1 and SHA-256 indexes, on both stores. SQLite updates an index row by row; these three
  take random keys, so once a case holds some hundred thousand files every commit of results rewrites
  pages all over them, and the single writer's cost per item grows with the case (BENCHMARKS.md,
  "Ingest writer").
* On PostgreSQL also the status index. A PostgreSQL update writes a new row version and, unless no
  indexed column changed and the page has room (``files`` is filled to 40 %, migration 0017), an entry
  in every index of the table. Without the status index the writer's updates stay on their page ("HOT")
  and touch no index at all (docs/lab.md, "Writing speed"). SQLite updates rows in place and touches
  only the indexes of the changed columns: it keeps its status index.

They are built again in one sorted pass when the ingest ends, also when it is cancelled or fails. A case
left without them by a killed ingest gets them back the next time it is opened for writing while no
ingest runs; until then the lookups they serve still work, by scanning.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Index, Table, text

from forensics.case.models import File
from forensics.core.sqldialect import index_names, is_postgres

HASH_COLUMNS = ("md5", "sha1", "sha256")
STATUS_INDEX = "ix_files_status"


def _files_indexes() -> list[Index]:
    return sorted(cast(Table, File.__table__).indexes, key=lambda index: str(index.name))


def hash_indexes() -> list[Index]:
    """The indexes of ``files`` on one hash column each, as the models declare them."""
    return [
        index
        for index in _files_indexes()  # a declarative model's __table__ is a Table
        if len(index.columns) == 1 and next(iter(index.columns)).name in HASH_COLUMNS
    ]


def ingest_indexes(conn: Connection) -> list[Index]:
    """The indexes an ingest on this connection's store drops while it writes."""
    dropped = hash_indexes()
    if is_postgres(conn):
        dropped += [index for index in _files_indexes() if index.name == STATUS_INDEX]
    return dropped


def present_indexes(conn: Connection) -> set[str]:
    """Names of the indexes the database holds on ``files``."""
    return index_names(conn, "files")


def missing_ingest_indexes(conn: Connection) -> list[Index]:
    """The indexes an ingest drops that the database lacks (after a killed ingest, or while one runs)."""
    present = present_indexes(conn)
    return [index for index in ingest_indexes(conn) if index.name not in present]


def drop_ingest_indexes(conn: Connection) -> None:
    """Drop those that exist (an ingest is about to write many results)."""
    for index in ingest_indexes(conn):
        conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))


def create_ingest_indexes(conn: Connection) -> list[str]:
    """Build those that are missing; returns their names."""
    missing = missing_ingest_indexes(conn)
    for index in missing:
        index.create(conn)
    return [str(index.name) for index in missing]
