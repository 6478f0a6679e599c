"""Alembic environment: runs on the connection ``init_db`` hands over (never from a URL
in an ini file), so migrations use exactly the engine settings the server uses."""

from __future__ import annotations

from alembic import context

from server.persistence.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through server.persistence.init_db(url)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
)
with context.begin_transaction():
    context.run_migrations()
