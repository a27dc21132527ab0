"""Alembic environment: Kairos always hands migrations an open connection."""

from alembic import context

from kairos.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through kairos.store.Database.migrate() (kairos init)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
