"""The case's VICS category region (US, Canada, UK) on the case row.

Cases made before this revision get the one region their examiners already categorised under (when
all their categories agree), else ``US``: the workstation's GUI setting is not known to a migration,
and a case must read the same on every workstation.

Revision ID: 0006_case_region
Revises: 0005_review
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_case_region"
down_revision = "0005_review"
branch_labels = None
depends_on = None

SINGLE_REGION_IN_USE = (
    "UPDATE case_info SET category_region = (SELECT min(region) FROM review_categories) "
    "WHERE (SELECT count(DISTINCT region) FROM review_categories) = 1"
)


def upgrade() -> None:
    with op.batch_alter_table("case_info", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category_region", sa.String(length=20), server_default=sa.text("'US'"), nullable=False)
        )
    op.execute(SINGLE_REGION_IN_USE)


def downgrade() -> None:
    with op.batch_alter_table("case_info", schema=None) as batch_op:
        batch_op.drop_column("category_region")
