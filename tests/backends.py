"""The case store under test: SQLite (a workstation's case file) and PostgreSQL (a lab server).

``case_backend`` is parametrised over both. Its PostgreSQL run points new cases at a real server, the
way a lab's ``case_server`` setting does (``CUSTOS_CASE_SERVER``), logged in as the server's admin role
(``CUSTOS_DB_USER``/``CUSTOS_DB_PASSWORD``); each case made during the test gets its own database,
dropped afterwards (those of case folders under the test's ``tmp_path``).

The server: ``$CUSTOS_TEST_POSTGRES_URL`` (``scripts/test.sh`` and ``.ci/run`` start a throw-away one
and export it); ``CUSTOS_TEST_POSTGRES_URL=auto`` lets the test session start its own with
``scripts/postgres_test_cluster.sh``. Unset, the PostgreSQL runs are skipped, saying so.

A test module opts in with ``pytestmark = pytest.mark.usefixtures("case_backend")``.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from forensics.case.location import POINTER_NAME, read_pointer, write_pointer

ENV_URL = "CUSTOS_TEST_POSTGRES_URL"
CLUSTER_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "postgres_test_cluster.sh"
SQLITE, POSTGRESQL = "sqlite", "postgresql"


@dataclass(frozen=True)
class CaseBackend:
    """Which store new cases of the test use; ``admin_url`` (PostgreSQL) logs in as the server's admin."""

    name: str
    admin_url: URL | None = None

    @property
    def is_postgres(self) -> bool:
        return self.name == POSTGRESQL

    @property
    def server(self) -> str:
        """The server as a lab's settings name it: no user name, no password, no database."""
        assert self.admin_url is not None
        return f"postgresql://{self.admin_url.host}:{self.admin_url.port or 5432}"

    def admin_engine(self, database: str = "postgres"):  # noqa: ANN201 - an Engine, autocommit
        assert self.admin_url is not None
        url = self.admin_url.set(drivername="postgresql+psycopg", database=database)
        return create_engine(url, isolation_level="AUTOCOMMIT")


def _start_cluster() -> tuple[str, str]:
    """Start a throw-away server; (its admin URL, its folder for stopping it)."""
    done = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "start"], capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"PostgreSQL tests: the throw-away server did not start: {done.stderr.strip()[-300:]}")
    found = dict(
        line.removeprefix("export ").split("=", 1) for line in done.stdout.splitlines() if "=" in line
    )
    return shlex.split(found[ENV_URL])[0], shlex.split(found["CUSTOS_TEST_POSTGRES_DIR"])[0]


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[URL | None]:
    """The test server's admin URL, None when no server is given (the PostgreSQL runs then skip)."""
    value = os.environ.get(ENV_URL, "").strip()
    if value != "auto":
        yield make_url(value) if value else None
        return
    url, folder = _start_cluster()
    try:
        yield make_url(url)
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", folder], timeout=120, check=False)


def pointed_databases(folder: Path) -> set[str]:
    """The server databases that case folders under ``folder`` point to (their ``case-db.json``); only
    these are dropped after a test, so tests running side by side on one server keep theirs."""
    names = set()
    for pointer in folder.rglob(POINTER_NAME):
        url = read_pointer(pointer.parent)
        if url is not None and make_url(url).database:
            names.add(str(make_url(url).database))
    return names


def drop_case_databases(backend: CaseBackend, names: set[str]) -> None:
    """Drop the case databases ``names`` and their members' roles (connections still open are ended)."""
    engine = backend.admin_engine()
    try:
        with engine.connect() as conn:
            for name in sorted(names):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}_members"'))
    finally:
        engine.dispose()


