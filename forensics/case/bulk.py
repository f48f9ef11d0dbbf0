"""Bulk writes of many plain-valued rows in one statement, straight through the DBAPI cursor.

An ingest writes every ``files`` row twice (stored by the enumeration, updated with its result);
SQLAlchemy's per-row parameter processing then costs about as much as SQLite itself. These helpers
run inside the caller's SQLAlchemy transaction; values must be what the driver binds as they are
(str, int, float, bool, bytes, None; a boolean column takes a bool, as PostgreSQL wants it).
SQLAlchemy's client-side defaults are not applied: a column that has one must be given (checked),
server-side defaults apply as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from sqlalchemy import Connection, Table

from forensics.core.sqldialect import driver_sql


def _getter(columns: Sequence[str]):
    """A function that returns the values of ``columns`` of a mapping, always as a tuple."""
    getter = itemgetter(*columns)
    if len(columns) == 1:
        return lambda row: (getter(row),)
    return getter


def _checked(table: Table, columns: Sequence[str]) -> list[str]:
    """The SQL names of the columns with these keys; refuses a key that is not a column."""
    unknown = [name for name in columns if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name}: no column(s) {', '.join(unknown)}")
    return [table.c[name].name for name in columns]


def _refuse_missing(table: Table, keys: Sequence[str], kind: str) -> None:
    """Refuses rows that leave out a column with a client-side ``default`` or ``onupdate`` (not applied)."""
    given = set(keys)
    server = {"default": "server_default", "onupdate": "server_onupdate"}[kind]  # the database applies these
    missing = [
        c.key
        for c in table.c
        if getattr(c, kind) is not None and getattr(c, server) is None and c.key not in given
    ]
    if missing:
        names = ", ".join(missing)
        raise ValueError(f"{table.name}: give {names} (client-side {kind}, not applied by bulk writes)")


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict]) -> None:
    """INSERT every row (mappings with the same keys, all of them columns of ``table``)."""
    if not rows:
        return
    keys = list(rows[0])
    columns = _checked(table, keys)
    _refuse_missing(table, keys, "default")
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    values = _getter(keys)
    connection.exec_driver_sql(driver_sql(connection, sql), [values(row) for row in rows])


def update_rows(connection: Connection, table: Table, key: str, rows: Sequence[dict]) -> None:
    """UPDATE the row whose ``key`` column equals each mapping's ``key`` with the mapping's other values."""
    if not rows:
        return
    keys = [name for name in rows[0] if name != key]
    columns = _checked(table, keys)
    (key_column,) = _checked(table, [key])
    _refuse_missing(table, [*keys, key], "onupdate")
    sql = f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in columns)} WHERE {key_column} = ?"
    values = _getter([*keys, key])
    connection.exec_driver_sql(driver_sql(connection, sql), [values(row) for row in rows])
