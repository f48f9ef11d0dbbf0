"""Migration 0004 creates exactly the tables the findings models describe, and removes them again.

Run on a new case and on every case saved by an earlier build (``tests/case/old_cases.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from forensics.case.db import CaseDatabase, alembic_config
from forensics.case.schema import metadata
from tests.case.old_cases import new_and_old_case_params, new_or_old_case
from tests.case.schema_diff import schema_diff

OWN_TABLES = {"match_runs", "findings", "file_known"}


def _diff_on_own_tables(db: CaseDatabase) -> list:
    with db.engine.connect() as connection:
        diff = schema_diff(connection, metadata)
    return [d for d in diff if any(table in repr(d) for table in OWN_TABLES)]


@pytest.mark.parametrize("saved", new_and_old_case_params(schema_dependent=False))
def test_migrated_schema_matches_models(saved: str | None, tmp_path: Path) -> None:
    db = new_or_old_case(saved, tmp_path)
    try:
        assert set(inspect(db.engine).get_table_names()) >= OWN_TABLES
        assert _diff_on_own_tables(db) == []
        command.downgrade(alembic_config(db.engine), "0003_custody")
        assert not OWN_TABLES & set(inspect(db.engine).get_table_names())
        command.upgrade(alembic_config(db.engine), "head")
        assert _diff_on_own_tables(db) == []
    finally:
        db.close()
