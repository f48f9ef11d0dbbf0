"""Read-only access to a case's custody table straight from its SQLite file (no migration, no writes).

``custody verify`` and ``custody log`` use this so that checking a case never changes it, and so
that anyone holding the case folder can check it without being an examiner on it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensics.case.db import case_db_path
from forensics.core.errors import CaseError
from forensics.custody.records import COLUMNS


class CustodyStore:
    """A read-only view of ``custody_log`` in a case folder's database."""

    def __init__(self, case_dir: Path | str) -> None:
        path = case_db_path(case_dir)
        if not path.is_file():
            raise CaseError(f"{case_dir}: not a Custos case (no {path.name})")
        try:
            self._conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            self._conn.row_factory = sqlite3.Row
            found = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'custody_log'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise CaseError(f"{path}: cannot be read as a case database: {exc}") from None
        if not found:
            self._conn.close()
            raise CaseError(f"{path}: this case has no custody log")

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row, ordered by sequence number, as plain dicts of the stored values."""
        cursor = self._conn.execute(f"SELECT {', '.join(COLUMNS)} FROM custody_log ORDER BY seq")
        for row in cursor:
            yield dict(row)

    def hash_exists(self, entry_hash: str) -> bool:
        found = self._conn.execute("SELECT 1 FROM custody_log WHERE entry_hash = ?", (entry_hash,)).fetchone()
        return found is not None

    @property
    def connection(self) -> sqlite3.Connection:
        """The read-only connection (for reading the case's results against their seal)."""
        return self._conn

    def last_of(self, action: str) -> dict[str, Any] | None:
        """The newest entry of ``action`` as a plain dict, None when there is none."""
        row = self._conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM custody_log WHERE action = ? ORDER BY seq DESC LIMIT 1",
            (action,),
        ).fetchone()
        return None if row is None else dict(row)

    def all_of(self, action: str) -> Iterator[dict[str, Any]]:
        """Every entry of ``action`` in order, as plain dicts."""
        cursor = self._conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM custody_log WHERE action = ? ORDER BY seq", (action,)
        )
        for row in cursor:
            yield dict(row)

    def heads(self) -> dict[int, str]:
        """Entry number -> entry hash of every row."""
        return {int(seq): str(h) for seq, h in self._conn.execute("SELECT seq, entry_hash FROM custody_log")}

    def max_seq(self) -> int:
        value = self._conn.execute("SELECT MAX(seq) FROM custody_log").fetchone()[0]
        return int(value) if isinstance(value, int) else 0

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> CustodyStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
