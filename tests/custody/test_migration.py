"""Migration 0003 creates the custody table with its guard triggers, matches the model, and downgrades."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from forensics.case.db import CaseDatabase, alembic_config
from forensics.case.schema import metadata

TRIGGERS = {"custody_log_no_update", "custody_log_no_delete", "custody_log_chain_insert"}


def triggers(db: CaseDatabase) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def test_custody_schema_matches_model_and_round_trips(tmp_path: Path) -> None:
    db = CaseDatabase(tmp_path, create=True)
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert not [d for d in diffs if "custody_log" in str(d)]
    assert triggers(db) >= TRIGGERS
    command.downgrade(alembic_config(db.engine), "0002_analysis")
    assert "custody_log" not in inspect(db.engine).get_table_names() and not TRIGGERS & triggers(db)
    command.upgrade(alembic_config(db.engine), "head")
    assert triggers(db) >= TRIGGERS
    db.close()
