"""Problems met while listing a file system name that file system (``ingest_errors.filesystem_id``).

Rows recorded before this revision keep no file system: their message still names its byte offset.

Revision ID: 0007_ingest_error_filesystem
Revises: 0006_case_region
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_ingest_error_filesystem"
down_revision = "0006_case_region"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_errors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("filesystem_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_ingest_errors_filesystem_id_filesystems"), "filesystems", ["filesystem_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("ingest_errors", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_ingest_errors_filesystem_id_filesystems"), type_="foreignkey")
        batch_op.drop_column("filesystem_id")
