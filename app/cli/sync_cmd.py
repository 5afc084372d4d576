"""`wise sync setup|now|status|log|resolve|off`: sync through a folder or WebDAV.

Secrets (the passphrase, a recovery key, the WebDAV password) come from a hidden prompt,
or from standard input when it is not a terminal (the WebDAV password first, then the
passphrase, one a line), never from the command line, where they would be in the shell
history and visible to every process. With --json a failed set-up also prints
{"error": {"problem": one of app.sync.service.SETUP_PROBLEMS, "message": ...}}.
"""

from __future__ import annotations

import getpass
import json
import sys
from argparse import Namespace
from dataclasses import dataclass

from app.cli.output import emit
from app.errors import BadInput, WiseError
from app.results import to_json


@dataclass(frozen=True)
class SetupProblem:
    problem: str  # one of app.sync.service.SETUP_PROBLEMS
    message: str


@dataclass(frozen=True)
class SetupFailed:
    """What a failed `wise sync setup --json` prints (its words go to stderr too)."""

    error: SetupProblem


@dataclass(frozen=True)
class SyncRunRow:
    """One sync of `wise sync log --json`, newest first."""

    started_at: str
    finished_at: str | None
    outcome: str
    sent: int
    received: int
    captured: int
    problems: list[str]


@dataclass(frozen=True)
class ConflictResolved:
    resolved: int  # the conflict's id
    kept: str  # "mine" or "other"


@dataclass(frozen=True)
class SyncOff:
    enabled: bool = False


def _secret(prompt: str, what: str) -> str:
    if sys.stdin is None:
        raise BadInput(f"no {what} given: pipe it on standard input or run this in a terminal")
    if sys.stdin.isatty():
        try:
            value = getpass.getpass(prompt)
        except EOFError:
            value = ""
    else:
        value = sys.stdin.readline()
    value = value.strip("\r\n")
    if not value.strip():
        raise BadInput(f"no {what} given; nothing was changed")
    return value


def _passphrase(new: bool) -> str:
    if not new:
        return _secret("Sync passphrase (typing is hidden): ", "passphrase")
    first = _secret("A new sync passphrase, for every device (typing is hidden): ",
                    "passphrase")
    if sys.stdin is not None and sys.stdin.isatty():
        again = _secret("The same passphrase again: ", "passphrase")
        if again != first:
            raise BadInput("the two passphrases differ; nothing was changed")
    return first


def run_setup(args: Namespace) -> int:
    from app.journal import Context
    from app.sync.service import setup, setup_problem

    try:
        outcome = setup(
            Context.from_environment(), folder=args.folder, webdav=args.webdav,
            user=args.user, passphrase=_passphrase,
            webdav_password=lambda: _secret(f"WebDAV password for {args.user} (hidden): ",
                                            "WebDAV password"),
            recovery=((lambda: _secret("Recovery key: ", "recovery key"))
                      if args.recovery_key else None))
    except WiseError as exc:
        if args.json:  # which part was wrong, for the Settings window (stderr says it too)
            failed = SetupFailed(SetupProblem(setup_problem(exc), str(exc)))
            print(json.dumps(to_json(failed), ensure_ascii=False))
        raise
    lines = [("Joined the sync folder" if outcome.joined else "Made a new sync folder")
             + f" at {outcome.target} as device {outcome.device}."]
    if outcome.seeded:
        lines.append(f"{outcome.seeded:,} rows of this journal will be sent at the first "
                     "sync (`wise sync now`; the tray syncs by itself).")
    if outcome.recovery_key:
        lines += ["", "Your recovery key (shown this once; write it down and keep it apart "
                  "from this computer):", "", f"    {outcome.recovery_key}", "",
                  "With it, a device joins even if the passphrase is forgotten "
                  "(`wise sync setup … --recovery-key`)."]
    emit(args, outcome, "\n".join(lines))  # its fields are the keys
    return 0


def run_now(args: Namespace) -> int:
    from app.journal import Context
    from app.sync.service import sync_now

    result = sync_now(Context.from_environment())
    words = [f"sent {result.sent_ops:,} change(s)", f"received {result.received_ops:,}"]
    if result.captured:
        words.append(f"captured {result.captured} line(s) from the inbox")
    if result.conflicts:
        words.append(f"{result.conflicts} new conflict(s): see `wise sync status`")
    text = "Synced: " + ", ".join(words) + f" ({result.seconds:.1f} s)."
    if result.problems:
        text += "\n" + "\n".join(f"  ! {problem}" for problem in result.problems)
    emit(args, result, text)
    return 0


def run_status(args: Namespace) -> int:
    from app.journal import Context
    from app.sync.status import sync_status

    status = sync_status(Context.from_environment())
    emit(args, status, status.describe())
    return 0


def run_log(args: Namespace) -> int:
    from app.journal import Context
    from storage.sync.store import SyncStore

    context = Context.from_environment()
    context.prepare_storage()
    store = SyncStore(context.paths.db)
    try:
        runs = store.runs(args.limit)
    finally:
        store.close()
    records = [SyncRunRow(started, finished, outcome, sent, received, captured,
                          json.loads(problems))
               for started, finished, outcome, sent, received, captured, problems in runs]
    lines = [f"{r.started_at[:19]}  {r.outcome:<8}  sent {r.sent:,}  received "
             f"{r.received:,}" + (f"  captured {r.captured}" if r.captured else "")
             + "".join(f"\n    ! {p}" for p in r.problems) for r in records]
    emit(args, records, "\n".join(lines) or "No sync has run yet.")
    return 0


def run_resolve(args: Namespace) -> int:
    from app.journal import Context
    from app.sync.conflicts import resolve_conflict

    context = Context.from_environment()
    context.prepare_storage()
    try:
        # The windows answer a conflict through this same function.
        conflict = resolve_conflict(context.paths.db, args.id, args.keep)
    except ValueError as exc:
        raise BadInput(f"{exc}") from None
    kept = "the other version" if args.keep == "other" else "the text as it is"
    emit(args, ConflictResolved(conflict.id, args.keep),
         f"Conflict {conflict.id} resolved: kept {kept}. Other devices follow at their next "
         "sync.")
    return 0


def run_off(args: Namespace) -> int:
    from app.journal import Context
    from app.settings.store import set_setting
    from storage.sync.store import SyncStore

    context = Context.from_environment()
    context.prepare_storage()
    store = SyncStore(context.paths.db)
    try:
        store.disable()
    finally:
        store.close()
    for name in ("sync.folder", "sync.webdav_url", "sync.webdav_user"):
        set_setting(context.paths.settings_file, name, "")
    emit(args, SyncOff(),
         "Sync is off on this device. The sync folder and the other devices are untouched; "
         "`wise sync setup` turns it on again (and sends the whole journal once more).")
    return 0
