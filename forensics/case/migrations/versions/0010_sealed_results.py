"""Sealed results: the row digests kept at the last seal (``result_seal_rows``).

A case made before this revision has no seal; its first job after the upgrade seals every result.

Revision ID: 0010_sealed_results
Revises: 0009_repair_early_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_sealed_results"
down_revision = "0009_repair_early_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "result_seal_rows",
        sa.Column("tbl", sa.String(length=64), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("k1", sa.BigInteger(), nullable=False),
        sa.Column("k2", sa.BigInteger(), nullable=False),
        sa.Column("k3", sa.BigInteger(), nullable=False),
        sa.Column("leaf", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tbl", "item", "k1", "k2", "k3", name=op.f("pk_result_seal_rows")),
    )


def downgrade() -> None:
    op.drop_table("result_seal_rows")
