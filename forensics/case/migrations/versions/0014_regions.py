"""Content regions of pictures with their hashes, and the region a perceptual finding matched.

Also widens ``findings.variant`` from 20 to 32 characters: the longest dihedral variant name,
``rot90_flip_horizontal``, has 21. On SQLite the column is left as it is: SQLite does not enforce a
VARCHAR's length (it stores the whole name), and changing a column's type there needs a copy of the table,
which foreign keys now refuse (``finding_video`` and other tables refer to ``findings``). Other databases
change the column in place. The new tables are plain ``create_table``: no existing table is copied.

Revision ID: 0014_regions
Revises: 0013_video
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_regions"
down_revision = "0013_video"
branch_labels = None
depends_on = None


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if not _on_sqlite():
        op.alter_column(
            "findings",
            "variant",
            existing_type=sa.String(length=20),
            type_=sa.String(length=32),
            existing_nullable=True,
        )
    op.create_table(
        "file_regions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("region_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("x", sa.Integer(), nullable=True),
        sa.Column("y", sa.Integer(), nullable=True),
        sa.Column("w", sa.Integer(), nullable=True),
        sa.Column("h", sa.Integer(), nullable=True),
        sa.Column("phash", sa.String(length=16), nullable=True),
        sa.Column("dhash", sa.String(length=16), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("pdq_dihedral", sa.LargeBinary(), nullable=True),
        sa.Column("phash_dihedral", sa.LargeBinary(), nullable=True),
        sa.Column("dhash_dihedral", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_file_regions_file_id_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_regions")),
        sa.UniqueConstraint("file_id", "region_no", name="uq_file_regions_file_region"),
    )
    op.create_index(op.f("ix_file_regions_file_id"), "file_regions", ["file_id"], unique=False)
    op.create_table(
        "finding_regions",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("region_kind", sa.String(length=10), nullable=True),
        sa.Column("x", sa.Integer(), nullable=True),
        sa.Column("y", sa.Integer(), nullable=True),
        sa.Column("w", sa.Integer(), nullable=True),
        sa.Column("h", sa.Integer(), nullable=True),
        sa.Column("list_variant", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name=op.f("fk_finding_regions_finding_id_findings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_finding_regions")),
    )
    if not _on_sqlite():  # findings are renumbered with it (hashsets/live.py)
        op.execute(
            "ALTER TABLE finding_regions ALTER CONSTRAINT fk_finding_regions_finding_id_findings "
            "DEFERRABLE INITIALLY IMMEDIATE"
        )


def downgrade() -> None:
    op.drop_table("finding_regions")
    op.drop_index(op.f("ix_file_regions_file_id"), table_name="file_regions")
    op.drop_table("file_regions")
    if not _on_sqlite():
        op.alter_column(
            "findings",
            "variant",
            existing_type=sa.String(length=32),
            type_=sa.String(length=20),
            existing_nullable=True,
        )
