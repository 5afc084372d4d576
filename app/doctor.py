"""Health checks for `wise doctor`: paths, settings, database integrity, search, keyring."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.journal import Context
from storage.backup import list_backups
from storage.errors import JournalCorrupt, explain_sqlite_error
from storage.schema_version import HEAD_REVISION, current_revision
from storage.sqlite import BUSY_TIMEOUT_MS, fts5_available

OK, WARN, FAIL = "ok", "warning", "problem"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


def run_checks(context: Context) -> list[Check]:
    paths = context.paths
    checks = [
        Check("data folder", *_folder_state(paths.data_dir)),
        Check("settings", *_settings_state(context)),
        Check("full-text search", *((OK, "SQLite has FTS5") if fts5_available() else
                                    (FAIL, "this SQLite lacks FTS5: search cannot work"))),
    ]
    checks += _database_checks(context)
    checks.append(Check("keyring", *_keyring_state()))
    if any(c.name == "schema" and c.status == OK for c in checks):
        from app.sync.health import sync_check

        checks.append(Check("sync", *sync_check(context)))
    checks.append(Check("unsaved captures", *_rescue_state(paths.rescue_file)))
    return checks


def _folder_state(folder: Path) -> tuple[str, str]:
    if not folder.exists():
        return OK, f"{folder} (created on first capture)"
    mode = folder.stat().st_mode & 0o777
    if mode & 0o077:
        return WARN, f"{folder} can be read by other users (mode {mode:o}); chmod 700 it"
    return OK, str(folder)


def _settings_state(context: Context) -> tuple[str, str]:
    if context.settings.warnings:
        return WARN, "; ".join(context.settings.warnings)
    path = context.paths.settings_file
    return OK, f"{path}" + ("" if path.exists() else " (not created yet: all defaults)")


def _database_checks(context: Context) -> list[Check]:
    db = context.paths.db
    if not db.exists():
        return [Check("journal", OK, f"{db} does not exist yet; it is created on first use")]
    problems = []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            integrity = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
            revision = current_revision(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problem = explain_sqlite_error(exc, db)
        if not isinstance(problem, JournalCorrupt):  # e.g. no permission: not damage
            return [Check("journal", FAIL, str(problem))]
        integrity, revision = [str(exc)], None
    if integrity != ["ok"]:
        problems.append(Check("journal integrity", FAIL,
                              f"{db} is damaged: {'; '.join(integrity[:3])}. "
                              + _restore_advice(context)))
        return problems
    checks = [Check("journal integrity", OK, f"{db} passes SQLite's integrity check")]
    if revision == HEAD_REVISION:
        checks.append(Check("schema", OK, f"version {revision}"))
    else:
        checks.append(Check("schema", WARN, f"version {revision or 'none'}; this Wise expects "
                                            f"{HEAD_REVISION} (any command will migrate it "
                                            "after a backup)"))
        return checks
    checks.append(Check("search index", *_fts_state(db)))
    backups = list_backups(context.paths.backups_dir)
    checks.append(Check("backups", OK if backups else WARN,
                        f"{len(backups)} kept, newest {backups[0].path}" if backups
                        else "none yet; take one with `wise backup`"))
    return checks


def _fts_state(db: Path) -> tuple[str, str]:
    # FTS5's integrity check is spelled as an INSERT, so it needs the write lock: a writer
    # holding it is "busy, try again", not a broken index.
    conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        for table in ("entries_fts", "actions_fts"):
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return WARN, "not checked: the journal is busy; run `wise doctor` again in a moment"
        return FAIL, f"the search index is out of step with the journal ({exc})"
    except sqlite3.DatabaseError as exc:
        return FAIL, f"the search index is out of step with the journal ({exc})"
    finally:
        conn.close()
    return OK, "in step with the journal"


def _restore_advice(context: Context) -> str:
    backups = list_backups(context.paths.backups_dir)
    if not backups:
        return "No backup exists; try `sqlite3 wise.db .recover` on a copy of the file."
    newest = backups[0]
    return (f"The newest backup is {newest.path} (taken {newest.taken_at:%Y-%m-%d %H:%M}). "
            f"To restore: move {context.paths.db} away, then copy that backup to it.")


def _keyring_state() -> tuple[str, str]:
    import keyring

    from app.llm.keys import keyring_problem

    problem = keyring_problem()
    if problem:
        return WARN, problem
    backend = keyring.get_keyring()
    return OK, f"{type(backend).__module__}.{type(backend).__name__}"


def _rescue_state(rescue: Path) -> tuple[str, str]:
    if not rescue.exists():
        return OK, "none"
    count = sum(1 for line in rescue.read_text(encoding="utf-8").splitlines() if line.strip())
    return WARN, (f"{count} capture(s) could not be saved earlier and wait in {rescue}; "
                  "capture them again, then delete the file")
