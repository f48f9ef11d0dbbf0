"""Fixtures of the hash-set tests: a library in a temporary folder, and small cases built row by row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hashset_case import CaseBuilder

from forensics.hashsets.library import HashSetLibrary
from tests.backends import postgres_library_database


@pytest.fixture
def library(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[HashSetLibrary]:
    """A library file; on a PostgreSQL server when the test runs on one (``library_backend``, or
    ``case_backend``: cases and library on the same kind of store), its index cache in the test's folder."""
    backend = None
    for name in ("library_backend", "case_backend"):
        if name in request.fixturenames:
            backend = request.getfixturevalue(name)
    if backend is None or not backend.is_postgres:
        lib = HashSetLibrary(tmp_path / "library" / "hashsets.db")
        yield lib
        lib.close()
        return
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    with postgres_library_database(backend) as url:
        lib = HashSetLibrary(url)
        yield lib
        lib.close()


@pytest.fixture
def case(tmp_path: Path) -> Iterator[CaseBuilder]:
    builder = CaseBuilder(tmp_path / "case")
    yield builder
    builder.close()
