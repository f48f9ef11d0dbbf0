"""The whole command-line flow on a case kept on a PostgreSQL server gives the same bytes as on SQLite.

The golden files of ``test_golden_cli.py`` (listings, findings, custody log and its verification, exports,
reports) are the SQLite case's; the same flow with the lab's ``case_server`` pointing at the test server
(tests/backends.py) must reproduce them byte for byte.
"""

from __future__ import annotations

import shutil

import pytest

from tests.app.golden_cli import GOLDEN, default_work, run_flow
from tests.backends import POSTGRESQL, CaseBackend, drop_case_databases, pointed_databases, server_env

pytestmark = pytest.mark.skipif(
    shutil.which("mkfs.fat") is None or shutil.which("pdftotext") is None,
    reason="needs mkfs.fat, mtools and pdftotext (scripts/setup.sh installs them)",
)


def test_a_server_case_gives_the_golden_outputs(postgres_admin_url, monkeypatch: pytest.MonkeyPatch) -> None:
    if postgres_admin_url is None:
        pytest.skip("PostgreSQL golden run: CUSTOS_TEST_POSTGRES_URL is unset (scripts/test.sh)")
    backend = CaseBackend(POSTGRESQL, postgres_admin_url)
    for key, value in server_env(backend).items():
        monkeypatch.setenv(key, value)
    work = default_work()
    try:
        outputs = run_flow(work)
        assert (work / "case" / "case-db.json").is_file() and not (work / "case" / "case.db").exists()
    finally:
        drop_case_databases(backend, pointed_databases(work))
    different = [name for name, data in outputs.items() if (GOLDEN / name).read_bytes() != data]
    assert not different, f"a server case's outputs differ from the golden files: {different}"
