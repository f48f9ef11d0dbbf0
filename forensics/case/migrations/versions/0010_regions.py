"""Content regions of pictures with their hashes, and the region a perceptual finding matched.

Also widens ``findings.variant`` from 20 to 32 characters: the longest dihedral variant name,
``rot90_flip_horizontal``, has 21 (SQLite stored it whole, since it does not enforce a VARCHAR's length,
but the schema must say what it holds). SQLite cannot change a column's type in place, so ``findings`` is
copied in batch mode; that copy is allowed because no table refers to ``findings`` before this revision
(``finding_regions``, the first one that does, is created after the copy).

Revision ID: 0010_regions
Revises: 0009_repair_early_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_regions"
down_revision = "0009_repair_early_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.alter_column(
            "variant", existing_type=sa.String(length=20), type_=sa.String(length=32), existing_nullable=True
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
    with op.batch_alter_table("file_regions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_regions_file_id"), ["file_id"], unique=False)
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


def downgrade() -> None:
    op.drop_table("finding_regions")
    with op.batch_alter_table("file_regions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_regions_file_id"))
    op.drop_table("file_regions")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.alter_column(
            "variant", existing_type=sa.String(length=32), type_=sa.String(length=20), existing_nullable=True
        )
