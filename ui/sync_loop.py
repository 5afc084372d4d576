"""The tray's background sync: `wise sync now` in a child process, waited on by a worker
thread of its own (never the GUI thread, never the capture writer), every
`sync.interval_minutes`, a minute after a change, and soon after the computer wakes (the
rhythm's clock-jump check). One run at a time; a request while one runs makes one more
after it. The tray menu shows the last sync and any conflict waiting.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from ui.app import WiseApp

log = logging.getLogger(__name__)

AFTER_CHANGE_MS = 60_000  # changes made in a burst (typing a day's words) go in one sync
AFTER_WAKE_MS = 10_000  # the network usually needs a few seconds after a resume
SYNC_TIMEOUT_S = 1800.0  # a first sync of years of journal takes a minute or two
NOT_SET_UP = "sync is not set up on this device"  # app.sync's words for it


def menu_text(*, configured: bool, running: bool, last: datetime | None,
              conflicts: int, problem: str | None) -> str:
    """The tray menu's sync line. Clicked, it syncs now, or with conflicts waiting takes
    the user to the first (so then it says that, not "Sync now")."""
    if not configured:
        return "Sync: not set up"
    if running:
        return "Syncing…"
    if conflicts:
        head = f"{conflicts} conflict{'s' if conflicts != 1 else ''} to answer…"
        synced = "last sync"
    else:
        head, synced = "Sync now", "last"
    if problem:
        return f"{head} (last sync failed)"
    return head + (f" ({synced} {last:%H:%M})" if last is not None else "")


class TraySync(QObject):
    changed_state = Signal(str)  # the menu line
    synced = Signal()  # a sync ran: the windows show any conflict it brought

    def __init__(self, app: WiseApp, *, after_change_ms: int = AFTER_CHANGE_MS,
                 after_wake_ms: int = AFTER_WAKE_MS) -> None:
        super().__init__()
        from ui.tasks import Background

        self._app = app
        self._after_change_ms, self._after_wake_ms = after_change_ms, after_wake_ms
        self._worker = Background(threads=1)
        self._running = False
        self._again = False
        self._last: datetime | None = None
        self._conflicts = 0
        self._problem: str | None = None
        self._stopped = False
        self._interval = QTimer(self)
        self._interval.timeout.connect(self.sync_now)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.timeout.connect(self.sync_now)

    @property
    def conflicts(self) -> int:
        """The open conflicts the menu line counts."""
        return self._conflicts

    @property
    def configured(self) -> bool:
        settings = self._app.context.settings
        return bool(settings.get("sync.folder") or settings.get("sync.webdav_url"))

    def configure(self) -> None:
        """Start, restart or stop the timers after the settings changed."""
        if self._stopped:
            return
        if self.configured:
            self._interval.start(self._app.context.settings.get("sync.interval_minutes")
                                 * 60_000)
            if self._last is None and not self._running:
                self._soon.start(self._after_wake_ms)  # a first sync soon after start-up
        else:
            self._interval.stop()
            self._soon.stop()
        self._announce()

    def changed(self) -> None:
        """Something was written: sync in a minute (later changes do not postpone it)."""
        if not self._stopped and self.configured and not self._soon.isActive():
            self._soon.start(self._after_change_ms)

    def woke(self) -> None:
        if not self._stopped and self.configured:
            self._soon.start(self._after_wake_ms)

    def sync_now(self) -> None:
        if self._stopped or not self.configured:
            return
        if self._running:
            self._again = True
            return
        from ui.children import run_wise

        self._running = True
        self._announce()
        self._worker.run(lambda: run_wise("sync", "now", timeout=SYNC_TIMEOUT_S),
                         on_success=self._done, on_error=self._failed)

    def recount(self) -> None:
        """Count the open conflicts again (one was answered in a window): the menu line
        follows at once, without waiting for the next sync."""
        from app.sync.conflicts import open_conflict_count

        db = self._app.context.paths.db
        self._worker.run(lambda: open_conflict_count(db), on_success=self._counted,
                         on_error=lambda exc: log.warning("could not count conflicts: %s",
                                                          exc))

    def _counted(self, count: int) -> None:
        self._conflicts = count
        self._announce()

    def _done(self, result: dict[str, Any]) -> None:
        from app.daytime import local_now

        self._running, self._problem = False, None
        self._last = local_now()
        self._conflicts = int(result.get("open_conflicts") or 0)
        for problem in result.get("problems") or []:
            log.warning("sync: %s", problem)
        self.synced.emit()
        self._next()

    def _failed(self, exc: Exception) -> None:
        self._running, self._problem = False, str(exc)
        if NOT_SET_UP in str(exc):
            # A sync folder named in the settings but never set up (`wise sync setup`): not
            # a failure to warn about every few minutes; nothing runs until it is set up.
            log.info("sync is named in the settings but not set up on this device")
            self._interval.stop()
            self._soon.stop()
            self._again = False
        else:
            log.warning("sync failed: %s", exc)
        self._next()

    def _next(self) -> None:
        self._announce()
        if self._again and not self._stopped:
            self._again = False
            self.sync_now()

    def _announce(self) -> None:
        self.changed_state.emit(menu_text(configured=self.configured, running=self._running,
                                          last=self._last, conflicts=self._conflicts,
                                          problem=self._problem))

    def stop(self) -> None:
        """Timers off; a sync child already running finishes on its own (each of its
        batches is a transaction of its own, so stopping it would be safe too)."""
        self._stopped = True
        self._again = False
        self._interval.stop()
        self._soon.stop()
