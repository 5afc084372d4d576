"""Consistent copies of the journal with SQLite's online backup API, rotated by count.

A backup is only as good as what it copies: each copy passes SQLite's integrity check
before it may join the backups, and a damaged journal is never copied over them. Then
every backup is kept (none is rotated out) and the journal is marked damaged, so that the
tray, `wise backup`, the nightly maintenance and `wise doctor` all say so.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.errors import JournalCorrupt, StorageError, explain_sqlite_error
from storage.integrity import clear_damage_mark, integrity_problems, mark_damaged
from storage.private import create_private_file, private_folder
from storage.sqlite import connect_readonly
from storage.timeutil import utc_now

_PREFIX = "wise-"
_SUFFIX = ".db"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size_bytes: int
    taken_at: datetime


class JournalDamaged(JournalCorrupt):
    """The journal failed the integrity check, so no backup was taken."""


def backup_journal(db_path: Path, backups_dir: Path, *, keep: int, reason: str = "manual") -> Path:
    """Copy the live journal (safe while others write), check the copy, and keep only the
    newest `keep`. Raises JournalDamaged, keeping every backup, if the copy is not whole."""
    private_folder(backups_dir)
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"{_PREFIX}{stamp}-{reason}{_SUFFIX}"
    partial = target.with_suffix(".partial")
    try:
        create_private_file(partial)  # 0600 before a byte of the journal is in it
        problems = _copy(db_path, partial)
        if problems:
            raise _refusal(db_path, backups_dir, problems)
        # Renamed only when complete and checked: a crash never leaves a half backup that
        # looks whole, and a damaged copy never takes a backup's name.
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    clear_damage_mark(db_path)  # whole after all (say, restored from a backup)
    prune_backups(backups_dir, keep=keep)
    return target


def _copy(db_path: Path, partial: Path) -> list[str]:
    """Copy the journal into `partial`; what SQLite's integrity check finds wrong with
    the copy (a consistent snapshot: checking it holds no lock on the live journal)."""
    try:
        source = connect_readonly(db_path)
        try:
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest)
                # One self-contained file: the copy keeps no -wal or -shm beside it, and
                # reading it (the check below, `wise doctor`) creates none either.
                dest.execute("PRAGMA journal_mode=DELETE")
            finally:
                dest.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        problem = explain_sqlite_error(exc, db_path)
        if not isinstance(problem, JournalCorrupt):
            raise problem from exc
        return [str(exc)]  # too damaged to copy at all
    return integrity_problems(partial)


def _refusal(db_path: Path, backups_dir: Path, problems: list[str]) -> JournalDamaged:
    mark_damaged(db_path, problems, found_by="backup")
    kept = list_backups(backups_dir)
    where = (f"all {len(kept)} existing backups in {backups_dir} were kept" if kept
             else "there is no earlier backup")
    return JournalDamaged(
        f"the journal at {db_path} is damaged ({'; '.join(problems[:2])}), so it was NOT "
        f"backed up: {where}. Run `wise doctor` to find the newest sound backup.")


def newest_sound_backup(backups_dir: Path) -> tuple[BackupInfo | None, list[BackupInfo]]:
    """The newest backup that passes SQLite's integrity check, and the newer ones that do
    not (older versions of Wise copied damaged journals too)."""
    failed: list[BackupInfo] = []
    for backup in list_backups(backups_dir):
        try:
            problems = integrity_problems(backup.path)
        except (OSError, StorageError) as exc:  # say, no permission: not usable either
            problems = [str(exc)]
        if not problems:
            return backup, failed
        failed.append(backup)
    return None, failed


def list_backups(backups_dir: Path) -> list[BackupInfo]:
    """Backups, newest first."""
    if not backups_dir.is_dir():
        return []
    found = []
    for path in backups_dir.glob(f"{_PREFIX}*{_SUFFIX}"):
        stat = path.stat()
        found.append(BackupInfo(path, stat.st_size,
                                datetime.fromtimestamp(stat.st_mtime).astimezone()))
    # Names start with a sortable UTC stamp, which beats mtime after a copy or restore.
    return sorted(found, key=lambda b: b.path.name, reverse=True)


def prune_backups(backups_dir: Path, *, keep: int) -> None:
    for old in list_backups(backups_dir)[max(keep, 1):]:
        old.path.unlink(missing_ok=True)
