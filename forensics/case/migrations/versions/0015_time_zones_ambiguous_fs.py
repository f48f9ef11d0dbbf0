"""Source time zone of each evidence item; every file system valid at an offset is its own row.

* ``evidence.time_zone``: the IANA zone of the source device (``Asia/Karachi``), null until the examiner
  sets it ("unknown"). Times a file system stores as local wall-clock time (FAT, exFAT) are shown in it.
* ``filesystems``: the unique key (evidence, offset) becomes (evidence, offset, type), so that where more
  than one file-system type is valid at one offset each is listed, flagged ``ambiguous``.
* ``filesystems.notes``: problems found at intake (a file system larger than the image, values no
  database integer can hold), as a JSON list of lines.

Rows recorded before this revision: no zone (unknown), not ambiguous, no notes.

SQLite keeps a unique key in the table's definition, so ``filesystems`` is rebuilt (batch mode: copy,
drop, rename). With foreign keys on, the drop would first delete the rows that ``files`` and
``ingest_errors`` point at, and is refused; SQLite ignores switching them off inside a transaction. So
whatever an earlier revision of the same upgrade wrote is committed first, foreign keys are off for the
rebuild only (every row keeps its id), and ``PRAGMA foreign_key_check`` confirms that the rebuild broke
no reference (references a case already had broken are left as they were).

Revision ID: 0015_time_zones_ambiguous_fs
Revises: 0014_regions
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_time_zones_ambiguous_fs"
down_revision = "0014_regions"
branch_labels = None
depends_on = None


def _rebuild_sqlite(table: str, change) -> None:  # noqa: ANN001 - change(batch_op) edits the table
    """Rebuild ``table`` in batch mode with foreign keys off for the rebuild only (see the docstring)."""
    bind = op.get_bind()
    raw = bind.connection.dbapi_connection
    if raw is None:
        raise RuntimeError(f"rebuilding {table}: the migration's connection is closed")
    if raw.in_transaction:
        raw.commit()
    before = set(bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        with op.batch_alter_table(table, recreate="always") as batch_op:
            change(batch_op)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys = ON")
    broken = sorted(set(bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()) - before)
    if broken:
        raise RuntimeError(f"rebuilding {table} broke {len(broken)} foreign key(s): {broken[:3]}")


def _swap_unique(old: str, new: str, columns: list[str]) -> None:
    """Replace the unique key ``old`` of ``filesystems`` by ``new`` over ``columns``."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(old, "filesystems", type_="unique")
        op.create_unique_constraint(new, "filesystems", columns)
        return

    def change(batch_op) -> None:  # noqa: ANN001
        batch_op.drop_constraint(old, type_="unique")
        batch_op.create_unique_constraint(new, columns)

    _rebuild_sqlite("filesystems", change)


def upgrade() -> None:
    # Plain ADD COLUMNs: batch mode would copy the tables for nothing.
    op.add_column("evidence", sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.add_column(
        "filesystems", sa.Column("ambiguous", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("filesystems", sa.Column("notes", sa.Text(), nullable=True))
    _swap_unique(
        "uq_filesystems_evidence_offset",
        "uq_filesystems_evidence_offset_type",
        ["evidence_id", "offset", "fs_type"],
    )


def downgrade() -> None:
    """Back to one file system per offset (fails while an offset holds two: remove that evidence first)."""
    _swap_unique(
        "uq_filesystems_evidence_offset_type", "uq_filesystems_evidence_offset", ["evidence_id", "offset"]
    )
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("filesystems", "notes")
        op.drop_column("filesystems", "ambiguous")
        op.drop_column("evidence", "time_zone")
        return
    _rebuild_sqlite(
        "filesystems", lambda batch_op: (batch_op.drop_column("notes"), batch_op.drop_column("ambiguous"))
    )
    _rebuild_sqlite("evidence", lambda batch_op: batch_op.drop_column("time_zone"))
