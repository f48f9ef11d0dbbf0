"""Custody: the signed, hash-chained, append-only custody log and its guard triggers.

Revision ID: 0003_custody
Revises: 0002_analysis
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_custody"
down_revision = "0002_analysis"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

# SQLite refuses any change to a written entry, and any insert that does not extend the chain.
TRIGGERS = {
    "custody_log_no_update": """
        CREATE TRIGGER custody_log_no_update BEFORE UPDATE ON custody_log
        BEGIN SELECT RAISE(ABORT, 'custody log is append-only: UPDATE refused'); END
    """,
    "custody_log_no_delete": """
        CREATE TRIGGER custody_log_no_delete BEFORE DELETE ON custody_log
        BEGIN SELECT RAISE(ABORT, 'custody log is append-only: DELETE refused'); END
    """,
    "custody_log_chain_insert": f"""
        CREATE TRIGGER custody_log_chain_insert BEFORE INSERT ON custody_log
        WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM custody_log)
          OR NEW.prev_hash IS NOT COALESCE(
               (SELECT entry_hash FROM custody_log ORDER BY seq DESC LIMIT 1), '{GENESIS}')
        BEGIN SELECT RAISE(ABORT, 'custody log insert does not extend the chain'); END
    """,
}


# PostgreSQL: the same guards as PL/pgSQL trigger functions. Appends are serialised by an advisory lock
# (forensics.core.sqldialect.begin_exclusive_write); the primary key on seq stops two racing inserts.
POSTGRES_TRIGGERS = {
    "custody_log_append_only": (
        """
        CREATE OR REPLACE FUNCTION custody_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'custody log is append-only: % refused', TG_OP;
        END $$
        """,
        """
        CREATE TRIGGER custody_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON custody_log
        FOR EACH STATEMENT EXECUTE FUNCTION custody_log_refuse_change()
        """,
    ),
    "custody_log_chain_insert": (
        f"""
        CREATE OR REPLACE FUNCTION custody_log_check_chain() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            last_seq integer;
            last_hash text;
        BEGIN
            SELECT seq, entry_hash INTO last_seq, last_hash FROM custody_log ORDER BY seq DESC LIMIT 1;
            IF NEW.seq IS DISTINCT FROM COALESCE(last_seq, 0) + 1
               OR NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '{GENESIS}') THEN
                RAISE EXCEPTION 'custody log insert does not extend the chain';
            END IF;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER custody_log_chain_insert BEFORE INSERT ON custody_log
        FOR EACH ROW EXECUTE FUNCTION custody_log_check_chain()
        """,
    ),
}
POSTGRES_FUNCTIONS = ("custody_log_refuse_change", "custody_log_check_chain")


def upgrade() -> None:
    op.create_table(
        "custody_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("ts", sa.String(length=40), nullable=False),
        sa.Column("examiner", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=True),
        sa.Column("target_json", sa.Text(), nullable=True),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_custody_log")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_custody_log_entry_hash")),
    )
    op.create_index("ix_custody_log_action", "custody_log", ["action"], unique=False)
    op.create_index("ix_custody_log_item", "custody_log", ["item"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for ddl in TRIGGERS.values():
            op.execute(ddl)
    elif op.get_bind().dialect.name == "postgresql":
        for function, trigger in POSTGRES_TRIGGERS.values():
            op.execute(function)
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif op.get_bind().dialect.name == "postgresql":
        for name in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON custody_log")
        for function in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_index("ix_custody_log_item", table_name="custody_log")
    op.drop_index("ix_custody_log_action", table_name="custody_log")
    op.drop_table("custody_log")
