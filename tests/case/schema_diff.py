"""A case database's schema against the models, as alembic's autogenerate compares them.

One difference is known and kept on SQLite: ``findings.variant`` stays VARCHAR(20) there, while the models
say 32. Migration ``0014_regions`` widens it on other databases only, because SQLite does not enforce a
VARCHAR's length (the 21-character variant names are stored whole) and changing a column's type there
needs a copy of ``findings``, which the tables referring to it refuse.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, String

SQLITE_KEPT_LENGTHS = {("findings", "variant")}


def _compare_type(
    context: MigrationContext, inspected: Any, column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """False (no difference) for a kept VARCHAR length on SQLite; None: alembic's own comparison."""
    kept = (getattr(column.table, "name", None), column.name) in SQLITE_KEPT_LENGTHS
    strings = isinstance(inspected_type, String) and isinstance(metadata_type, String)
    if context.dialect.name == "sqlite" and kept and strings:
        return False
    return None


def schema_diff(connection: Connection, metadata: MetaData) -> list:
    """What differs between the database and the models (alembic's diff list), known differences left out."""
    context = MigrationContext.configure(connection, opts={"compare_type": _compare_type})
    return compare_metadata(context, metadata)
