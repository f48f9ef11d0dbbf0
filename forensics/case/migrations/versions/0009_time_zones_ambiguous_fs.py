"""Source time zone of each evidence item; every file system valid at an offset is its own row.

* ``evidence.time_zone``: the IANA zone of the source device (``Asia/Karachi``), null until the examiner
  sets it ("unknown"). Times a file system stores as local wall-clock time (FAT, exFAT) are shown in it.
* ``filesystems``: the unique key (evidence, offset) becomes (evidence, offset, type), so that where more
  than one file-system type is valid at one offset each is listed, flagged ``ambiguous``.
* ``filesystems.notes``: problems found at intake (a file system larger than the image, values no
  database integer can hold), as a JSON list of lines.

Rows recorded before this revision: no zone (unknown), not ambiguous, no notes.

Revision ID: 0009_time_zones_ambiguous_fs
Revises: 0007_ingest_error_filesystem
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_time_zones_ambiguous_fs"
down_revision = "0007_ingest_error_filesystem"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("filesystems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ambiguous", sa.Boolean(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch_op.drop_constraint("uq_filesystems_evidence_offset", type_="unique")
        batch_op.create_unique_constraint(
            "uq_filesystems_evidence_offset_type", ["evidence_id", "offset", "fs_type"]
        )


def downgrade() -> None:
    with op.batch_alter_table("filesystems", schema=None) as batch_op:
        batch_op.drop_constraint("uq_filesystems_evidence_offset_type", type_="unique")
        batch_op.create_unique_constraint("uq_filesystems_evidence_offset", ["evidence_id", "offset"])
        batch_op.drop_column("notes")
        batch_op.drop_column("ambiguous")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
