"""Fixtures of the CLI tests."""

from __future__ import annotations

import pytest

from tests.app.cli_helpers import examiner_env


@pytest.fixture(autouse=True)
def _act_as_examiner(monkeypatch: pytest.MonkeyPatch) -> None:
    examiner_env(monkeypatch)
