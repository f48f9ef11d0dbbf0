"""Fixtures of the hash-set tests: a library in a temporary folder, and small cases built row by row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hashset_case import CaseBuilder

from forensics.hashsets.library import HashSetLibrary


@pytest.fixture
def library(tmp_path: Path) -> Iterator[HashSetLibrary]:
    lib = HashSetLibrary(tmp_path / "library" / "hashsets.db")
    yield lib
    lib.close()


@pytest.fixture
def case(tmp_path: Path) -> Iterator[CaseBuilder]:
    builder = CaseBuilder(tmp_path / "case")
    yield builder
    builder.close()
