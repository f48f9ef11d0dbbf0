"""WhatsApp provenance of media: the message databases read, their media messages, the items each
message links to (and by which rule), and findings from a message's stored hash whose file is gone.

New tables only: ``files`` and ``findings`` are not touched (a message-only finding has its own table,
since ``findings.file_id`` is required and SQLite could change that only by copying the table).

Revision ID: 0012_whatsapp_provenance
Revises: 0011_case_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_whatsapp_provenance"
down_revision = "0011_case_keys"
branch_labels = None
depends_on = None

SET_COLUMNS = (
    ("set_uid", sa.String(length=32), False),
    ("set_name", sa.String(length=200), False),
    ("set_version", sa.String(length=200), True),
    ("set_kind", sa.String(length=20), False),
    ("set_format", sa.String(length=40), False),
    ("set_source_name", sa.Text(), False),
    ("set_source_sha256", sa.String(length=64), False),
    ("set_region", sa.String(length=20), False),
    ("kind", sa.String(length=20), False),
    ("entry_id", sa.BigInteger(), False),
    ("entry_record_no", sa.BigInteger(), True),
    ("media_id", sa.String(length=200), True),
    ("category", sa.Integer(), True),
    ("category_label", sa.Text(), True),
    ("series", sa.Text(), True),
    ("tags", sa.Text(), True),
    ("entry_json", sa.Text(), True),
    ("algorithm", sa.String(length=10), False),
    ("matched_hash", sa.String(length=64), False),
    ("created_at", sa.String(length=40), False),
)


def upgrade() -> None:
    op.create_table(
        "whatsapp_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("wal_file_id", sa.Integer(), nullable=True),
        sa.Column("contacts_file_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("schema", sa.String(length=40), nullable=True),
        sa.Column("media_messages", sa.Integer(), nullable=False),
        sa.Column("text_messages", sa.Integer(), nullable=False),
        sa.Column("chats", sa.Integer(), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("notes_json", sa.Text(), nullable=True),
        sa.Column("read_at", sa.String(length=40), nullable=False),
        sa.Column("read_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_whatsapp_sources_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_whatsapp_sources_file_id_files")),
        sa.ForeignKeyConstraint(
            ["wal_file_id"], ["files.id"], name=op.f("fk_whatsapp_sources_wal_file_id_files")
        ),
        sa.ForeignKeyConstraint(
            ["contacts_file_id"], ["files.id"], name=op.f("fk_whatsapp_sources_contacts_file_id_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_sources")),
    )
    op.create_index(op.f("ix_whatsapp_sources_evidence_id"), "whatsapp_sources", ["evidence_id"])
    op.create_index(op.f("ix_whatsapp_sources_file_id"), "whatsapp_sources", ["file_id"])
    op.create_table(
        "whatsapp_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("chat_jid", sa.Text(), nullable=True),
        sa.Column("chat_name", sa.Text(), nullable=True),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("sender_jid", sa.Text(), nullable=True),
        sa.Column("sender_name", sa.Text(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("timestamp_ns", sa.BigInteger(), nullable=True),
        sa.Column("forwarded", sa.Boolean(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("media_path", sa.Text(), nullable=True),
        sa.Column("media_name", sa.Text(), nullable=True),
        sa.Column("media_sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mime", sa.Text(), nullable=True),
        sa.Column("message_type", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["whatsapp_sources.id"],
            name=op.f("fk_whatsapp_messages_source_id_whatsapp_sources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_messages")),
    )
    op.create_index(op.f("ix_whatsapp_messages_source_id"), "whatsapp_messages", ["source_id"])
    op.create_index(op.f("ix_whatsapp_messages_media_sha256"), "whatsapp_messages", ["media_sha256"])
    op.create_table(
        "whatsapp_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("hash_differs", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["whatsapp_messages.id"],
            name=op.f("fk_whatsapp_links_message_id_whatsapp_messages"),
        ),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], name=op.f("fk_whatsapp_links_file_id_files")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_links")),
        sa.UniqueConstraint("message_id", "file_id", name="uq_whatsapp_links_message_file"),
    )
    op.create_index(op.f("ix_whatsapp_links_message_id"), "whatsapp_links", ["message_id"])
    op.create_index(op.f("ix_whatsapp_links_file_id"), "whatsapp_links", ["file_id"])
    op.create_table(
        "whatsapp_message_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        *(sa.Column(name, kind, nullable=nullable) for name, kind, nullable in SET_COLUMNS),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name=op.f("fk_whatsapp_message_findings_run_id_match_runs")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["whatsapp_messages.id"],
            name=op.f("fk_whatsapp_message_findings_message_id_whatsapp_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_message_findings")),
        sa.UniqueConstraint(
            "message_id", "set_uid", "entry_id", name="uq_whatsapp_message_findings_message_id"
        ),
    )
    op.create_index(op.f("ix_whatsapp_message_findings_run_id"), "whatsapp_message_findings", ["run_id"])
    op.create_index(
        op.f("ix_whatsapp_message_findings_message_id"), "whatsapp_message_findings", ["message_id"]
    )


def downgrade() -> None:
    for table in ("whatsapp_message_findings", "whatsapp_links", "whatsapp_messages", "whatsapp_sources"):
        op.drop_table(table)
