"""Fixtures of the report tests: one case built through the CLI per session, copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from report_case import BuiltCase, build_case


@pytest.fixture(scope="session")
def built_case(tmp_path_factory) -> BuiltCase:
    return build_case(tmp_path_factory.mktemp("report-case"))


@pytest.fixture
def case(built_case: BuiltCase, tmp_path: Path, monkeypatch) -> BuiltCase:
    """A private copy of the built case, with the environment set to act as its examiner."""
    copy = tmp_path / "case"
    shutil.copytree(built_case.case_dir, copy)
    for key, value in built_case.env.items():
        monkeypatch.setenv(key, value)
    return BuiltCase(copy, built_case.env, built_case.photo_md5)
