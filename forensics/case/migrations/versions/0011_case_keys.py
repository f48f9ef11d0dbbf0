"""The case key, wrapped for each examiner (``case_keys``); pictures are sealed with it.

Pictures stored in the clear by earlier versions are sealed when an examiner next opens the case for
writing (it needs their key: a migration cannot do it).

Revision ID: 0011_case_keys
Revises: 0010_sealed_results
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_case_keys"
down_revision = "0010_sealed_results"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("wrapped_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_case_keys")),
    )


def downgrade() -> None:
    op.drop_table("case_keys")
