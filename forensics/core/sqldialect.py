"""The one place where SQL differs between SQLite (a workstation's case file) and PostgreSQL (a lab server).

Custos writes its hot paths as plain SQL with qmark (``?``) placeholders, run straight through the
driver (SQLAlchemy's per-row processing costs as much as SQLite itself). On PostgreSQL (psycopg 3) the
same text runs with ``%s`` placeholders: :func:`driver_sql` rewrites it once per statement text. The
few statements that have no common spelling (catalogue queries, an insert that ignores duplicates, the
custody log's write lock, helper functions the queries use) are chosen here by dialect.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

# Functions of SQLite that the case queries use, defined on PostgreSQL with SQLite's meaning
# (created by the case migrations, see forensics/case/migrations/versions/0001_core.py).
POSTGRES_COMPAT_FUNCTIONS = (
    # instr(haystack, needle): 1-based position of needle, 0 when absent (PostgreSQL calls it strpos).
    "CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer "
    "LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(haystack, needle) $$",
    # json_extract(text, '$.key'): one top-level key of a JSON object stored as text, as text.
    "CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text "
    "LANGUAGE sql IMMUTABLE AS $$ SELECT (doc::json) ->> substr(path, 3) $$",
    # json_each(text, '$.key'): the elements of a JSON array under one top-level key, as rows of ``value``.
    "CREATE OR REPLACE FUNCTION json_each(doc text, path text) RETURNS TABLE (value text) "
    "LANGUAGE sql IMMUTABLE AS $$ SELECT json_array_elements_text((doc::json) -> substr(path, 3)) $$",
    # COLLATE NOCASE (sorting names in the file table): case-insensitive, as SQLite's for ASCII.
    "DO $$ BEGIN CREATE COLLATION IF NOT EXISTS nocase "
    "(provider = icu, locale = 'und-u-ks-level2', deterministic = false); "
    "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN "
    'CREATE COLLATION IF NOT EXISTS nocase FROM "C"; END $$',
)


def dialect_name(conn: Any) -> str:
    """``sqlite`` or ``postgresql``: of a SQLAlchemy engine or connection, a ``sqlite3`` or psycopg one."""
    dialect = getattr(conn, "dialect", None)
    if dialect is not None:
        return str(dialect.name)
    name = getattr(conn, "dialect_name", None)  # PgReadConnection below
    if name:
        return str(name)
    return POSTGRESQL if type(conn).__module__.startswith("psycopg") else SQLITE


def is_postgres(conn: Any) -> bool:
    return dialect_name(conn) == POSTGRESQL


@lru_cache(maxsize=512)
def _format_style(sql: str) -> str:
    """qmark SQL in the driver's ``format`` style: ``%`` doubled, each ``?`` outside quotes made ``%s``."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote is not None:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def driver_sql(conn: Any, sql: str) -> str:
    """``sql`` (qmark placeholders) as the connection's driver takes it."""
    return _format_style(sql) if is_postgres(conn) else sql


def execute(conn: Any, sql: str, params: Any = (), *, stream: bool = False) -> Any:
    """Run qmark SQL through the driver of a SQLAlchemy connection (``exec_driver_sql``) or a plain DB-API
    connection/cursor (``execute``); ``params`` a tuple, or a list of tuples for many rows. ``stream``:
    rows are fetched as they are read (a server-side cursor on PostgreSQL), not all at once."""
    text = driver_sql(conn, sql)
    if hasattr(conn, "exec_driver_sql"):
        options = {"stream_results": True} if stream else {}
        return conn.exec_driver_sql(text, params, execution_options=options)
    if isinstance(params, list) and params and isinstance(params[0], tuple | list):
        return conn.executemany(text, params)
    return conn.execute(text, params)


def table_exists_sql(conn: Any) -> str:
    """qmark SQL returning a row when the table named by its one parameter exists."""
    if is_postgres(conn):
        return "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?"
    return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"


def has_table(conn: Any, name: str) -> bool:
    rows = execute(conn, table_exists_sql(conn), (name,))
    return any(True for _row in rows)


def index_names(conn: Any, table: str) -> set[str]:
    """Names of the indexes the database holds on ``table``."""
    if is_postgres(conn):
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?"
        return {row[0] for row in execute(conn, sql, (table,))}
    return {row[1] for row in execute(conn, f"PRAGMA index_list({table})")}


def insert_ignoring_duplicates(conn: Any, table: Any) -> Any:
    """An INSERT of ``table`` that skips a row breaking a unique constraint (SQLAlchemy construct)."""
    if is_postgres(conn):
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def json_ids_sql(conn: Any, param: str = "?") -> str:
    """SQL of a sub-select giving the integers of a JSON array passed as its one parameter ``param``
    (``?``, or ``:name`` in a SQLAlchemy ``text``): one parameter whatever the count of ids."""
    if is_postgres(conn):
        return f"SELECT CAST(value AS bigint) FROM json_array_elements_text(CAST({param} AS json))"
    return f"SELECT value FROM json_each({param})"


def defer_foreign_keys(conn: Any) -> None:
    """Check the foreign keys of the rest of the transaction at its commit (renumbering rows that others
    point at). PostgreSQL defers the constraints that the migrations made DEFERRABLE."""
    if is_postgres(conn):
        execute(conn, "SET CONSTRAINTS ALL DEFERRED")
    else:
        execute(conn, "PRAGMA defer_foreign_keys = ON")


def upsert_sql(conn: Any, table: str, columns: tuple[str, ...], key: str) -> str:
    """qmark SQL inserting ``columns`` or, when ``key`` exists, replacing the row's other columns."""
    marks = ", ".join("?" * len(columns))
    names = ", ".join(columns)
    if is_postgres(conn):
        others = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
        return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT ({key}) DO UPDATE SET {others}"
    return f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})"


# Any constant does; this one reads "custody" in ASCII. Advisory locks are per database.
CUSTODY_LOCK_KEY = 0x637573746F6479


def begin_exclusive_write(conn: Any) -> None:
    """Begin the SQLAlchemy connection's transaction holding the one lock every custody append takes.

    SQLite: ``BEGIN IMMEDIATE`` (the database's write lock). PostgreSQL: a transaction-scoped advisory
    lock, so appends queue one behind the other while readers and other writers go on; each append then
    reads the chain head committed by the one before it (READ COMMITTED reads each statement afresh).
    """
    if is_postgres(conn):
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (CUSTODY_LOCK_KEY,))
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
