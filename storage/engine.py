"""The SQLAlchemy engine and sessions for the journal, with Wise's SQLite settings: the
engine Alembic migrates with (storage/migrate.py) and the tests' Journal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from storage.db import JournalFile
from storage.sqlite import BUSY_TIMEOUT_MS, apply_pragmas

_BEGIN_OPTION = "wise_begin"


def create_journal_engine(db_path: Path) -> Engine:
    engine = create_engine(
        # Not an f-string URL: '?' or '#' in a folder's name would be read as URL syntax,
        # and the journal created somewhere else.
        URL.create("sqlite", database=str(db_path)),
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # SQLAlchemy's documented recipe: let SQLAlchemy, not pysqlite, emit BEGIN, so
        # that write transactions can take the write lock up front (BEGIN IMMEDIATE)
        # instead of failing with "database is locked" when they first write.
        dbapi_connection.isolation_level = None
        apply_pragmas(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Journal(JournalFile):
    """An open journal: one engine, and sessions for reading or for writing.

    Only the tests use it (to arrange rows and read them back through the models); Wise
    itself reads and writes with storage/db.py and storage/repo/, and storage/migrate.py
    needs only create_journal_engine, for Alembic."""

    def __init__(self, db_path: Path) -> None:
        super().__init__(db_path)
        self.engine = create_journal_engine(db_path)
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        # Readers use a deferred BEGIN, so a long read never holds the write lock.
        self._reader = sessionmaker(
            self.engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"}),
            expire_on_commit=False,
        )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on error."""
        with self._writer.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()
