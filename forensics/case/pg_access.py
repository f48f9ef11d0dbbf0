"""Case access enforced by PostgreSQL itself: one database per case, one members' role per case.

A case database ``D`` is owned by a role ``D_members`` that cannot log in; PUBLIC may not connect to
``D``. Each examiner logs in as their own role (``credentials.examiner_role``); being on the case is being
a member of ``D_members`` (granted WITH ADMIN OPTION, so that any examiner on the case can add or
remove another, as the custody log allows). Membership gives CONNECT and the owner's rights on every
table; each session then works as ``D_members`` (``SET ROLE``) so that whatever it creates stays the
case's. Taking an examiner off the case revokes the membership in the same transaction as their
``examiner_removed`` custody entry: their next connection is refused.

The database is made by :func:`prepare_case_database` when ``custos case create --db`` runs as a role
that may create databases and roles (the founder given CREATEDB and CREATEROLE by the lab admin, or the
admin's own login). docs/lab.md lists the admin's steps.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ProgrammingError

from forensics.case.location import driver_url, public_url
from forensics.core.errors import AccessDenied, CaseError

MAINTENANCE_DATABASE = "postgres"
MEMBERS_SUFFIX = "_members"


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier in double quotes."""
    if "\x00" in name:
        raise ValueError("an identifier cannot hold a NUL character")
    return '"' + name.replace('"', '""') + '"'


def members_role(database: str) -> str:
    """The role whose members are the case's examiners."""
    return f"{database}{MEMBERS_SUFFIX}"


def role_exists(conn: Connection, role: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def set_case_role(dbapi_connection: Any, database: str) -> None:
    """Work as the case's members' role for the rest of the session (a ``connect`` listener's body)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET ROLE {quote_ident(members_role(database))}")
    finally:
        cursor.close()
    dbapi_connection.commit()


def _may_create_roles(conn: Connection) -> bool:
    row = conn.execute(
        text("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = session_user")
    ).first()
    return bool(row and (row[0] or row[1]))


def _is_superuser(conn: Connection) -> bool:
    row = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = session_user")).first()
    return bool(row and row[0])


def prepare_case_database(admin: Engine, database: str, founder_role: str) -> None:
    """Create the case database ``database`` and its members' role, the founder its first member.

    ``admin``: an engine on the server's maintenance database as a role that may create databases and
    roles (the lab admin, or a founder given CREATEDB and CREATEROLE). Refuses a database that exists
    already (a case is never made over another).
    """
    members = quote_ident(members_role(database))
    name = quote_ident(database)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first()
        if found is not None:
            raise CaseError(
                f"database {database!r} exists already on the server: a case is never made over it"
            )
        try:
            if not role_exists(conn, members_role(database)):
                conn.execute(text(f"CREATE ROLE {members} NOLOGIN"))
            ensure_examiner_role(conn, founder_role)
            conn.execute(text(f"GRANT {members} TO {quote_ident(founder_role)} WITH ADMIN OPTION"))
            session = conn.execute(text("SELECT session_user")).scalar()
            borrowed = not _is_superuser(conn) and session != founder_role
            if borrowed:  # PostgreSQL 15: handing a database to a role needs membership in it
                conn.execute(text(f"GRANT {members} TO SESSION_USER"))
            conn.execute(
                text(
                    f"CREATE DATABASE {name} OWNER {members} TEMPLATE template0 "
                    "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
                )
            )
            conn.execute(text(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC"))
            conn.execute(text(f"GRANT CONNECT, TEMPORARY ON DATABASE {name} TO {members}"))
            if borrowed:
                conn.execute(text(f"REVOKE {members} FROM SESSION_USER"))
        except ProgrammingError as exc:
            raise AccessDenied(
                f"the case database {database!r} cannot be made with this role ({exc.orig}): the lab admin "
                "gives the founder's role CREATEDB and CREATEROLE (docs/lab.md)"
            ) from None


def ensure_examiner_role(conn: Connection, role: str) -> None:
    """An examiner's role must exist; one missing is created without login (the lab admin then gives it a
    password) when the session's role may create roles, else refused saying what the admin has to do."""
    if role_exists(conn, role):
        return
    if not _may_create_roles(conn):
        raise AccessDenied(
            f"the database server has no role {role!r} for this examiner: the lab admin creates it "
            f"(CREATE ROLE {quote_ident(role)} LOGIN PASSWORD '...'; docs/lab.md)"
        )
    conn.execute(text(f"CREATE ROLE {quote_ident(role)} NOLOGIN"))


def _as_session_user(conn: Connection, database: str, statement: str) -> None:
    """Run a statement as the examiner's own role (which holds the ADMIN OPTION of the case's role), then
    work as the case's role again."""
    conn.execute(text("RESET ROLE"))
    try:
        conn.execute(text(statement))
    finally:
        conn.execute(text(f"SET ROLE {quote_ident(members_role(database))}"))


def grant_membership(conn: Connection, database: str, role: str) -> None:
    """Put an examiner's role on the case (in the caller's transaction: with their custody entry)."""
    conn.execute(text("RESET ROLE"))
    try:
        ensure_examiner_role(conn, role)
    finally:
        conn.execute(text(f"SET ROLE {quote_ident(members_role(database))}"))
    group = quote_ident(members_role(database))
    _as_session_user(conn, database, f"GRANT {group} TO {quote_ident(role)} WITH ADMIN OPTION")


def revoke_membership(conn: Connection, database: str, role: str) -> None:
    """Take an examiner's role off the case (in the caller's transaction: with their custody entry)."""
    if role_exists(conn, role):
        group = quote_ident(members_role(database))
        _as_session_user(conn, database, f"REVOKE {group} FROM {quote_ident(role)} CASCADE")


def members(conn: Connection, database: str) -> list[str]:
    """Roles that are members of the case (directly)."""
    rows = conn.execute(
        text(
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid "
            "JOIN pg_roles m ON m.oid = a.member WHERE g.rolname = :g ORDER BY m.rolname"
        ),
        {"g": members_role(database)},
    )
    return [r[0] for r in rows]


def maintenance_url(url: str | URL) -> URL:
    """The server's maintenance database, for creating a case database."""
    return driver_url(make_url(str(url))).set(database=MAINTENANCE_DATABASE)


def database_of(url: str | URL) -> str:
    name = make_url(str(url)).database
    if not name:
        raise CaseError(f"{public_url(url)}: the URL names no database")
    return name
