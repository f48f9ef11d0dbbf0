"""Locators become chains: an item found inside another stores its own link (``files.link_json``).

Every item stored before this revision is a file-system entry (or a folder file): its locator is a
chain of one link, read from its row as before, so its ``link_json`` stays NULL.

Revision ID: 0008_locator_links
Revises: 0007_ingest_error_filesystem
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_locator_links"
down_revision = "0007_ingest_error_filesystem"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_column("link_json")
