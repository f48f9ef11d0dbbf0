"""A raw DB-API cursor on a case database: the fastest way to pull a million ids for a listing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from forensics.case.db import CaseDatabase


@contextmanager
def raw_cursor(db: CaseDatabase) -> Iterator[Any]:
    """A cursor of a pooled connection, closed (and the connection returned) afterwards."""
    conn = db.engine.raw_connection()
    try:
        cur = conn.cursor()
        try:
            yield cur
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
