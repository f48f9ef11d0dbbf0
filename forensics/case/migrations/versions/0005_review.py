"""Examiner review: categories, tags and notes per file.

Revision ID: 0005_review
Revises: 0004_findings
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_review"
down_revision = "0004_findings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_categories",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=20), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("examiner", sa.String(length=200), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_review_categories_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_review_categories")),
    )
    with op.batch_alter_table("review_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_categories_category"), ["category"], unique=False)
    op.create_table(
        "review_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=200), nullable=False),
        sa.Column("examiner", sa.String(length=200), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_review_tags_file_id_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_tags")),
        sa.UniqueConstraint("file_id", "tag", name="uq_review_tags_file_tag"),
    )
    with op.batch_alter_table("review_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_tags_file_id"), ["file_id"], unique=False)
        batch_op.create_index("ix_review_tags_tag", ["tag"], unique=False)
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("examiner", sa.String(length=200), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_review_notes_file_id_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_notes")),
    )
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_notes_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_notes_file_id"))
    op.drop_table("review_notes")
    with op.batch_alter_table("review_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_review_tags_tag")
        batch_op.drop_index(batch_op.f("ix_review_tags_file_id"))
    op.drop_table("review_tags")
    with op.batch_alter_table("review_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_categories_category"))
    op.drop_table("review_categories")
