"""Consistent copies of the journal with SQLite's online backup API, rotated by count."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.private import private_folder
from storage.timeutil import utc_now

_PREFIX = "wise-"
_SUFFIX = ".db"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size_bytes: int
    taken_at: datetime


def backup_journal(db_path: Path, backups_dir: Path, *, keep: int, reason: str = "manual") -> Path:
    """Copy the live journal (safe while others write) and keep only the newest `keep`."""
    private_folder(backups_dir)
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"{_PREFIX}{stamp}-{reason}{_SUFFIX}"
    partial = target.with_suffix(".partial")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    os.chmod(partial, 0o600)
    # Renamed only when complete, so a crash never leaves a half backup that looks whole.
    os.replace(partial, target)
    prune_backups(backups_dir, keep=keep)
    return target


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
