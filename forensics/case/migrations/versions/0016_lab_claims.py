"""Claims of the lab's auto-ingest watchers: one row per evidence item a watcher took (``lab_claims``).

The unique key on ``item`` is what makes a claim atomic: of two watchers inserting a claim on the same
item, one INSERT fails. Cases before this revision have no claim.

Revision ID: 0016_lab_claims
Revises: 0015_time_zones_ambiguous_fs
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_lab_claims"
down_revision = "0015_time_zones_ambiguous_fs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lab_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", sa.String(length=40), nullable=False),
        sa.Column("takeovers", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_claims")),
        sa.UniqueConstraint("item", name="uq_lab_claims_item"),
    )


def downgrade() -> None:
    op.drop_table("lab_claims")
