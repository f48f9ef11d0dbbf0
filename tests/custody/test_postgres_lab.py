"""A case on a PostgreSQL server as a lab runs it: examiners log in as their own roles, the server itself
refuses those not on the case and any change to the custody log, ``custos case create --db`` and the
lab's ``case_server`` setting make server cases. Needs a real server (tests/backends.py); skipped without.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.cli import main
from forensics.case import credentials
from forensics.case.credentials import examiner_role
from forensics.case.db import CaseDatabase
from forensics.case.location import read_pointer
from forensics.core.errors import AccessDenied
from forensics.custody import actions
from forensics.custody.examiners import ExaminerProfile, create_examiner
from forensics.custody.session import open_custody
from forensics.custody.verify import verify_case
from forensics.services.cases import create_case
from forensics.services.custody import add_examiner, remove_examiner
from tests.backends import CaseBackend, drop_case_databases, pointed_databases

PASSPHRASE = "correct horse battery"


@pytest.fixture
def server(
    postgres_admin_url: URL | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[CaseBackend]:
    """The test server, reached as each examiner's own role (no admin login in the environment)."""
    if postgres_admin_url is None:
        pytest.skip("PostgreSQL lab: CUSTOS_TEST_POSTGRES_URL is unset (scripts/test.sh starts a server)")
    backend = CaseBackend("postgresql", postgres_admin_url)
    for name in ("CUSTOS_DB_USER", "CUSTOS_DB_PASSWORD", "CUSTOS_CASE_SERVER", "PGUSER", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(credentials, "_given", {})  # passwords this process was given: none yet
    try:
        yield backend
    finally:
        drop_case_databases(backend, pointed_databases(tmp_path))


def login_role(server: CaseBackend, examiner: str, *, founder: bool = False) -> str:
    """The lab admin's step: the examiner's role, with a fresh password (returned); a founder may also
    create the case's database and role."""
    role, password = examiner_role(examiner), secrets.token_hex(12)
    rights = "LOGIN CREATEDB CREATEROLE" if founder else "LOGIN"
    engine = server.admin_engine()
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(text(f"{verb} ROLE \"{role}\" {rights} PASSWORD '{password}'"))
    engine.dispose()
    return password


def as_examiner(monkeypatch: pytest.MonkeyPatch, name: str, password: str) -> None:
    monkeypatch.setenv("CUSTOS_EXAMINER", name)
    monkeypatch.setenv("CUSTOS_DB_PASSWORD", password)


def connect_as(server: CaseBackend, database: str, role: str, password: str) -> psycopg.Connection:
    url = server.admin_url
    assert url is not None
    return psycopg.connect(
        host=url.host, port=url.port, dbname=database, user=role, password=password, connect_timeout=10
    )


@pytest.fixture
def examiners() -> tuple[ExaminerProfile, ExaminerProfile, ExaminerProfile]:
    return (
        create_examiner("Alice Example", "Metro Police Cyber Unit", "MP-1001", PASSPHRASE),
        create_examiner("Bob Sample", "Regional Forensic Lab", "RFL-22", PASSPHRASE),
        create_examiner("Mallory Outsider", "Elsewhere", "X-1", PASSPHRASE),
    )


def test_only_examiners_on_the_case_may_connect(
    tmp_path: Path, server: CaseBackend, examiners, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob, mallory = examiners
    alice_pw = login_role(server, alice.name, founder=True)
    bob_pw, mallory_pw = login_role(server, bob.name), login_role(server, mallory.name)
    as_examiner(monkeypatch, alice.name, alice_pw)
    case_dir = tmp_path / "case"
    ctx = create_case(
        case_dir,
        number="2026/7",
        title="Lab case",
        agency=None,
        examiner=alice.name,
        passphrase=PASSPHRASE,
        db_url=server.server + "/custos_access_" + secrets.token_hex(4),
    )
    database = ctx.db.engine.url.database
    assert database is not None and read_pointer(case_dir) == ctx.db.place

    # Not on the case: the server refuses the connection itself, whatever client is used.
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect_as(server, database, examiner_role(mallory.name), mallory_pw)
    as_examiner(monkeypatch, mallory.name, mallory_pw)
    with pytest.raises(AccessDenied, match="may not open this case database"):
        CaseDatabase(case_dir, examiner=mallory.name)
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect_as(server, database, examiner_role(bob.name), bob_pw)

    # Alice adds Bob: his role joins the case's role with his custody entry; he may now work on it.
    add_examiner(ctx, bob.public_record(), "second examiner")
    as_examiner(monkeypatch, bob.name, bob_pw)
    bob_db = CaseDatabase(case_dir, examiner=bob.name)
    assert bob_db.engine.url.username == examiner_role(bob.name)
    bob_log = open_custody(bob_db, bob.name, write=True, passphrase=PASSPHRASE)
    bob_log.append(actions.NOTE, details={"text": "Bob was here"})
    bob_db.close()

    # Taken off the case: refused at once, in the database.
    remove_examiner(ctx, bob.name, "left the team")
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect_as(server, database, examiner_role(bob.name), bob_pw)
    ctx.close()

    as_examiner(monkeypatch, alice.name, alice_pw)
    report = verify_case(case_dir)
    assert report.ok, report.failure
    assert [m.removed_seq is not None for m in report.members if m.name == bob.name] == [True]


def test_the_server_refuses_changes_to_the_custody_log(
    tmp_path: Path, server: CaseBackend, examiners, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = examiners[0]
    password = login_role(server, alice.name, founder=True)
    as_examiner(monkeypatch, alice.name, password)
    ctx = create_case(
        tmp_path / "case",
        number="2026/8",
        title="Append only",
        agency=None,
        examiner=alice.name,
        passphrase=PASSPHRASE,
        db_url=server.server,
    )
    database = ctx.db.engine.url.database
    ctx.close()
    assert database is not None
    with connect_as(server, database, examiner_role(alice.name), password) as conn:
        for sql, message in [
            ("UPDATE custody_log SET ts = 'x' WHERE seq = 2", "append-only: UPDATE refused"),
            ("DELETE FROM custody_log WHERE seq = 2", "append-only: DELETE refused"),
            ("TRUNCATE custody_log", "append-only: TRUNCATE refused"),
            (
                "INSERT INTO custody_log VALUES "
                "(9, 1, 't', 'e', 'k', 'note', NULL, NULL, '{}', 'p', 'h', 's')",
                "does not extend the chain",
            ),
        ]:
            with pytest.raises(psycopg.Error, match=message):
                conn.execute(sql)
            conn.rollback()
    assert verify_case(tmp_path / "case").ok


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_case_create_on_a_server_and_by_the_lab_default(
    tmp_path: Path, server: CaseBackend, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    name = "Carol Lab"
    monkeypatch.setenv("CUSTOS_PASSPHRASE", PASSPHRASE)
    assert run(capsys, "examiner", "create", name, "--agency", "Cyber Cell", "--badge", "CC-9")[0] == 0
    as_examiner(monkeypatch, name, login_role(server, name, founder=True))

    code, out, err = run(
        capsys,
        "case",
        "create",
        str(tmp_path / "one"),
        "--number",
        "1",
        "--title",
        "T",
        "--db",
        server.server,
    )
    assert code == 0, err
    pointer = json.loads((tmp_path / "one" / "case-db.json").read_text(encoding="utf-8"))
    assert pointer["url"].startswith(server.server + "/custos_one_") and "@" not in pointer["url"]
    assert pointer["url"] in out
    assert not (tmp_path / "one" / "case.db").exists()
    code, out, err = run(capsys, "custody", "verify", str(tmp_path / "one"))
    assert code == 0, out + err

    # A password in the URL is refused before anything is made.
    code, _, err = run(
        capsys, "case", "create", str(tmp_path / "two"), "--number", "2", "--title", "T",
        "--db", f"postgresql://someone:secret@{server.admin_url.host}:{server.admin_url.port}",
    )  # fmt: skip
    assert code == 2 and "must not hold a password" in err and not (tmp_path / "two").exists()

    # The lab's settings name the server: a plain `case create` makes a server case.
    settings = tmp_path / "lab.toml"
    settings.write_text(f'[database]\ncase_server = "{server.server}"\n', encoding="utf-8")
    monkeypatch.setenv("CUSTOS_LAB_SETTINGS", str(settings))
    code, _, err = run(capsys, "case", "create", str(tmp_path / "three"), "--number", "3", "--title", "T")
    assert code == 0, err
    assert (read_pointer(tmp_path / "three") or "").startswith(server.server + "/custos_three_")
    code, out, err = run(capsys, "custody", "verify", str(tmp_path / "three"))
    assert code == 0, out + err


def test_cli_prints_an_examiners_role_for_the_lab_admin(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "case", "role", "Zoë O'Brien")
    assert code == 0 and out.strip() == examiner_role("Zoë O'Brien")
    assert out.startswith("ex_zoe_o_brien_") and len(out.strip()) <= 63
