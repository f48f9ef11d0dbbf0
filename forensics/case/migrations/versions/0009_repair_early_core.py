"""Repair cases made by early builds whose ``0001_core`` lacked what it has today.

``0001_core`` was edited in place twice after builds had made cases with it: the unique index
``uq_files_fs_seq_top`` (one top-level item per file system and walk position) and the column
``files.tasks_mask`` (the analysis tasks an item already got) were added to it. Cases made before those
edits record the same revision as later ones, so no migration added them, and today's code fails on
such a case (``no such column: files.tasks_mask``). This revision adds what is missing:

* ``tasks_mask`` with 0 for every item: the next ingest runs the analysis tasks of its profile on the
  items again (safe, only slower; the hashes already stored are kept and written again equal);
* the unique index, unless the case holds items stored twice at one walk position (a case of the
  early builds could): then the case keeps working without it and the upgrade says so in the log.

Revision ID: 0009_repair_early_core
Revises: 0008_locator_links
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0009_repair_early_core"
down_revision = "0008_locator_links"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    if "tasks_mask" not in {column["name"] for column in inspector.get_columns("files")}:
        op.add_column("files", sa.Column("tasks_mask", sa.Integer(), nullable=False, server_default="0"))
    if "uq_files_fs_seq_top" in {index["name"] for index in inspector.get_indexes("files")}:
        return
    twice = bind.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT 1 FROM files WHERE parent_id IS NULL "
            "GROUP BY filesystem_id, seq HAVING count(*) > 1)"
        )
    ).scalar()
    if twice:
        log.warning(
            "case database: %d walk positions hold more than one item (an early build stored them twice); "
            "the unique index uq_files_fs_seq_top is not created",
            twice,
        )
        return
    op.create_index(
        "uq_files_fs_seq_top",
        "files",
        ["filesystem_id", "seq"],
        unique=True,
        sqlite_where=sa.text("parent_id IS NULL"),
        postgresql_where=sa.text("parent_id IS NULL"),
    )


def downgrade() -> None:
    """Nothing to undo: what this revision adds belongs to ``0001_core`` today."""
