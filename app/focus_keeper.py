"""Who keeps the running focus session, and what happens when the keeper dies.

The tray that shows a session writes a small record in the data folder (`focus-owner.json`:
the session's uid and its pid) and touches it while the session runs: the file's mtime is
the tray's last sign of life (one `utime`, no data written, every 5 to 10 s).
A clean quit ends the session as interrupted itself; a crash (kill -9, a power cut) leaves
the record behind. Whoever finds a record whose tray is gone ends its session as
interrupted at that last sign of life, so the time it really ran is kept, not the hours
until the next start:

- the next tray, at start (it holds the instance lock: the earlier tray is surely gone);
- a `wise focus ...` command, when the pid in the record no longer exists (a tray that is
  merely stopped or busy still exists, and keeps its session).

The record lives in the data folder, not the runtime folder, because a power cut clears
the runtime folder and the session would then seem to run on forever. Qt-free.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storage.focus import FocusSession, FocusStore
from storage.private import write_private_atomically
from storage.vocabulary import FocusOutcome

RECORD_NAME = "focus-owner.json"
# This process's mark in the record: a pid alone may be reused (a pid namespace's tray
# is often pid 2 after every restart).
_THIS_PROCESS = secrets.token_hex(8)
# At most one beat this often. The ring wakes at least every 10 s while a session runs (once
# a second with the timer window up), so the last beat is never more than 10 s old.
HEARTBEAT_S = 5.0


@dataclass(frozen=True)
class Interrupted:
    """A session found orphaned and ended: what the next start tells the user."""

    session: FocusSession
    last_seen: datetime


class FocusKeeper:
    """The record of one data folder. The tray owns one; commands only read it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / RECORD_NAME
        self._kept_uid: str | None = None
        self._last_beat: datetime | None = None

    # -- the owner's side (the tray) ---------------------------------------------------------

    def keep(self, session: FocusSession, now: datetime) -> None:
        """This process shows `session` now (the record is written once per session, so
        call it off the GUI thread); then a beat."""
        if session.uid != self._kept_uid:
            record = {"session": session.uid, "pid": os.getpid(), "owner": _THIS_PROCESS}
            try:  # durable: a power cut must not leave the session seeming to run forever
                write_private_atomically(self.path, json.dumps(record).encode())
            except OSError:
                return  # a read-only data folder: a crash then loses only the precision
            self._kept_uid, self._last_beat = session.uid, None
        self.beat(now)

    def beat(self, now: datetime) -> None:
        """A sign of life for the kept session: one `utime`, at most every HEARTBEAT_S."""
        if self._kept_uid is None:
            return
        if self._last_beat is None or abs((now - self._last_beat).total_seconds()) >= HEARTBEAT_S:
            stamp = now.timestamp()  # the app's clock (WISE_CLOCK_SHIFT), as the journal's
            with contextlib.suppress(OSError):
                os.utime(self.path, (stamp, stamp))
                self._last_beat = now

    def release(self) -> None:
        """No session to keep any more (it ended, or the tray ended it on quit)."""
        if self._kept_uid is None and not self.path.exists():
            return
        self._kept_uid = self._last_beat = None
        with contextlib.suppress(OSError):
            self.path.unlink()

    # -- finding an orphan -------------------------------------------------------------------

    def settle(self, store: FocusStore, *, owner_gone: bool) -> Interrupted | None:
        """End the recorded session as interrupted at its keeper's last sign of life, if the
        keeper is gone (`owner_gone`: the caller knows, as a tray holding the lock does;
        else the record's pid must be gone) and the session still runs."""
        record = self._read()
        if record is None:
            return None
        uid, pid, owner, last_seen = record
        if owner == _THIS_PROCESS:
            return None  # this process's own record: it keeps the session
        if not owner_gone and not _pid_gone(pid):
            return None
        running = store.running()
        found = None
        if running is not None and running.uid == uid:
            ended = store.finish(FocusOutcome.INTERRUPTED, at=last_seen)
            found = Interrupted(ended, ended.ended_at or last_seen)
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._kept_uid = self._last_beat = None
        return found

    def _read(self) -> tuple[str, int | None, object, datetime] | None:
        try:
            seen = os.stat(self.path).st_mtime
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or not isinstance(data.get("session"), str):
            with contextlib.suppress(OSError):
                self.path.unlink()  # unreadable (a power cut mid-write): nothing to settle
            return None
        pid = data.get("pid")
        return (data["session"], pid if isinstance(pid, int) else None, data.get("owner"),
                datetime.fromtimestamp(seen, UTC))


def _pid_gone(pid: int | None) -> bool:
    """True only when the process surely no longer exists (POSIX). On Windows `os.kill`
    would end the process, so there only the next tray settles."""
    if pid is None or sys.platform == "win32":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists (another user's, after pid reuse): leave it
    return False
