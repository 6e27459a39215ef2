"""Alembic environment. Migrations run only through desktop.core.store, which passes
an open connection (already inside a transaction) in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from desktop.core.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `crosscheck upgrade PROJECT`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters most things by copying the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
