"""On PostgreSQL, ``files`` pages are filled to 40 % when rows are added (``fillfactor``).

Every item is written twice: once pending by the enumeration, once more by the ingest's writer with its
digests and status. PostgreSQL writes an updated row as a new version; where the page has room for it
and no indexed column changed (the ingest drops the status and hash indexes while it writes), the
update stays on the page and touches no index ("HOT"). Full pages made every result cost an entry in each
of the table's indexes. The room left is what the updated rows fill: the table ends up the size it had
before. Rows already stored keep their pages; SQLite cases are unchanged.

Revision ID: 0017_files_fillfactor
Revises: 0016_lab_claims
"""

from alembic import op

revision = "0017_files_fillfactor"
down_revision = "0016_lab_claims"
branch_labels = None
depends_on = None

FILES_FILLFACTOR = 40


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE files SET (fillfactor = {FILES_FILLFACTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE files RESET (fillfactor)")
