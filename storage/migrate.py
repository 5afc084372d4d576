"""Bring a journal file to the current schema: create it, or back it up and migrate it.

The fast check (is the file already current?) uses plain sqlite3; Alembic is imported only
when there is work to do, because it costs more than the whole capture path may take.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from storage.errors import (
    JournalCorrupt,
    JournalNotWritable,
    JournalTooNew,
    explain_sqlite_error,
)
from storage.private import create_private_file
from storage.schema_version import HEAD_REVISION, current_revision
from storage.sqlite import WAL_SWITCH_WAIT_S, connect_readonly

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def schema_is_current(db_path: Path) -> bool:
    if not db_path.exists():
        return False
    conn = connect_readonly(db_path)
    try:
        return current_revision(conn) == HEAD_REVISION
    except sqlite3.DatabaseError as exc:
        raise explain_sqlite_error(exc, db_path) from exc
    finally:
        conn.close()


def ensure_schema(db_path: Path, backups_dir: Path, *, keep_backups: int) -> bool:
    """Create or migrate the journal. Returns True when something was changed."""
    if schema_is_current(db_path):
        return False
    created = _create_private_file(db_path)
    revision = _revision_of(db_path)
    if revision is None and not created and _has_user_tables(db_path):
        # Another process may have created the journal between our two looks (its
        # migration commits tables and revision together): look once more.
        revision = _revision_of(db_path)
        if revision is None:
            raise JournalCorrupt(
                f"{db_path} is an SQLite file but not a Wise journal; move it away or set "
                "WISE_HOME to another folder.")
    if revision == HEAD_REVISION:
        return False  # someone else migrated it meanwhile: nothing to back up or do
    if revision is not None:
        _check_known(revision, db_path)
        from storage.backup import backup_journal

        backup_journal(db_path, backups_dir, keep=keep_backups, reason=f"before-{HEAD_REVISION}")
    elif not created:
        _make_adopted_file_private(db_path)
    upgrade_to_head(db_path)
    return True


def _make_adopted_file_private(db_path: Path) -> None:
    """An empty file that was there already (say, `wise.db` a symlink to a file made with
    `touch`) becomes the journal: it is followed, on purpose (a journal may live on
    another disk), and made 0600 like a journal Wise creates itself. SQLite gives the
    -wal and -shm files the same mode."""
    try:
        os.chmod(db_path, 0o600)
    except OSError as exc:
        raise JournalNotWritable(
            f"{db_path} is not a file Wise may make private ({exc.strerror}); move it away "
            "or set WISE_HOME to another folder.") from exc


def upgrade_to_head(db_path: Path, target: str = "head") -> None:
    """Apply migrations up to `target` (tests use an older one to build old journals)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = migration_engine(db_path)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, target)
            check_foreign_keys(connection, db_path)
    finally:
        engine.dispose()


def migration_engine(db_path: Path):
    """The journal's engine with foreign keys off, as SQLite's way of changing a table
    asks: a migration that copies a table (Alembic's batch mode) drops the old one, and
    with foreign keys on that drop would delete or unlink every row pointing at it
    (tags, nudges). check_foreign_keys() then checks them all before the commit."""
    from sqlalchemy import event

    from storage.engine import create_journal_engine

    engine = create_journal_engine(db_path)

    @event.listens_for(engine, "connect")
    def _keys_off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # outside any transaction
        # Several processes may start on a new journal at once: the others wait for the
        # first one's migration, however long a busy machine makes it, then find it done.
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(WAL_SWITCH_WAIT_S * 1000)}")

    return engine


def check_foreign_keys(connection, db_path: Path) -> None:
    """Refuse (roll back) a migration that left a row pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise JournalCorrupt(f"migrating {db_path} would leave {len(broken)} rows pointing "
                             f"at nothing (first: {tuple(broken[0])}); nothing was changed")


def _create_private_file(db_path: Path) -> bool:
    """Create an empty database file readable by the user only. True if it was new."""
    try:
        return create_private_file(db_path)
    except OSError as exc:
        raise JournalNotWritable(
            f"cannot create the journal at {db_path}: {exc.strerror}. Check that the folder "
            "is writable, or set WISE_HOME to a folder that is.") from exc


def _revision_of(db_path: Path) -> str | None:
    conn = sqlite3.connect(db_path)
    try:
        return current_revision(conn)
    except sqlite3.DatabaseError as exc:
        raise explain_sqlite_error(exc, db_path) from exc
    finally:
        conn.close()


def _has_user_tables(db_path: Path) -> bool:
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table' "
                           "AND name != 'alembic_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        raise explain_sqlite_error(exc, db_path) from exc
    finally:
        conn.close()
    return row[0] > 0


def _check_known(revision: str, db_path: Path) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise JournalTooNew(
            f"{db_path} was written by a newer version of Wise (schema {revision}); "
            "update Wise to open it. Nothing was changed.")
