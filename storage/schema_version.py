"""The schema revision this code expects, readable without importing SQLAlchemy or Alembic.

The capture path checks it with plain sqlite3 so that it stays fast; a test keeps it equal
to Alembic's head revision.
"""

from __future__ import annotations

import sqlite3

HEAD_REVISION = "0013_required_fields"


def current_revision(conn: sqlite3.Connection) -> str | None:
    """The revision recorded in the database, or None for an empty or foreign file."""
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise  # locked, unreadable...: not the same as "no revision"
    return row[0] if row else None
