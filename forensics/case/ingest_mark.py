"""On a server case, a mark that an ingest runs, seen from every machine: a PostgreSQL advisory lock.

The case folder's ingest lock (:mod:`forensics.case.ingest_lock`) is a file on one workstation; the
examiners of a server case each have their own folder. An ingest therefore also holds a shared advisory
lock of the case database on a connection of its own, from the moment it drops its indexes until it
has built them again (shared: ingests of different items may run on several machines at once). The
server releases it when that connection ends, also when the ingest's process is killed. Another
examiner's Custos opening the case sees the mark and leaves the indexes dropped while it is held
(``CaseDatabase._restore_ingest_indexes``). SQLite cases have nothing to mark: the file lock is enough.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from forensics.core.sqldialect import is_postgres

if TYPE_CHECKING:
    from forensics.case.db import CaseDatabase

INGEST_MARK_KEY = 0x696E67657374  # any constant does; this one reads "ingest" in ASCII


class IngestMark:
    """The held mark (nothing on SQLite); :meth:`release` ends it."""

    def __init__(self, db: CaseDatabase) -> None:
        self._conn: Connection | None = None
        if not db.is_postgres:
            return
        conn = db.engine.connect()
        try:
            conn.exec_driver_sql("SELECT pg_advisory_lock_shared(%s)", (INGEST_MARK_KEY,))
            conn.commit()  # held by the session, not by a transaction left open (it would stall pruning)
        except Exception:
            conn.close()
            raise
        self._conn = conn

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.exec_driver_sql("SELECT pg_advisory_unlock_shared(%s)", (INGEST_MARK_KEY,))
            conn.commit()
        except Exception:
            conn.invalidate()  # the session ends, and the server drops its locks
        finally:
            with contextlib.suppress(Exception):
                conn.close()


def ingest_marked(conn: Connection) -> bool:
    """Whether another session of this case database holds the ingest mark (False on SQLite)."""
    if not is_postgres(conn):
        return False
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid = %s AND objid = %s AND objsubid = 1 AND pid <> pg_backend_pid()",
        (INGEST_MARK_KEY >> 32, INGEST_MARK_KEY & 0xFFFFFFFF),
    ).scalar()
    return bool(found)
