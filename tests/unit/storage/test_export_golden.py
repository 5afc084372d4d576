"""The exports of fixed journals, byte for byte: the committed released journals of 0004
(with the quick-capture window's old source 'tray') and of 0012 migrated to head, and a
journal the test builders fill with every status and awkward text. The expected files in
tests/fixtures/exports/ were written by the ORM export before it moved to sqlite3, so a
change in how rows are read (a timestamp's form, a NULL, the order of records or tags)
shows here as a diff, not as a backup that quietly differs. The JSON goes back in through
`wise import`'s importer into an empty journal and comes out the same.

Rewrite the files only for a deliberate change of the format:
`.venv/bin/python -m tests.unit.storage.test_export_golden --write`.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage.engine import Journal
from storage.export_json import export_json
from storage.export_markdown import export_markdown
from storage.import_json import import_json
from storage.migrate import ensure_schema

TESTS = Path(__file__).resolve().parents[2]
JOURNALS = TESTS / "fixtures" / "journals"
EXPECTED = TESTS / "fixtures" / "exports"
EXPORTED_AT = datetime(2026, 12, 4, 18, 0, 0, 123456, tzinfo=UTC)
# The Markdown export in a zone east of UTC, so that local days and UTC days differ.
LOCAL = timezone(timedelta(hours=5, minutes=30))

# Migration 0008 gave nudges and feedback random uids; the expected files need fixed ones.
_FIXED_UIDS = ("UPDATE nudges SET uid = 'nudge-' || id",
               "UPDATE feedback SET uid = 'feedback-' || id")
# The builders make random uids for every row that has one.
_BUILDER_UIDS = tuple(f"UPDATE {table} SET uid = '{table}-' || id" for table in (
    "goals", "actions", "entries", "reflections", "nudges", "feedback", "focus_sessions"))


def _sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def released(revision: str, folder: Path) -> Path:
    """The committed journal of a released revision, migrated to head."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "wise.db"
    conn = sqlite3.connect(db)
    try:
        conn.executescript((JOURNALS / f"{revision}.sql").read_text(encoding="utf-8"))
    finally:
        conn.close()
    db.chmod(0o600)
    ensure_schema(db, folder / "backups", keep_backups=1)
    _sql(db, *_FIXED_UIDS)
    return db


def built(folder: Path) -> Path:
    """A journal the export/import tests' builders fill (every section, every status)."""
    from tests.unit.storage.test_export_import import fill_rich

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "wise.db"
    ensure_schema(db, folder / "backups", keep_backups=1)
    journal = Journal(db)
    try:
        fill_rich(journal)
    finally:
        journal.close()
    _sql(db, *_BUILDER_UIDS)
    return db


JOURNALS_UNDER_TEST = {
    "0004_day_words": lambda folder: released("0004_day_words", folder),
    "0012_goal_why_ladder": lambda folder: released("0012_goal_why_ladder", folder),
    "builders": built,
}


def json_export(db: Path) -> bytes:
    out = io.StringIO()
    export_json(db, out, exported_at=EXPORTED_AT, app_version="0.1.0")
    return out.getvalue().encode("utf-8")


def markdown_export(db: Path) -> bytes:
    out = io.StringIO()
    export_markdown(db, out, day_start_hour=4, tz=LOCAL, generated_at=EXPORTED_AT)
    return out.getvalue().encode("utf-8")


def imported(data: bytes, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "wise.db"
    ensure_schema(db, folder / "backups", keep_backups=1)
    import_json(db, io.BytesIO(data))
    return db


@pytest.mark.parametrize("name", sorted(JOURNALS_UNDER_TEST))
def test_the_json_export_is_the_expected_bytes_and_imports_back_the_same(
        name: str, tmp_path: Path) -> None:
    db = JOURNALS_UNDER_TEST[name](tmp_path / "source")
    exported = json_export(db)
    assert exported == (EXPECTED / f"{name}.json").read_bytes()
    assert json_export(imported(exported, tmp_path / "imported")) == exported


@pytest.mark.parametrize("name", sorted(JOURNALS_UNDER_TEST))
def test_the_markdown_export_is_the_expected_bytes(name: str, tmp_path: Path) -> None:
    db = JOURNALS_UNDER_TEST[name](tmp_path / "source")
    assert markdown_export(db) == (EXPECTED / f"{name}.md").read_bytes()


def test_stored_times_in_older_forms_export_as_the_codec_reads_them(tmp_path: Path) -> None:
    """Most stored times are in to_db's one form and are rewritten without a datetime;
    the forms an older Wise wrote (a year below 1000 unpadded, no microseconds) are read
    by the codec, and a day that does not exist is refused in its words, as before."""
    db = tmp_path / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=1)
    _sql(db, "INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at) "
             "VALUES ('g', 'old', 'Old', '', 'active', '226-12-01 09:30:00.000000', "
             "'2026-03-01 08:15:00')")
    goal = json.loads(json_export(db).decode().split("\n")[2])
    assert (goal["created_at"], goal["updated_at"]) == (
        "0226-12-01T09:30:00.000000+00:00", "2026-03-01T08:15:00.000000+00:00")
    _sql(db, "UPDATE goals SET updated_at = '2026-02-30 10:00:00.000000'")
    with pytest.raises(ValueError, match="not a moment as Wise stores them"):
        json_export(db)


def _write_expected() -> None:
    import tempfile

    EXPECTED.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name, make in JOURNALS_UNDER_TEST.items():
            db = make(Path(scratch) / name)
            (EXPECTED / f"{name}.json").write_bytes(json_export(db))
            (EXPECTED / f"{name}.md").write_bytes(markdown_export(db))
            shutil.rmtree(db.parent)
            print(f"wrote {EXPECTED / name}.json and .md")


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write_expected()
