"""Bulk writes of many plain-valued rows in one statement, straight through the DBAPI cursor.

An ingest writes every ``files`` row twice (stored by the enumeration, updated with its result);
SQLAlchemy's per-row parameter processing then costs about as much as SQLite itself. These helpers
run inside the caller's SQLAlchemy transaction; values must be what the driver binds as they are
(str, int, float, bool, bytes, None; a boolean column takes a bool, as PostgreSQL wants it).
SQLAlchemy's client-side defaults are not applied: a column that has one must be given (checked),
server-side defaults apply as usual.

On PostgreSQL each call is one statement whatever the number of rows: the values go as one array per
column (``unnest``), so the server parses and plans once, not once per row (the rows of an
``executemany`` are sent together, but each still runs as its own statement: twice the writer's cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from sqlalchemy import Column, Connection, Table

from forensics.core.sqldialect import driver_sql, is_postgres


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


def _one_type(column: Column, values: tuple) -> list:
    """A column's values as one Python type (an array holds one: no int among floats, no bool among ints)."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return list(values)
    if python_type in (int, float, bool):
        return [None if value is None else python_type(value) for value in values]
    return list(values)


def _postgres_arrays(table: Table, keys: Sequence[str], rows: Sequence[dict]) -> tuple[list[str], str, tuple]:
    """The quoted column names of ``keys``, an ``unnest`` of one array parameter per column (cast to
    the column's type) and its parameters: PostgreSQL reads the rows as a table, from one statement.
    The SQL is in psycopg's style, the arrays sent in binary (``%b``: text arrays cost four times the CPU
    to escape)."""
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    columns = [table.c[key] for key in keys]
    names = [dialect.identifier_preparer.quote(column.name) for column in columns]  # e.g. "offset"
    casts = ", ".join(f"CAST(%b AS {column.type.compile(dialect=dialect)}[])" for column in columns)
    values = zip(*map(_getter(keys), rows), strict=True)
    arrays = tuple(_one_type(column, found) for column, found in zip(columns, values, strict=True))
    return names, f"unnest({casts})", arrays


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict]) -> None:
    """INSERT every row (mappings with the same keys, all of them columns of ``table``)."""
    if not rows:
        return
    keys = list(rows[0])
    columns = _checked(table, keys)
    _refuse_missing(table, keys, "default")
    if is_postgres(connection):
        quoted, source, arrays = _postgres_arrays(table, keys, rows)
        names = ", ".join(quoted)  # in the rows' order (ids drawn from a sequence follow it)
        sql = (
            f"INSERT INTO {table.name} ({names}) SELECT {names} "
            f"FROM {source} WITH ORDINALITY AS v({names}, row_number) ORDER BY row_number"
        )
        connection.exec_driver_sql(sql, arrays)
        return
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
    if is_postgres(connection):
        latest = list({row[key]: row for row in rows}.values())  # a key given twice: its last values
        quoted, source, arrays = _postgres_arrays(table, [*keys, key], latest)
        assigned = ", ".join(f"{c} = v.{c}" for c in quoted[:-1])
        target = f"{table.name}.{quoted[-1]}"
        key_type = table.c[key].type.compile(dialect=connection.dialect)
        # The keys once more as a plain list: the rows are found through the key's index (joined with
        # the arrays alone, the planner hashes the whole table for every batch).
        sql = (
            f"UPDATE {table.name} SET {assigned} FROM {source} AS v({', '.join(quoted)}) "
            f"WHERE {target} = v.{quoted[-1]} AND {target} = ANY(CAST(%b AS {key_type}[]))"
        )
        connection.exec_driver_sql(sql, (*arrays, arrays[-1]))
        return
    sql = f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in columns)} WHERE {key_column} = ?"
    values = _getter([*keys, key])
    connection.exec_driver_sql(driver_sql(connection, sql), [values(row) for row in rows])
