"""Read-only access to a case's custody table (no migration, no writes).

``custody verify`` and ``custody log`` use this so that checking a case never changes it, and so
that anyone holding the case folder can check it without being an examiner on it. A SQLite case is
read straight from its file (URI ``mode=ro``); a PostgreSQL case through a read-only transaction as
the reader's own role (``forensics.case.credentials``: whoever may read the database).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensics.case.location import case_db_path, public_url, read_pointer
from forensics.core.errors import CaseError
from forensics.core.sqldialect import execute, has_table
from forensics.custody.records import COLUMNS


class CustodyStore:
    """A read-only view of ``custody_log`` in a case folder's database."""

    def __init__(self, case_dir: Path | str, *, login_role: str | None = None) -> None:
        """``login_role``: the PostgreSQL role to read a server case as (default: ``credentials``')."""
        self._engine: Any = None  # a SQLAlchemy Engine for a server case
        pointed = read_pointer(case_dir)
        if pointed is not None:
            self.place = public_url(pointed)
            self._conn = self._open_postgres(pointed, login_role)
        else:
            self.place = str(case_dir)
            self._conn = self._open_sqlite(case_dir)
        try:
            found = has_table(self._conn, "custody_log")
        except Exception as exc:  # the driver's own error types differ; all mean the same here
            self.close()
            raise CaseError(f"{self.place}: cannot be read as a case database: {exc}") from None
        if not found:
            self.close()
            raise CaseError(f"{self.place}: this case has no custody log")

    @staticmethod
    def _open_sqlite(case_dir: Path | str) -> sqlite3.Connection:
        path = case_db_path(case_dir)
        if not path.is_file():
            raise CaseError(f"{case_dir}: not a Custos case (no {path.name})")
        try:
            return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.DatabaseError as exc:
            raise CaseError(f"{path}: cannot be read as a case database: {exc}") from None

    def _open_postgres(self, url: str, login_role: str | None) -> Any:
        from forensics.case.credentials import connect_engine

        self._engine = connect_engine(url, None, role=login_role)
        conn = self._engine.connect()
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        return conn

    def _dicts(self, sql: str, params: tuple = ()) -> Iterator[dict[str, Any]]:
        result = execute(self._conn, sql, params)
        names = list(result.keys()) if hasattr(result, "keys") else [d[0] for d in result.description]
        for row in result:
            yield dict(zip(names, row, strict=True))

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row, ordered by sequence number, as plain dicts of the stored values."""
        yield from self._dicts(f"SELECT {', '.join(COLUMNS)} FROM custody_log ORDER BY seq")

    def hash_exists(self, entry_hash: str) -> bool:
        found = execute(
            self._conn, "SELECT 1 FROM custody_log WHERE entry_hash = ?", (entry_hash,)
        ).fetchone()
        return found is not None

    @property
    def connection(self) -> Any:
        """The read-only connection (for reading the case's results against their seal)."""
        return self._conn

    def last_of(self, action: str) -> dict[str, Any] | None:
        """The newest entry of ``action`` as a plain dict, None when there is none."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM custody_log WHERE action = ? ORDER BY seq DESC LIMIT 1"
        return next(self._dicts(sql, (action,)), None)

    def all_of(self, action: str) -> Iterator[dict[str, Any]]:
        """Every entry of ``action`` in order, as plain dicts."""
        yield from self._dicts(
            f"SELECT {', '.join(COLUMNS)} FROM custody_log WHERE action = ? ORDER BY seq", (action,)
        )

    def heads(self) -> dict[int, str]:
        """Entry number -> entry hash of every row."""
        return {int(seq): str(h) for seq, h in execute(self._conn, "SELECT seq, entry_hash FROM custody_log")}

    def max_seq(self) -> int:
        value = execute(self._conn, "SELECT MAX(seq) FROM custody_log").fetchone()[0]
        return int(value) if isinstance(value, int) else 0

    def close(self) -> None:
        self._conn.close()
        if self._engine is not None:
            self._engine.dispose()

    def __enter__(self) -> CustodyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
