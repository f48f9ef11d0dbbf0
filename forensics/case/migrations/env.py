"""Alembic environment: migrations run from code at case open (no alembic.ini needed)."""

from alembic import context

from forensics.case.schema import metadata

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    context.run_migrations()
