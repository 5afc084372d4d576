"""Alembic environment: runs on the connection that storage.migrate hands over."""

from alembic import context

from storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that
)
with context.begin_transaction():
    context.run_migrations()
