"""Fixtures of the report tests: one case built through the CLI per session, copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from report_case import BuiltCase, build_case

from tests.backends import (
    POSTGRESQL,
    SQLITE,
    CaseBackend,
    copy_server_case,
    drop_case_databases,
    pointed_databases,
    server_env,
)


@pytest.fixture(scope="session")
def built_case(tmp_path_factory) -> BuiltCase:
    return build_case(tmp_path_factory.mktemp("report-case"))


@pytest.fixture(scope="session")
def built_server_case(tmp_path_factory, postgres_admin_url) -> Iterator[BuiltCase]:
    """The same case built on the PostgreSQL test server (tests/backends.py), dropped at the end."""
    if postgres_admin_url is None:
        pytest.skip("reports of a PostgreSQL case: CUSTOS_TEST_POSTGRES_URL is unset (scripts/test.sh)")
    backend = CaseBackend(POSTGRESQL, postgres_admin_url)
    env = server_env(backend)
    root = tmp_path_factory.mktemp("report-server-case")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        built = build_case(root)
    yield BuiltCase(built.case_dir, built.env | env, built.photo_md5)
    drop_case_databases(backend, pointed_databases(root))


@pytest.fixture(params=[SQLITE, POSTGRESQL])
def case(request, tmp_path: Path, monkeypatch) -> Iterator[BuiltCase]:
    """A private copy of the built case (in a file, then on the server), with the environment set to act
    as its examiner."""
    on_server = request.param == POSTGRESQL
    built_case = request.getfixturevalue("built_server_case" if on_server else "built_case")
    copy = tmp_path / "case"
    shutil.copytree(built_case.case_dir, copy)
    if on_server:
        copy_server_case(
            CaseBackend(POSTGRESQL, request.getfixturevalue("postgres_admin_url")), built_case.case_dir, copy
        )
    for key, value in built_case.env.items():
        monkeypatch.setenv(key, value)
    # The copy's own witness store (what this workstation saw of the built case): copies worked on
    # side by side would otherwise look like one log cut short.
    witness = tmp_path / "witness"
    built_witness = Path(built_case.env["CUSTOS_HOME"]) / "witness"
    if built_witness.is_dir():
        shutil.copytree(built_witness, witness)
    monkeypatch.setenv("CUSTOS_WITNESS_DIR", str(witness))
    copied = BuiltCase(copy, built_case.env, built_case.photo_md5)
    if on_server:
        yield copied
        drop_case_databases(
            CaseBackend(POSTGRESQL, request.getfixturevalue("postgres_admin_url")),
            pointed_databases(tmp_path),
        )
        return
    yield copied
