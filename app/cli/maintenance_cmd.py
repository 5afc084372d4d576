"""`wise backup` and `wise doctor`."""

from __future__ import annotations

from argparse import Namespace

from app.cli.output import emit
from app.journal import Context

_SYMBOL = {"ok": "✓", "warning": "!", "problem": "✗"}


def run_backup(args: Namespace) -> int:
    from storage.backup import backup_journal

    context = Context.from_environment()
    context.prepare_storage()
    target = backup_journal(context.paths.db, context.paths.backups_dir,
                            keep=context.settings.get("backup.keep"))
    emit(args, {"backup": str(target)}, f"Backup written to {target}")
    return 0


def run_doctor(args: Namespace) -> int:
    from app.doctor import FAIL, run_checks

    checks = run_checks(Context.from_environment())
    lines = [f"{_SYMBOL[c.status]} {c.name}: {c.detail}" for c in checks]
    healthy = all(c.status != FAIL for c in checks)
    data = {"healthy": healthy,
            "checks": [{"name": c.name, "status": c.status, "detail": c.detail} for c in checks]}
    emit(args, data, "\n".join(lines))
    return 0 if healthy else 1
