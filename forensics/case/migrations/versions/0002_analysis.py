"""Analysis results per file (type, EXIF, perceptual hashes, thumbnails).

Revision ID: 0002_analysis
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_analysis"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_analysis",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("extension_mismatch", sa.Boolean(), nullable=True),
        sa.Column("mismatch_detail", sa.Text(), nullable=True),
        sa.Column("entropy", sa.Float(), nullable=True),
        sa.Column("image_format", sa.String(length=20), nullable=True),
        sa.Column("image_mode", sa.String(length=20), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("decode_scale", sa.Integer(), nullable=True),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("too_large", sa.Boolean(), nullable=False),
        sa.Column("phash", sa.String(length=16), nullable=True),
        sa.Column("dhash", sa.String(length=16), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("pdq_quality", sa.Integer(), nullable=True),
        sa.Column("pdq_dihedral", sa.LargeBinary(), nullable=True),
        sa.Column("too_small", sa.Boolean(), nullable=False),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.Column("low_quality", sa.Boolean(), nullable=False),
        sa.Column("warnings_json", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_file_analysis_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_file_analysis")),
    )
    with op.batch_alter_table("file_analysis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_analysis_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_file_analysis_extension_mismatch"), ["extension_mismatch"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_file_analysis_mime"), ["mime"], unique=False)

    op.create_table(
        "file_exif",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("make", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("body_serial", sa.Text(), nullable=True),
        sa.Column("software", sa.Text(), nullable=True),
        sa.Column("datetime_original", sa.String(length=40), nullable=True),
        sa.Column("offset", sa.String(length=8), nullable=True),
        sa.Column("orientation", sa.Integer(), nullable=True),
        sa.Column("gps_lat", sa.Float(), nullable=True),
        sa.Column("gps_lon", sa.Float(), nullable=True),
        sa.Column("gps_alt", sa.Float(), nullable=True),
        sa.Column("gps_time", sa.String(length=40), nullable=True),
        sa.Column("has_thumbnail", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_file_exif_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_file_exif")),
    )
    with op.batch_alter_table("file_exif", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_exif_body_serial"), ["body_serial"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_file_exif_datetime_original"), ["datetime_original"], unique=False
        )
        batch_op.create_index("ix_file_exif_gps", ["gps_lat", "gps_lon"], unique=False)
        batch_op.create_index("ix_file_exif_make_model", ["make", "model"], unique=False)

    op.create_table(
        "thumbnails",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_thumbnails_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_thumbnails")),
    )


def downgrade() -> None:
    op.drop_table("thumbnails")
    with op.batch_alter_table("file_exif", schema=None) as batch_op:
        batch_op.drop_index("ix_file_exif_make_model")
        batch_op.drop_index("ix_file_exif_gps")
        batch_op.drop_index(batch_op.f("ix_file_exif_datetime_original"))
        batch_op.drop_index(batch_op.f("ix_file_exif_body_serial"))
    op.drop_table("file_exif")
    with op.batch_alter_table("file_analysis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_analysis_mime"))
        batch_op.drop_index(batch_op.f("ix_file_analysis_extension_mismatch"))
        batch_op.drop_index(batch_op.f("ix_file_analysis_category"))
    op.drop_table("file_analysis")
