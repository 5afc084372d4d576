"""Journals of every released schema, committed as SQL with every table filled
(tests/fixtures/journals/, written once by its build.py), migrate to head keeping every
row: the promise a user's years of journal rest on at each upgrade."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.backup import list_backups
from storage.migrate import MIGRATIONS_DIR, ensure_schema
from storage.schema_version import HEAD_REVISION

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "journals"
RELEASED = sorted(FIXTURES.glob("*.sql"))

# A migration that changes stored values on purpose says so here:
# (table, column) -> what a value from before the migration must have become.
# 0005: quick-capture once wrote source 'tray', a value the importer refused; it is a capture.
def _tray_is_a_capture(source: object) -> object:
    return "capture" if source == "tray" else source


CHANGED_ON_PURPOSE: dict[tuple[str, str], Callable[[object], object]] = {
    ("actions", "source"): _tray_is_a_capture,
    ("entries", "source"): _tray_is_a_capture,
}


def load(fixture: Path, db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.executescript(fixture.read_text(encoding="utf-8"))
    finally:
        conn.close()
    db.chmod(0o600)


def user_tables(conn: sqlite3.Connection) -> list[str]:
    virtual = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")}
    return sorted(name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        if name != "alembic_version" and not any(name.startswith(v) for v in virtual))


def rows_by_key(db: Path) -> dict[str, dict[tuple, dict[str, object]]]:
    """Every row of every table (search indexes aside), by primary key."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        result = {}
        for table in user_tables(conn):
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            key = [c["name"] for c in sorted(info, key=lambda c: c["pk"]) if c["pk"]]
            result[table] = {tuple(row[k] for k in key): dict(row)
                             for row in conn.execute(f"SELECT * FROM {table}")}
        return result
    finally:
        conn.close()


def test_every_released_schema_has_its_committed_journal() -> None:
    """A new revision, once another follows it, is released: run
    `python -m tests.fixtures.journals.build` and commit what it writes."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    have = [path.stem for path in RELEASED]
    assert set(have) <= set(chain), "a fixture names no revision"
    assert set(chain[:-1]) <= set(have), "a released schema has no committed journal"
    assert {"0001_initial", "0002_model_layer", "0003_rhythm", "0004_day_words"} <= set(have)


@pytest.mark.parametrize("fixture", RELEASED, ids=[path.stem for path in RELEASED])
def test_a_released_journal_migrates_to_head_keeping_every_row(fixture: Path,
                                                               tmp_path: Path) -> None:
    db = tmp_path / "wise.db"
    load(fixture, db)
    before = rows_by_key(db)
    assert before and all(before.values()), "the fixture fills every table"

    migrated = ensure_schema(db, tmp_path / "backups", keep_backups=3)

    assert migrated is (fixture.stem != HEAD_REVISION)
    after = rows_by_key(db)
    for table, rows in before.items():
        assert table in after, f"table {table} is gone"
        assert len(after[table]) >= len(rows), f"rows of {table} are gone"
        for key, row in rows.items():
            kept = after[table].get(key)
            assert kept is not None, f"{table} {key} is gone"
            expected = {column: CHANGED_ON_PURPOSE.get((table, column), lambda v: v)(value)
                        for column, value in row.items()}
            assert {column: kept[column] for column in row} == expected, (table, key)

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (HEAD_REVISION,)]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for fts in ("entries_fts", "actions_fts"):
            conn.execute(f"INSERT INTO {fts}({fts}) VALUES('integrity-check')")
        assert conn.execute("SELECT rowid FROM entries_fts WHERE entries_fts MATCH 'river'"
                            ).fetchall() == [(1,)]
        assert conn.execute("SELECT rowid FROM actions_fts WHERE actions_fts MATCH 'mum'"
                            ).fetchall() == [(1,)]
    finally:
        conn.close()

    # An upgrade keeps the journal as it was, first.
    backups = list_backups(tmp_path / "backups")
    assert len(backups) == (1 if migrated else 0)
    if migrated:
        assert rows_by_key(backups[0].path) == before


@pytest.mark.parametrize("fixture", RELEASED, ids=[path.stem for path in RELEASED])
def test_a_released_journal_exports_and_imports_back_byte_identical(fixture: Path,
                                                                    tmp_path: Path) -> None:
    """Issue 11's promise: a journal of any released schema (the oldest ones hold the
    quick-capture window's old source 'tray') migrates, exports, and imports into an
    empty journal whose export is the very same bytes: a backup that can be restored."""
    from datetime import UTC, datetime

    from storage.export_json import export_json
    from storage.import_json import import_json

    moment = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    source, target = tmp_path / "source" / "wise.db", tmp_path / "target" / "wise.db"
    source.parent.mkdir()
    target.parent.mkdir()
    load(fixture, source)
    ensure_schema(source, tmp_path / "backups", keep_backups=3)
    ensure_schema(target, tmp_path / "backups-target", keep_backups=3)

    def export(db: Path) -> bytes:
        out = io.StringIO()
        export_json(db, out, exported_at=moment, app_version="0.1.0")
        return out.getvalue().encode("utf-8")

    first = export(source)
    assert b'"source": "tray"' not in first
    import_json(target, io.BytesIO(first))

    assert export(target) == first
