"""Videos: container facts, vPDQ frame hashes, frame strips, the basis of video findings, copy stacks.

New tables only (``file_video``, ``video_frames``, ``video_strip``, ``finding_video``, ``video_copies``):
no existing table is touched, so every earlier case upgrades in place.

Revision ID: 0013_video
Revises: 0012_whatsapp_provenance
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_video"
down_revision = "0012_whatsapp_provenance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_video",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("container", sa.String(length=100), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("frame_rate", sa.Float(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("video_codec", sa.String(length=40), nullable=True),
        sa.Column("pixel_format", sa.String(length=40), nullable=True),
        sa.Column("audio_codecs", sa.Text(), nullable=True),
        sa.Column("declared_frames", sa.BigInteger(), nullable=True),
        sa.Column("frames_decoded", sa.Integer(), nullable=False),
        sa.Column("frames_hashed", sa.Integer(), nullable=False),
        sa.Column("bit_rate", sa.BigInteger(), nullable=True),
        sa.Column("creation_time_utc", sa.String(length=40), nullable=True),
        sa.Column("creation_time_written", sa.String(length=64), nullable=True),
        sa.Column("creation_time_tag", sa.String(length=100), nullable=True),
        sa.Column("gps_lat", sa.Float(), nullable=True),
        sa.Column("gps_lon", sa.Float(), nullable=True),
        sa.Column("gps_alt", sa.Float(), nullable=True),
        sa.Column("gps_tag", sa.String(length=100), nullable=True),
        sa.Column("hash_width", sa.Integer(), nullable=True),
        sa.Column("hash_height", sa.Integer(), nullable=True),
        sa.Column("sample_fps", sa.Float(), nullable=True),
        sa.Column("keyframes", sa.Boolean(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("warnings_json", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_file_video_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_file_video")),
    )
    op.create_index(op.f("ix_file_video_kind"), "file_video", ["kind"], unique=False)
    op.create_table(
        "video_frames",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("frame_number", sa.Integer(), nullable=False),
        sa.Column("inside_bars", sa.Boolean(), nullable=False),
        sa.Column("timestamp_s", sa.Float(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("pdq", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_video_frames_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", "frame_number", "inside_bars", name=op.f("pk_video_frames")),
    )
    op.create_table(
        "video_strip",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("frame_number", sa.Integer(), nullable=False),
        sa.Column("timestamp_s", sa.Float(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_video_strip_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", "position", name=op.f("pk_video_strip")),
    )
    op.create_table(
        "finding_video",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("view", sa.String(length=20), nullable=False),
        sa.Column("query_frames", sa.Integer(), nullable=False),
        sa.Column("query_matched", sa.Integer(), nullable=False),
        sa.Column("listed_frames", sa.Integer(), nullable=True),
        sa.Column("listed_matched", sa.Integer(), nullable=True),
        sa.Column("query_percent", sa.Float(), nullable=False),
        sa.Column("listed_percent", sa.Float(), nullable=True),
        sa.Column("listed_share", sa.Float(), nullable=True),
        sa.Column("query_share", sa.Float(), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("listed_video", sa.Text(), nullable=True),
        sa.Column("first_timestamp_s", sa.Float(), nullable=True),
        sa.Column("frames_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["findings.id"], name=op.f("fk_finding_video_finding_id_findings")
        ),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_finding_video")),
    )
    op.create_table(
        "video_copies",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_video_copies_file_id_files")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name=op.f("fk_video_copies_run_id_match_runs")
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_video_copies")),
    )
    op.create_index(op.f("ix_video_copies_group_id"), "video_copies", ["group_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # findings are renumbered with it (hashsets/live.py)
        op.execute(
            "ALTER TABLE finding_video ALTER CONSTRAINT fk_finding_video_finding_id_findings "
            "DEFERRABLE INITIALLY IMMEDIATE"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_video_copies_group_id"), table_name="video_copies")
    op.drop_table("video_copies")
    op.drop_table("finding_video")
    op.drop_table("video_strip")
    op.drop_table("video_frames")
    op.drop_index(op.f("ix_file_video_kind"), table_name="file_video")
    op.drop_table("file_video")
