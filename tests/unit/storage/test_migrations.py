"""Migrations: from an empty file, idempotent, matching the models, with a backup first.
(From each released schema, with its data: test_released_journals.py.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.backup import list_backups
from storage.engine import Journal
from storage.errors import JournalCorrupt, JournalTooNew
from storage.migrate import MIGRATIONS_DIR, ensure_schema
from storage.models import Base
from storage.schema_version import HEAD_REVISION


def test_head_constant_matches_alembic() -> None:
    assert ScriptDirectory(str(MIGRATIONS_DIR)).get_heads() == [HEAD_REVISION]


def test_creates_a_private_current_journal(tmp_path: Path) -> None:
    db = tmp_path / "data" / "wise.db"
    assert ensure_schema(db, tmp_path / "backups", keep_backups=3) is True
    assert db.stat().st_mode & 0o777 == 0o600
    assert ensure_schema(db, tmp_path / "backups", keep_backups=3) is False
    # A brand-new journal has nothing worth backing up.
    assert list_backups(tmp_path / "backups") == []


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    journal = Journal(db)
    with journal.engine.connect() as conn:
        # FTS5 tables and sync's bookkeeping (storage/sync, declared in 0008_sync) are
        # maintained by the database and the sync engine, not by the models.
        context = MigrationContext.configure(conn, opts={"include_name": lambda name, kind, _p: (
            not (name or "").count("_fts") and not (name or "").startswith("sync_"))})
        assert compare_metadata(context, Base.metadata) == []
    journal.close()


def test_pragmas_are_applied(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    journal = Journal(db)
    with journal.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 5000
    journal.close()


def test_an_older_journal_is_backed_up_then_migrated(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    conn = sqlite3.connect(db)
    # Pretend this file predates the current head; an upgrade must back it up first.
    conn.execute("UPDATE alembic_version SET version_num = 'base-for-test'")
    conn.commit()
    conn.close()
    with pytest.raises(JournalTooNew):
        ensure_schema(db, tmp_path / "backups", keep_backups=3)
    assert list_backups(tmp_path / "backups") == []  # refused before touching anything


def test_backup_is_taken_before_an_upgrade(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO tags (name) VALUES ('kept')")
    conn.commit()
    conn.close()
    # As if this code shipped a newer revision: the journal on disk is now an old one.
    monkeypatch.setattr("storage.migrate.HEAD_REVISION", "0002_next")
    assert ensure_schema(db, tmp_path / "backups", keep_backups=3) is True
    backups = list_backups(tmp_path / "backups")
    assert len(backups) == 1
    assert "before-0002_next" in backups[0].path.name
    copy = sqlite3.connect(backups[0].path)
    assert copy.execute("SELECT name FROM tags").fetchall() == [("kept",)]
    copy.close()


def test_journal_without_a_revision_is_not_guessed_at(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM alembic_version")
    conn.commit()
    conn.close()
    with pytest.raises(JournalCorrupt):
        ensure_schema(db, tmp_path / "backups", keep_backups=3)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE someone_elses (x)")
    conn.commit()
    conn.close()
    with pytest.raises(JournalCorrupt, match="not a Wise journal"):
        ensure_schema(db, tmp_path / "backups", keep_backups=3)


def test_garbage_file_is_reported_as_corrupt(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalCorrupt, match="wise doctor"):
        ensure_schema(db, tmp_path / "backups", keep_backups=3)


def _alembic(db: Path, verb: str, target: str) -> None:
    """Run an Alembic command on `db` the way storage.migrate does."""
    from alembic import command
    from alembic.config import Config

    from storage.migrate import check_foreign_keys, migration_engine

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = migration_engine(db)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, verb)(config, target)
            check_foreign_keys(connection, db)
    finally:
        engine.dispose()


def _columns(db: Path, table: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


DAY_WORDS_COLUMNS = ["id", "day", "how_it_went", "in_the_way", "mood", "energy", "created_at",
                     "updated_at"]


def test_day_words_on_a_blank_journal(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    assert _columns(db, "day_words") == DAY_WORDS_COLUMNS
    conn = sqlite3.connect(db)
    stamp = "2026-11-26 10:00:00.000000"
    conn.execute("INSERT INTO day_words (day, how_it_went, in_the_way, mood, energy, created_at, "
                 "updated_at) VALUES ('2026-11-26', 'ok', '', 3, NULL, ?, ?)", (stamp, stamp))
    for bad in ("INSERT INTO day_words (day, how_it_went, in_the_way, mood, created_at, "
                "updated_at) VALUES ('2026-11-26', '', '', NULL, 'x', 'x')",  # one row a day
                "INSERT INTO day_words (day, how_it_went, in_the_way, mood, created_at, "
                "updated_at) VALUES ('2026-11-27', '', '', 6, 'x', 'x')"):  # mood 1-5
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(bad)
    conn.close()


def test_day_words_upgrade_from_0003_and_downgrade(tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    db.touch()
    _alembic(db, "upgrade", "0003_rhythm")
    assert _columns(db, "day_words") == []
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at) "
                 "VALUES ('g1', 'family', 'Family', '', 'active', "
                 "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')")
    conn.commit()
    conn.close()
    assert ensure_schema(db, tmp_path / "backups", keep_backups=3) is True
    assert _columns(db, "day_words") == DAY_WORDS_COLUMNS
    _alembic(db, "downgrade", "0003_rhythm")
    assert _columns(db, "day_words") == []
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0003_rhythm",)
    assert conn.execute("SELECT slug FROM goals").fetchall() == [("family",)]
    conn.close()
    _alembic(db, "upgrade", "head")  # and up again
    assert _columns(db, "day_words") == DAY_WORDS_COLUMNS


# --------------------------------------------- 0005: sources, their CHECK, tag search

_STAMP = "2026-11-26 10:00:00.000000"
_AT_0004 = [  # a journal as 0004 left it, with the quick-capture window's 'tray' source
    "INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at) VALUES "
    f"('g1', 'family', 'Family time', '', 'active', '{_STAMP}', '{_STAMP}')",
    "INSERT INTO tags (name) VALUES ('phone'), ('calm')",
    "INSERT INTO actions (uid, title, goal_id, status, source, created_at, updated_at) VALUES "
    f"('a1', 'call dad about christmas', 1, 'open', 'tray', '{_STAMP}', '{_STAMP}'), "
    f"('a2', 'buy stamps', NULL, 'open', 'companion', '{_STAMP}', '{_STAMP}')",
    "INSERT INTO entries (uid, text, kind, source, created_at, updated_at) VALUES "
    f"('e1', 'a quiet evening', 'note', 'tray', '{_STAMP}', '{_STAMP}'), "
    f"('e2', 'from a script', 'note', 'cli', '{_STAMP}', '{_STAMP}')",
    "INSERT INTO action_tags (action_id, tag_id) VALUES (1, 1)",
    "INSERT INTO entry_tags (entry_id, tag_id) VALUES (1, 2)",
    "INSERT INTO nudges (created_at, action_id, goal_id, text, style, hour_bucket, reason, "
    f"source, response) VALUES ('{_STAMP}', 1, 1, 'Two minutes?', 'plain', 10, 'due', "
    "'plain', 'done')",
]


def _rows(db: Path, statement: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(statement).fetchall()
    finally:
        conn.close()


def _found(db: Path, fts: str, match: str) -> list[int]:
    return [rowid for (rowid,) in _rows(
        db, f"SELECT rowid FROM {fts} WHERE {fts} MATCH '{match}' ORDER BY rowid")]


def _journal_at_0004(tmp_path: Path) -> Path:
    db = tmp_path / "wise.db"
    db.touch()
    _alembic(db, "upgrade", "0004_day_words")
    conn = sqlite3.connect(db)
    for statement in _AT_0004:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return db


def test_0005_gives_tray_captures_their_meaning_and_keeps_every_link(tmp_path: Path) -> None:
    db = _journal_at_0004(tmp_path)
    assert ensure_schema(db, tmp_path / "backups", keep_backups=3) is True
    assert _rows(db, "SELECT uid, source FROM actions ORDER BY id") == [
        ("a1", "capture"), ("a2", "companion")]
    assert _rows(db, "SELECT uid, source FROM entries ORDER BY id") == [
        ("e1", "capture"), ("e2", "cli")]
    # The tables were copied to add the CHECK: nothing pointing at them was lost.
    assert _rows(db, "SELECT action_id, tag_id FROM action_tags") == [(1, 1)]
    assert _rows(db, "SELECT entry_id, tag_id FROM entry_tags") == [(1, 2)]
    assert _rows(db, "SELECT action_id, goal_id FROM nudges") == [(1, 1)]
    assert _rows(db, "PRAGMA foreign_key_check") == []
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]
    conn = sqlite3.connect(db)
    for fts in ("entries_fts", "actions_fts"):
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
    for table in ("actions", "entries"):  # the database now refuses an unknown source
        with pytest.raises(sqlite3.IntegrityError, match=f"ck_{table}_source"):
            conn.execute(f"UPDATE {table} SET source = 'tray' WHERE id = 1")
    conn.close()
    # Search knows tags, the goal's #tag and the goal's title.
    assert _found(db, "actions_fts", "phone") == [1]
    assert _found(db, "actions_fts", "famil*") == [1]
    assert _found(db, "actions_fts", "time") == [1]
    assert _found(db, "entries_fts", "calm") == [1]
    assert _found(db, "entries_fts", "quiet") == [1]


def test_0005_downgrades_to_the_text_only_search_and_up_again(tmp_path: Path) -> None:
    db = _journal_at_0004(tmp_path)
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    _alembic(db, "downgrade", "0004_day_words")
    assert _rows(db, "SELECT version_num FROM alembic_version") == [("0004_day_words",)]
    assert _found(db, "actions_fts", "christmas") == [1]
    assert _found(db, "actions_fts", "phone") == []  # tags are not in 0004's index
    assert _rows(db, "SELECT count(*) FROM action_tags") == [(1,)]
    assert "ck_actions_source" not in _rows(
        db, "SELECT sql FROM sqlite_master WHERE name = 'actions'")[0][0]
    _alembic(db, "upgrade", "head")
    assert _found(db, "actions_fts", "phone") == [1]
    assert _rows(db, "PRAGMA foreign_key_check") == []


def test_a_migration_that_breaks_a_reference_is_rolled_back(tmp_path: Path) -> None:
    db = _journal_at_0004(tmp_path)
    conn = sqlite3.connect(db)  # foreign keys off here: a reference to nothing slips in
    conn.execute("INSERT INTO action_tags (action_id, tag_id) VALUES (99, 1)")
    conn.commit()
    conn.close()
    with pytest.raises(JournalCorrupt, match="pointing at nothing"):
        ensure_schema(db, tmp_path / "backups", keep_backups=3)
    assert _rows(db, "SELECT version_num FROM alembic_version") == [("0004_day_words",)]
    assert _rows(db, "SELECT uid, source FROM actions ORDER BY id")[0] == ("a1", "tray")
