"""SQLite set-up shared by the case database and the hash-set library: one writer, many readers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def connection_setup(cache_kib: int) -> Callable[[Any, Any], None]:
    """A SQLAlchemy ``connect`` listener: WAL, normal sync, foreign keys, a 30 s busy wait, the page cache."""

    def setup(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        cursor.close()

    return setup
