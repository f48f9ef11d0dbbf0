"""Migration 0003 creates the custody table with its guard triggers, matches the model, and downgrades.

Run on a new case and on every case saved by an earlier build (``tests/case/old_cases.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from forensics.case.db import CaseDatabase, alembic_config
from forensics.case.schema import metadata
from tests.case.old_cases import new_and_old_case_params, new_or_old_case

TRIGGERS = {"custody_log_no_update", "custody_log_no_delete", "custody_log_chain_insert"}


def triggers(db: CaseDatabase) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


@pytest.mark.parametrize("saved", new_and_old_case_params(schema_dependent=False))
def test_custody_schema_matches_model_and_round_trips(saved: str | None, tmp_path: Path) -> None:
    db = new_or_old_case(saved, tmp_path)
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert not [d for d in diffs if "custody_log" in str(d)]
    assert triggers(db) >= TRIGGERS
    command.downgrade(alembic_config(db.engine), "0002_analysis")
    assert "custody_log" not in inspect(db.engine).get_table_names() and not TRIGGERS & triggers(db)
    command.upgrade(alembic_config(db.engine), "head")
    assert triggers(db) >= TRIGGERS
    db.close()
