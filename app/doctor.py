"""Health checks for `wise doctor`: paths, settings, database integrity, stored times,
search, backups, the tray's socket folder, keyring; and the one repair it offers (stored
times)."""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from app.journal import Context
from storage.backup import list_backups, newest_sound_backup
from storage.errors import StorageError
from storage.integrity import clear_damage_mark, integrity_problems, mark_damaged
from storage.repo.health import (
    misstored_values,
    repair_misstored_values,
    schema_revision,
    search_index_state,
    upgrade_repairs,
)
from storage.schema_version import HEAD_REVISION
from storage.sqlite import fts5_available

OK, WARN, FAIL = "ok", "warning", "problem"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


@dataclass(frozen=True)
class Repaired:
    rewritten: int
    unreadable: int


@dataclass(frozen=True)
class DoctorReport:
    """`wise doctor`: every check, and what `--repair` did (None when not asked)."""

    checks: tuple[Check, ...]
    repaired: Repaired | None = None

    @property
    def healthy(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def as_dict(self) -> dict:
        data: dict = {"healthy": self.healthy, "checks": [asdict(c) for c in self.checks]}
        if self.repaired is not None:
            data["repaired"] = asdict(self.repaired)
        return data


def examine(context: Context, *, repair: bool = False) -> DoctorReport:
    """Run every check, after the one repair when asked (and there is a journal)."""
    repaired = None
    if repair and context.paths.db.exists():
        repaired = Repaired(*repair_stored_times(context))
    return DoctorReport(tuple(run_checks(context)), repaired)


def run_checks(context: Context) -> list[Check]:
    paths = context.paths
    checks = [
        Check("data folder", *_folder_state(paths.data_dir)),
        Check("settings", *_settings_state(context)),
        Check("full-text search", *((OK, "SQLite has FTS5") if fts5_available() else
                                    (FAIL, "this SQLite lacks FTS5: search cannot work"))),
    ]
    checks += _database_checks(context)
    checks.append(Check("tray socket", *_socket_state(paths.data_dir)))
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
    try:
        problems = integrity_problems(db)
    except StorageError as exc:  # e.g. no permission: not damage
        return [Check("journal", FAIL, str(exc))]
    if problems:
        mark_damaged(db, problems, found_by="doctor")  # the tray shows it too
        return [Check("journal integrity", FAIL,
                      f"{db} is damaged: {'; '.join(problems[:3])}. " + _restore_advice(context))]
    clear_damage_mark(db)
    checks = [Check("journal integrity", OK, f"{db} passes SQLite's integrity check")]
    mode = db.stat().st_mode & 0o777
    if mode & 0o077:
        checks.append(Check("journal file", WARN, f"{db} can be read by other users (mode "
                                                  f"{mode:o}); chmod 600 it"))
    revision = schema_revision(db)
    if revision == HEAD_REVISION:
        checks.append(Check("schema", OK, f"version {revision}"))
    else:
        checks.append(Check("schema", WARN, f"version {revision or 'none'}; this Wise expects "
                                            f"{HEAD_REVISION} (any command will migrate it "
                                            "after a backup)"))
        return checks
    checks.append(Check("stored times", *_stored_times_state(db)))
    checks.append(Check("values", *_repairs_state(db)))
    checks.append(Check("search index", *_fts_state(db)))
    checks.append(Check("backups", *_backups_state(context)))
    return checks


def _stored_times_state(db: Path) -> tuple[str, str]:
    found = misstored_values(db)
    if not found:
        return OK, "every stored moment and day is in the form Wise reads"
    fixable = sum(1 for value in found if value.repaired is not None)
    detail = (f"{len(found)} stored moment(s) or day(s) are not in the form Wise reads "
              f"(first: {found[0].describe()})")
    if fixable:
        detail += (f"; `wise doctor --repair` rewrites {fixable} of them, after a backup")
    if fixable < len(found):
        detail += (f"; {len(found) - fixable} cannot be read at all: fix or delete those rows "
                   "with the sqlite3 tool, on a copy first")
    return FAIL, detail


def _repairs_state(db: Path) -> tuple[str, str]:
    """Values the schema's upgrade found outside the vocabulary, and what became of them:
    said once in a while is enough, and the backup made before the upgrade kept them."""
    repairs = upgrade_repairs(db)
    if not repairs:
        return OK, "every value is one Wise knows (the database refuses any other)"
    removed = any(repair.became is None for repair in repairs)
    detail = (f"{sum(r.rows for r in repairs)} row(s) held values Wise does not know and were "
              f"repaired when the journal was upgraded: "
              + "; ".join(repair.describe() for repair in repairs))
    if removed:
        detail += "; the backup made before the upgrade still holds the removed rows"
    return (WARN if removed else OK), detail


def repair_stored_times(context: Context) -> tuple[int, int]:
    """`wise doctor --repair`: a backup, then every misstored moment and day rewritten into
    the one form. Returns (rewritten, still unreadable)."""
    from storage.backup import backup_journal

    db = context.paths.db
    if not misstored_values(db):
        return 0, 0
    backup_journal(db, context.paths.backups_dir, keep=context.settings.get("backup.keep"),
                   reason="before-repair")
    return repair_misstored_values(db)


def _fts_state(db: Path) -> tuple[str, str]:
    state = search_index_state(db)
    if state.busy:
        return WARN, "not checked: the journal is busy; run `wise doctor` again in a moment"
    if not state.in_step:
        return FAIL, f"the search index is out of step with the journal ({state.problem})"
    return OK, "in step with the journal"


def _backups_state(context: Context) -> tuple[str, str]:
    backups = list_backups(context.paths.backups_dir)
    if not backups:
        return WARN, "none yet; take one with `wise backup`"
    sound, damaged = newest_sound_backup(context.paths.backups_dir)
    if sound is None:
        return FAIL, (f"none of the {len(backups)} backups passes SQLite's integrity check; "
                      "take a new one with `wise backup`")
    detail = f"{len(backups)} kept, newest sound {sound.path}"
    if damaged:
        return WARN, detail + f"; newer but damaged: {', '.join(b.path.name for b in damaged)}"
    return OK, detail + " (passes SQLite's integrity check)"


def _restore_advice(context: Context) -> str:
    sound, damaged = newest_sound_backup(context.paths.backups_dir)
    too = "".join(f" ({b.path.name} is damaged too.)" for b in damaged)
    if sound is None:
        return (too + " No sound backup exists; try `sqlite3 wise.db .recover` on a copy of "
                "the file.").lstrip()
    return (f"The newest sound backup is {sound.path} (taken "
            f"{sound.taken_at:%Y-%m-%d %H:%M}).{too} To restore: move {context.paths.db} "
            "away (with its -wal and -shm files), then copy that backup to it.")


def _socket_state(data_dir: Path) -> tuple[str, str]:
    """The tray's socket lives in a folder only this user can enter, and is this user's."""
    from app.ipc.protocol import socket_path
    from app.ipc.trust import Untrusted, check_private_folder, check_socket_file

    path = socket_path(data_dir)
    try:
        check_private_folder(path.parent)
        if path.exists() or path.is_symlink():
            check_socket_file(path)
    except FileNotFoundError:
        return OK, f"{path.parent} (made, private, when the tray starts)"
    except Untrusted as exc:
        if _mine(path.parent) and not path.exists():
            return WARN, (f"{exc}; the tray makes it private (0700) when it starts, and "
                          "until then `wise capture` does not send text through it")
        return WARN, (f"{exc}. Wise does not trust it: the tray runs without its socket "
                      f"and `wise capture` writes to the journal directly. {exc.fix}")
    return OK, f"{path.parent} is yours alone"


def _mine(folder: Path) -> bool:
    info = os.lstat(folder)
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()


def _keyring_state() -> tuple[str, str]:
    import keyring

    from app.llm.keys import backend_name, keyring_problem

    problem = keyring_problem()
    if problem:
        return WARN, problem
    return OK, backend_name(keyring.get_keyring())


def _rescue_state(rescue: Path) -> tuple[str, str]:
    from app.capture.rescue import unsaved_files

    files = unsaved_files(rescue)
    if not files:
        return OK, "none"
    count = sum(1 for path in files
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.strip())
    where = ", ".join(str(path) for path in files)
    return WARN, (f"{count} capture(s) could not be saved earlier and wait in {where}; "
                  f"capture them again, then delete {'the file' if len(files) == 1 else 'them'}")
