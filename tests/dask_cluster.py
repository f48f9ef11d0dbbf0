"""A real Dask cluster for tests (``scripts/local_dask.py``: a scheduler and two workers on 127.0.0.1).

As a pytest plugin (``tests/conftest.py``) it gives the fixture ``dask``: one cluster for the whole
session, started by the first test that asks for it (skipped with the reason when ``distributed`` cannot
be imported), stopped at the end; each test gets it with both workers up and no test variable set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from scripts.local_dask import REPO_ROOT, LocalDask, local_dask

__all__ = ["REPO_ROOT", "LocalDask", "local_dask", "set_environment"]

# Variables the tests set on the workers for one job (fault injection, path map); cleared around each test.
TEST_VARIABLES = (
    "CUSTOS_TEST_CRASH_ON",
    "CUSTOS_TEST_HANG_ON",
    "CUSTOS_TEST_ITEM_DELAY",
    "CUSTOS_EVIDENCE_MAP",
)


def set_environment(values: dict[str, str | None]) -> None:
    """Run in each Dask worker: the custos processes it starts for the next job inherit these."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def dask_session(tmp_path_factory) -> Iterator[LocalDask]:
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install distributed)")
    with local_dask(tmp_path_factory.mktemp("dask")) as running:
        yield running


@pytest.fixture
def dask(dask_session: LocalDask) -> Iterator[LocalDask]:
    """The session's cluster with both workers up and no test variable set, before and after the test."""
    dask_session.wait_for_workers(2)
    dask_session.run_on_workers(set_environment, dict.fromkeys(TEST_VARIABLES))
    yield dask_session
    dask_session.wait_for_workers(2)
    dask_session.run_on_workers(set_environment, dict.fromkeys(TEST_VARIABLES))
