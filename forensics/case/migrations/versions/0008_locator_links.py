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
    # A plain ADD COLUMN: SQLite's batch mode would copy and drop ``files``, which the foreign keys of a
    # case with findings and review marks refuse.
    op.add_column("files", sa.Column("link_json", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("files", "link_json")
