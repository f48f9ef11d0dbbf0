"""A raw DB-API cursor on a case database: the fastest way to pull a million ids for a listing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from forensics.case.db import CaseDatabase
from forensics.core.sqldialect import driver_sql


class _QmarkCursor:
    """A driver cursor that takes the queries' qmark SQL whatever the database (see core.sqldialect)."""

    def __init__(self, cursor: Any, engine: Any) -> None:
        self._cursor = cursor
        self._engine = engine

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._cursor.execute(driver_sql(self._engine, sql), params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


@contextmanager
def raw_cursor(db: CaseDatabase) -> Iterator[Any]:
    """A cursor of a pooled connection, closed (and the connection returned) afterwards."""
    conn = db.engine.raw_connection()
    try:
        cur = conn.cursor()
        try:
            yield _QmarkCursor(cur, db.engine) if db.engine.dialect.name != "sqlite" else cur
        finally:
            cur.close()
    finally:
        conn.close()


def one_row(cur: Any) -> dict[str, Any] | None:
    """The cursor's next row as a dict keyed by column name, None when there is none."""
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))
