"""The change log cannot be bypassed: every synced table has its triggers, every column
travels, and a change made by any code path (the ORM, sqlite3, an import, a foreign-key
cascade) is logged in its own transaction; nothing is logged before sync is set up or
while another device's changes are applied."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.capture_writer import CaptureRow, write_capture
from storage.migrate import MIGRATIONS_DIR, ensure_schema
from storage.ritual_writes import RitualWriter
from storage.sync.store import SyncStore
from storage.sync.tables import BY_NAME, LOCAL_TABLES, TABLES


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "wise.db"
    ensure_schema(path, tmp_path / "backups", keep_backups=1)
    return path


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _outbox(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT tbl, cols FROM sync_outbox ORDER BY seq").fetchall()
    finally:
        conn.close()


def test_every_table_is_synced_or_named_local(db: Path) -> None:
    conn = sqlite3.connect(db)
    names = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    unexplained = {name for name in names
                   if name not in BY_NAME and name not in LOCAL_TABLES
                   and not name.startswith("sync_") and "_fts" not in name}
    assert unexplained == set(), "a new table must be synced (storage/sync/tables.py) or local"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_column_travels_and_triggers_watch_it(db: Path, table) -> None:
    conn = sqlite3.connect(db)
    columns = set(_columns(conn, table.name)) - {"id"}
    assert columns == set(table.key) | set(table.fields)
    triggers = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        (table.name,))}
    assert {f"sync_{table.name}_{s}" for s in ("ai", "au", "ad")} <= triggers


def test_the_migrations_frozen_copy_matches_the_spec() -> None:
    spec = importlib.util.spec_from_file_location(
        "m0008", MIGRATIONS_DIR / "versions" / "0008_sync.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    assert set(module._TABLES) == set(BY_NAME)
    # A later migration that changed a table's columns made its triggers again.
    later = {"goals": _frozen("0012_goal_why_ladder")._AFTER}
    for name, (_key, columns) in module._TABLES.items():
        table = BY_NAME[name]
        assert set(later.get(name, columns)) == set(table.key) | set(table.fields), name


def _frozen(revision: str):
    spec = importlib.util.spec_from_file_location(
        f"m{revision}", MIGRATIONS_DIR / "versions" / f"{revision}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nothing_is_logged_until_sync_is_set_up(db: Path) -> None:
    write_capture(db, CaptureRow("note", "before", "before", [], None, None, None, "capture"),
                  datetime.now(UTC))
    assert _outbox(db) == []


def test_every_write_path_is_logged_in_its_own_transaction(db: Path, tmp_path: Path) -> None:
    store = SyncStore(db)
    store.enable("deviceaaaaaaaaaa", "k")  # logs the one existing... none yet
    store.close()
    assert _outbox(db) == []
    write_capture(db, CaptureRow("todo", "sqlite3 path", "x #t", ["t"], None, None, None,
                                 "capture"), datetime.now(UTC))
    assert [t for t, _c in _outbox(db)] == ["actions", "tags", "action_tags"]
    RitualWriter(db).add_goal("Ritual path")

    from storage.engine import Journal
    from storage.models import Entry

    journal = Journal(db)
    with journal.write() as session:  # the ORM
        session.add(Entry(text="orm path", source="cli"))
    journal.close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("UPDATE actions SET status = 'done'")  # plain SQL
    conn.execute("DELETE FROM tags WHERE name = 't'")  # cascades to the link
    conn.commit()
    conn.execute("BEGIN")
    conn.execute("UPDATE goals SET why = 'never committed'")
    conn.rollback()  # rolled back: logged and unlogged together
    conn.close()
    logged = _outbox(db)
    assert ("goals", "*") in logged and ("entries", "*") in logged
    assert ("actions", "status,") in logged
    assert ("tags", "-") in logged
    assert ("action_tags", "-") not in logged  # said by the tag's delete
    assert not any(t == "goals" and c != "*" for t, c in logged)


def test_changes_applied_from_another_device_are_not_logged_back(db: Path) -> None:
    store = SyncStore(db)
    store.enable("deviceaaaaaaaaaa", "k")
    stats = store.apply_batch("n1", "devicebbbbbbbbbb", 1, 0, [
        {"t": "tags", "k": "remote", "h": 1 << 40, "o": "c", "f": {}}])
    assert stats.applied == 1
    assert store.state().applying is False
    store.close()
    assert _outbox(db) == []


def test_the_applying_switch_is_never_left_on(db: Path) -> None:
    store = SyncStore(db)
    store.enable("deviceaaaaaaaaaa", "k")
    with pytest.raises(KeyError):  # a malformed operation fails the whole batch...
        store.apply_batch("n1", "devicebbbbbbbbbb", 1, 0, [{"t": "tags", "o": "c"}])
    assert store.state().applying is False  # ...and the rollback takes the switch with it
    assert store.known_batches() == set()
    store.close()


def test_a_goals_why_ladder_is_logged_and_travels(db: Path, tmp_path: Path) -> None:
    """0009 made the goals' triggers again with why_ladder: a change of it alone is logged,
    and another device receives the ladder with the goal."""
    store = SyncStore(db)
    store.enable("deviceaaaaaaaaaa", "k")
    store.close()
    goal = RitualWriter(db).add_goal("Family", why="love", why_ladder=["be there", "love"])
    conn = sqlite3.connect(db)
    conn.execute("UPDATE goals SET why_ladder = '[\"be there\", \"they matter\", \"love\"]' "
                 "WHERE id = ?", (goal,))
    conn.commit()
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE goals SET why_ladder = 'not a list' WHERE id = ?", (goal,))
    conn.close()
    assert ("goals", "why_ladder,") in _outbox(db)
