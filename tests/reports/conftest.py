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
    # The copy's own witness store (what this workstation saw of the built case): copies worked on
    # side by side would otherwise look like one log cut short.
    witness = tmp_path / "witness"
    built_witness = Path(built_case.env["CUSTOS_HOME"]) / "witness"
    if built_witness.is_dir():
        shutil.copytree(built_witness, witness)
    monkeypatch.setenv("CUSTOS_WITNESS_DIR", str(witness))
    return BuiltCase(copy, built_case.env, built_case.photo_md5)