@pytest.fixture(params=[SQLITE, POSTGRESQL])
def case_backend(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres_admin_url: URL | None,
) -> Iterator[CaseBackend]:
    """New cases of the test on SQLite, then on PostgreSQL (skipped without a test server)."""
    if request.param == SQLITE:
        monkeypatch.delenv("CUSTOS_CASE_SERVER", raising=False)
        yield CaseBackend(SQLITE)
        return
    if postgres_admin_url is None:
        pytest.skip(
            f"PostgreSQL case store: {ENV_URL} is unset (scripts/test.sh starts a throw-away server; "
            f"{ENV_URL}=auto lets the tests start one)"
        )
    backend = CaseBackend(POSTGRESQL, postgres_admin_url)
    monkeypatch.setenv("CUSTOS_CASE_SERVER", backend.server)
    monkeypatch.setenv("CUSTOS_DB_USER", str(postgres_admin_url.username))
    monkeypatch.setenv("CUSTOS_DB_PASSWORD", str(postgres_admin_url.password or ""))
    try:
        yield backend
    finally:
        drop_case_databases(backend, pointed_databases(tmp_path))


@pytest.fixture(params=[SQLITE, POSTGRESQL])
def library_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, postgres_admin_url: URL | None
) -> CaseBackend:
    """The hash-set library of the test in a file, then on a PostgreSQL server (``library`` fixtures read
    it; skipped without a test server)."""
    if request.param == SQLITE:
        return CaseBackend(SQLITE)
    if postgres_admin_url is None:
        pytest.skip(f"PostgreSQL hash-set library: {ENV_URL} is unset (scripts/test.sh starts a server)")
    monkeypatch.setenv("CUSTOS_DB_USER", str(postgres_admin_url.username))
    monkeypatch.setenv("CUSTOS_DB_PASSWORD", str(postgres_admin_url.password or ""))
    return CaseBackend(POSTGRESQL, postgres_admin_url)


@contextmanager
def postgres_library_database(backend: CaseBackend) -> Iterator[str]:
    """A new, empty library database on the test server (its URL, without credentials), dropped after."""
    name = f"custos_hashsets_{secrets.token_hex(4)}"
    engine = backend.admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{backend.server}/{name}"
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def server_env(backend: CaseBackend) -> dict[str, str]:
    """The environment that makes new cases on the test server, logged in as its admin."""
    assert backend.admin_url is not None
    return {
        "CUSTOS_CASE_SERVER": backend.server,
        "CUSTOS_DB_USER": str(backend.admin_url.username),
        "CUSTOS_DB_PASSWORD": str(backend.admin_url.password or ""),
    }


def copy_server_case(backend: CaseBackend, source: Path, target: Path) -> str:
    """Copy a server case whose folder was copied from ``source`` to ``target``: a new database made from
    the first as a template, with its own members' role that inherits the first one's rights (the tables
    stay the first role's); ``target``'s pointer then names the copy (returned)."""
    url = read_pointer(source)
    assert url is not None, f"{source} is not a server case"
    original = str(make_url(url).database)
    copy = f"{original[:40]}_{secrets.token_hex(4)}"
    engine = backend.admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :d AND pid <> pg_backend_pid()"
                ),
                {"d": original},
            )
            conn.execute(text(f'CREATE ROLE "{copy}_members" NOLOGIN IN ROLE "{original}_members"'))
            conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{original}" OWNER "{copy}_members"'))
            conn.execute(text(f'REVOKE ALL ON DATABASE "{copy}" FROM PUBLIC'))
            conn.execute(text(f'GRANT CONNECT, TEMPORARY ON DATABASE "{copy}" TO "{copy}_members"'))
    finally:
        engine.dispose()
    copied = make_url(url).set(database=copy).render_as_string(hide_password=False)
    write_pointer(target, copied)
    return copied


def copy_case_folder(source: Path, target: Path) -> None:
    """Copy a case folder as a test's twin of it: a SQLite case whole; a server case's database too (as
    the server's admin named in the environment, as ``case_backend`` and the report fixtures set it)."""
    shutil.copytree(source, target)
    pointed = read_pointer(source)
    if pointed is None:
        return
    server = make_url(pointed)
    admin = server.set(username=os.environ["CUSTOS_DB_USER"], password=os.environ["CUSTOS_DB_PASSWORD"])
    copy_server_case(CaseBackend(POSTGRESQL, admin), source, target)
