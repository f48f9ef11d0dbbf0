"""Hash-set findings and known-file marks.

Revision ID: 0004_findings
Revises: 0003_custody
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_findings"
down_revision = "0003_custody"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.String(length=40), nullable=False),
        sa.Column("finished_at", sa.String(length=40), nullable=True),
        sa.Column("examiner", sa.String(length=200), nullable=True),
        sa.Column("library", sa.Text(), nullable=False),
        sa.Column("sets_json", sa.Text(), nullable=False),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("findings_added", sa.Integer(), nullable=False),
        sa.Column("known_added", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_runs")),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("set_uid", sa.String(length=32), nullable=False),
        sa.Column("set_name", sa.String(length=200), nullable=False),
        sa.Column("set_version", sa.String(length=200), nullable=True),
        sa.Column("set_kind", sa.String(length=20), nullable=False),
        sa.Column("set_format", sa.String(length=40), nullable=False),
        sa.Column("set_source_name", sa.Text(), nullable=False),
        sa.Column("set_source_sha256", sa.String(length=64), nullable=False),
        sa.Column("set_region", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("entry_record_no", sa.BigInteger(), nullable=True),
        sa.Column("media_id", sa.String(length=200), nullable=True),
        sa.Column("category", sa.Integer(), nullable=True),
        sa.Column("category_label", sa.Text(), nullable=True),
        sa.Column("series", sa.Text(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("entry_json", sa.Text(), nullable=True),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("matched_hash", sa.String(length=64), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("variant", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_findings_file_id_files")),
        sa.ForeignKeyConstraint(["run_id"], ["match_runs.id"], name=op.f("fk_findings_run_id_match_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint(
            "file_id", "set_uid", "entry_id", "algorithm", name="uq_findings_file_set_entry_algorithm"
        ),
    )
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_findings_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_findings_run_id"), ["run_id"], unique=False)
    op.create_table(
        "file_known",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("set_uid", sa.String(length=32), nullable=False),
        sa.Column("set_name", sa.String(length=200), nullable=False),
        sa.Column("set_version", sa.String(length=200), nullable=True),
        sa.Column("set_source_sha256", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_file_known_file_id_files")),
        sa.ForeignKeyConstraint(["run_id"], ["match_runs.id"], name=op.f("fk_file_known_run_id_match_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_known")),
        sa.UniqueConstraint("file_id", "set_uid", name="uq_file_known_file_set"),
    )
    with op.batch_alter_table("file_known", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_known_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_known_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("file_known", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_known_run_id"))
        batch_op.drop_index(batch_op.f("ix_file_known_file_id"))
    op.drop_table("file_known")
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_findings_run_id"))
        batch_op.drop_index(batch_op.f("ix_findings_file_id"))
    op.drop_table("findings")
    op.drop_table("match_runs")
