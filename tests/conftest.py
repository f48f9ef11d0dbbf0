"""Test configuration: scripted fixtures plugin, isolated examiner home, offscreen Qt."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.fixtures", "tests.dask_cluster", "tests.backends"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory, monkeypatch):
    """Examiner profiles and the hash-set library live in a per-test folder, never in ~."""
    home = tmp_path_factory.mktemp("custos-home")
    monkeypatch.setenv("CUSTOS_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg"))
    monkeypatch.delenv("CUSTOS_EXAMINER", raising=False)
    monkeypatch.delenv("CUSTOS_PASSPHRASE", raising=False)
    monkeypatch.delenv("CUSTOS_HASHSET_LIBRARY", raising=False)
