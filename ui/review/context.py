"""What every page of the review window shares: the journal, the writer thread, today, and
a way to start `wise` children. Reads and writes both go through the one journal-writer
thread, so a read queued after a write always sees it, and the GUI thread never waits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal

from app.daytime import journal_day, local_now
from app.journal_health import StorageError

if TYPE_CHECKING:
    from app.ritual_data import RitualWriter

log = logging.getLogger(__name__)
Result = TypeVar("Result")

WriterRun = Callable[[Callable[[Any], Any], Callable[[Any], None], Callable[[Exception], None]],
                     None]


class ReviewContext(QObject):
    """Runs journal work for the pages. `changed` says the journal was written to (pages
    re-read what they show); `problem` carries a sentence for the window's status line;
    `idle` fires when no work is in flight (tests wait for it)."""

    changed = Signal(str)  # what changed: "goals", "actions", "memory"
    problem = Signal(str)
    idle = Signal()

    def __init__(self, db: Path, writer_run: WriterRun, day_start_hour: Callable[[], int],
                 wise_command: Callable[[], list[str]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = Path(db)
        self._writer_run = writer_run
        self._day_start_hour = day_start_hour
        self.wise_command = wise_command
        self.pending = 0

    @property
    def start_hour(self) -> int:
        return int(self._day_start_hour())

    def now(self) -> datetime:
        return local_now()

    def today(self) -> date:
        return journal_day(self.now(), self.start_hour)

    def model_connected(self) -> bool:
        """Whether a model is set; read afresh, as the `wise` children read it (`wise config
        set` or the Settings window may have changed it since the window opened)."""
        from app.journal import Context

        return bool(Context.from_environment().settings.get("llm.model"))

    def run(self, work: Callable[[Any], Any], on_success: Callable[[Any], None], *,
            owner: QObject, doing: str, on_error: Callable[[Exception], None] | None = None,
            ) -> None:
        """`work(writer)` on the writer thread; `on_success(result)` back on this thread,
        unless `owner` (the widget that asked) is gone by then. `doing` names the work for
        an error message ("save the goal")."""
        self.pending += 1

        def done(callback: Callable[[], None]) -> None:
            self.pending -= 1
            try:
                if shiboken6.isValid(owner):
                    callback()
            finally:
                if self.pending == 0 and shiboken6.isValid(self):
                    self.idle.emit()

        def failed(exc: Exception) -> None:
            # StorageError and ValueError carry a sentence meant for a person.
            level = (logging.INFO if isinstance(exc, ValueError | OSError | StorageError)
                     else logging.ERROR)
            log.log(level, "could not %s: %s", doing, exc)
            if on_error is not None:
                on_error(exc)
            elif shiboken6.isValid(self):
                self.problem.emit(f"Wise could not {doing}: {exc}")

        self._writer_run(work, lambda result: done(lambda: on_success(result)),
                         lambda exc: done(lambda: failed(exc)))

    def remember_outcome(self, purpose: str, variant: str | None, kept: int,
                         offered: int) -> None:
        """What the user did with a break-down's steps or a review's suggestion, for the
        prompt variant that made it (app/variant_outcomes.py), off the UI thread."""
        if not variant or offered < 1:
            return
        from app.variant_outcomes import record

        data_dir = self.db.parent  # the journal lives in the data folder
        self.run(lambda _writer: record(data_dir, purpose, variant, kept, offered),
                 lambda _result: None, owner=self, doing="remember which steps suited you")

    def write(self, change: Callable[[RitualWriter], Result], *, owner: QObject, doing: str,
              what: str, on_success: Callable[[Result], None] | None = None) -> None:
        """`change(writer)` on the writer thread (a call of one `RitualWriter` method, its
        arguments taken on this thread); then announce `changed(what)`."""

        def saved(result: Result) -> None:
            # The journal changed even when the widget that asked has gone meanwhile.
            if on_success is not None and shiboken6.isValid(owner):
                on_success(result)
            self.changed.emit(what)

        self.run(change, saved, owner=self, doing=doing)
