"""Schema checks shared by the WhatsApp parsers: which tables and columns a database has."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping


def table_columns(connection: sqlite3.Connection) -> dict[str, set[str]]:
    """Every table (and view) of the database with its column names, lower-case."""
    names = [
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")
    ]
    columns: dict[str, set[str]] = {}
    for name in names:
        quoted = '"' + str(name).replace('"', '""') + '"'
        try:
            columns[str(name).lower()] = {
                str(row[1]).lower() for row in connection.execute(f"PRAGMA table_info({quoted})")
            }
        except sqlite3.DatabaseError:
            continue
    return columns


def missing(columns: dict[str, set[str]], required: Mapping[str, tuple[str, ...]]) -> list[str]:
    """``table.column`` names of ``required`` that the database lacks (``table`` alone if it is absent)."""
    gaps: list[str] = []
    for table, needed in required.items():
        have = columns.get(table)
        if have is None:
            gaps.append(table)
            continue
        gaps.extend(f"{table}.{column}" for column in needed if column not in have)
    return gaps


def column_or_null(columns: dict[str, set[str]], table: str, alias: str, column: str) -> str:
    """``alias.column`` when the table has it, else ``NULL`` (optional columns vary between versions)."""
    return f"{alias}.{column}" if column in columns.get(table, set()) else "NULL"


def user_version(connection: sqlite3.Connection) -> int:
    """The database's ``PRAGMA user_version``."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])
