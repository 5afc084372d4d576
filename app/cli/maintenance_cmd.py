"""`wise backup`, `wise doctor`, `wise maintenance` and `wise migrate`."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path

from app.cli.output import emit
from app.journal import Context

_SYMBOL = {"ok": "✓", "warning": "!", "problem": "✗"}


@dataclass(frozen=True)
class BackupWritten:
    backup: Path


@dataclass(frozen=True)
class Migrated:
    changed: bool  # False: the journal was at the schema already
    revision: str
    journal: Path


def run_backup(args: Namespace) -> int:
    from storage.backup import backup_journal

    context = Context.from_environment()
    context.prepare_storage()
    target = backup_journal(context.paths.db, context.paths.backups_dir,
                            keep=context.settings.get("backup.keep"))
    emit(args, BackupWritten(target), f"Backup written to {target}")
    return 0


def run_migrate(args: Namespace) -> int:
    """Create the journal or bring it to the current schema (a backup is taken first).
    Every command does this on its own when needed; the tray asks a child to, so that
    Alembic and SQLAlchemy never load into the long-lived tray process."""
    from storage.schema_version import HEAD_REVISION

    context = Context.from_environment()
    changed = context.prepare_storage()
    emit(args, Migrated(changed, HEAD_REVISION, context.paths.db),
         f"The journal is {'now' if changed else 'already'} at schema {HEAD_REVISION}: "
         f"{context.paths.db}")
    return 0


def run_doctor(args: Namespace) -> int:
    from app.doctor import examine

    report = examine(Context.from_environment(), repair=args.repair)
    lines = [f"{_SYMBOL[c.status]} {c.name}: {c.detail}" for c in report.checks]
    if report.repaired is not None:
        unreadable = report.repaired.unreadable
        lines.insert(0, f"Repaired: {report.repaired.rewritten} stored time(s) rewritten into "
                        "the form Wise reads" + (f"; {unreadable} could not be read at all"
                                                 if unreadable else "") + ".")
    emit(args, report, "\n".join(lines))
    return 0 if report.healthy else 1


def run_nightly_now(args: Namespace) -> int:
    """The nightly maintenance, as the tray runs it (in this separate process)."""
    from app.maintenance import run_nightly

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        report = run_nightly(context, journal)
    finally:
        journal.close()
    emit(args, report, f"Maintenance done: {report.summaries_made} summaries made "
                     f"({report.summaries_failed} in plain words), backup {report.backup}, "
                     "search index tidied.")
    return 0
