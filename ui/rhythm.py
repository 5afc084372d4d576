"""The tray's rhythm: scheduled moments (check-in, reflection, review, nudges, maintenance)
turned into calm notifications, with every answer recorded.

The scheduler runs on its own thread and reaches this module only through a queued Qt
signal. Its job runs are plain sqlite3 (`storage.job_runs.RunStore`). The work each moment
needs may call the model (a nudge's words, the nightly maintenance's summaries), so it runs
in a child process (`wise nudge --tick`, `wise nudge --respond`, `wise maintenance`),
started and awaited on the app's Background worker (ui.children.run_wise), never on the GUI
thread: the idle tray never loads litellm (nor SQLAlchemy) and stays within its memory
budget.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ui.children import run_wise

if TYPE_CHECKING:
    from ui.app import WiseApp

log = logging.getLogger(__name__)

# Generous: a nudge may be worded by the model; maintenance may summarise many days with it.
CHILD_TIMEOUT_S = {"nudge": 180.0, "maintenance": 3600.0}
INVITATIONS = {
    "checkin": ("Good morning", "What is the one thing that would make today good? "
                                "Capture it in a line."),
    "reflection": ("Your day, looked back on", "A few calm minutes: what went well, and one "
                                               "small step for tomorrow."),
    "review": ("Your goals, this week", "Which goals are alive, which can rest? A calm "
                                       "look at each one and its why."),
}


class RhythmBridge(QObject):
    """Carries scheduler events from its thread to the GUI thread."""

    # Not named `event`: that would hide QObject.event, the handler of every Qt event.
    scheduler_event = Signal(object)


class TrayRhythm(QObject):
    """Owns the scheduler and the notifier inside the tray process."""

    def __init__(self, app: WiseApp) -> None:
        super().__init__()
        self._app = app
        # The app's worker for child processes: a nudge tick or a nightly maintenance
        # (minutes, with a model) never makes a capture wait on the journal writer.
        self._jobs = app.children
        self._bridge = RhythmBridge()
        self._bridge.scheduler_event.connect(self._on_event)
        self._rhythm: Any = None
        self._snoozed: dict[int, QTimer] = {}
        self._words: dict[int, tuple[str, str]] = {}  # nudge id -> (title, text), this run
        self._goals: dict[int, int] = {}  # nudge id -> the goal of its step, this run
        from ui.notifications import Notifier

        self.notifier = Notifier(app.tray)
        self.notifier.responded.connect(self._on_response)
        self.notifier.invitation_clicked.connect(self._on_invitation)
        self.notifier.pending_changed.connect(self._refresh_tooltip)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self.notifier.start()
        # Started on the worker thread (it checks the journal first), after the tray is
        # already on screen.
        self._jobs.run(self._start_scheduler, on_success=self._started,
                                 on_error=self._failed)

    def _start_scheduler(self) -> Any:
        from app.rhythm.runs import RunStore
        from app.rhythm.scheduler import Rhythm

        self._app.ensure_journal()
        rhythm = Rhythm(RunStore(self._app.context.paths.db),
                        lambda: self._app.context.settings, self._bridge.scheduler_event.emit)
        rhythm.start()
        # Kept at once (not in the success callback): a quit while this ran must still
        # find the scheduler to stop it, and the callback needs a running event loop.
        self._rhythm = rhythm
        return rhythm

    def _started(self, _rhythm: Any) -> None:
        log.info("rhythm started")

    def _failed(self, exc: Exception) -> None:
        log.error("the schedule could not start: %s", exc)

    def reschedule(self) -> None:
        if self._rhythm is not None:
            rhythm = self._rhythm
            self._jobs.run(rhythm.reschedule, on_success=lambda _: None,
                                     on_error=self._failed)

    def stop(self) -> None:
        for timer in self._snoozed.values():
            timer.stop()
        # A scheduler still starting must be stoppable; a long child (maintenance) is not
        # waited for: it is its own process and finishes or is recorded on its own.
        self._jobs.wait(5_000)
        if self._rhythm is not None:
            self._rhythm.shutdown(wait=False)
        self.notifier.stop()

    # -- scheduled moments --------------------------------------------------------------------

    @Slot(object)
    def _on_event(self, event: Any) -> None:
        kind = event.kind
        quiet = bool(event.data.get("quiet"))
        log.info("rhythm event %s (late by %s)", kind, event.late_by)
        if kind == "nudge_tick":
            self._nudge_tick()
        elif kind in ("reflection_ready", "missed_reflection"):
            if event.data.get("already_reflected"):
                self._app.set_reflection_waiting(True)
            else:
                self._prepare_reflection(event.data.get("day"), invite=not quiet)
        elif kind in ("review_due", "missed_review") and not quiet:
            self.notifier.show_invitation("review", *INVITATIONS["review"])
        elif kind == "checkin" and not quiet:
            self.notifier.show_invitation("checkin", *INVITATIONS["checkin"])
        elif kind == "maintenance":
            self._maintenance()
        elif kind == "clock_jump" and self._app.sync is not None:
            self._app.sync.woke()  # the computer woke (or its clock was set): sync soon

    def _prepare_reflection(self, day: Any, *, invite: bool) -> None:
        """Make the day's reflection before inviting the user, so the window opens on it
        (a `wise reflect` child: the model, when one is set, or the plain one). Whether or
        not that works, the reflection waits and the user is invited: the window can make
        it again."""
        args = ["reflect"] + (["--date", day.isoformat()] if hasattr(day, "isoformat") else [])
        timeout = 120 + 3 * self._app.context.settings.get("llm.timeout")

        def ready(_outcome: Any = None) -> None:
            self._app.set_reflection_waiting(True)
            if invite:
                self.notifier.show_invitation("reflection", *INVITATIONS["reflection"])

        def failed(exc: Exception) -> None:
            log.error("the evening reflection could not be prepared: %s", exc)
            ready()

        self._jobs.run(lambda: run_wise(*args, timeout=timeout), on_success=ready,
                       on_error=failed)

    def _nudge_tick(self) -> None:
        args = ["nudge", "--tick"] + (["--busy"] if self._app.is_busy() else [])
        self._jobs.run(
            lambda: run_wise(*args, timeout=CHILD_TIMEOUT_S["nudge"]),
            on_success=self._show_nudge, on_error=self._job_failed)

    def _show_nudge(self, outcome: dict[str, Any]) -> None:
        nudge_id = outcome.get("nudge_id")
        if nudge_id is None:
            return  # the policy chose silence; `wise nudge --dry-run` says why
        title, text = str(outcome.get("title") or "Wise"), str(outcome.get("text") or "")
        self._words[int(nudge_id)] = (title, text)  # a Snooze shows these same words again
        goal_id = outcome.get("goal_id")
        if isinstance(goal_id, int):
            self._goals[int(nudge_id)] = goal_id  # opening the nudge opens its goal
        self.notifier.show_nudge(int(nudge_id), title, text)

    def _maintenance(self) -> None:
        self._jobs.run(
            lambda: run_wise("maintenance", timeout=CHILD_TIMEOUT_S["maintenance"]),
            on_success=lambda report: log.info("maintenance done: %s", report),
            on_error=self._maintenance_failed)

    def _maintenance_failed(self, exc: Exception) -> None:
        self._job_failed(exc)
        self._app.check_journal()  # its backup refuses a damaged journal, and marks it
        rhythm = self._rhythm
        if rhythm is not None:
            # Recorded so that `wise schedule` shows it; the run's time is kept.
            self._jobs.run(
                lambda: rhythm.note_outcome("nightly_maintenance", "error", str(exc)[:200]),
                on_success=lambda _: None, on_error=lambda _exc: None)

    def _job_failed(self, exc: Exception) -> None:
        log.error("a scheduled job failed: %s", exc)

    # -- the user's answers ---------------------------------------------------------------

    def _on_response(self, nudge_id: int, response: str) -> None:
        if response == "started":
            # The session records the answer itself, in the same transaction as its start.
            if self._app.focus is not None:
                self._app.focus.start_from_nudge(nudge_id)
            return
        self._jobs.run(
            lambda: run_wise("nudge", "--respond", str(nudge_id), response,
                             timeout=CHILD_TIMEOUT_S["nudge"]),
            on_success=lambda _: None, on_error=self._job_failed)
        if response == "snooze":
            self._snooze(nudge_id)
        elif response == "opened":
            # Its step's goal, with the why and the steps, in goal review; a step of no
            # goal opens quick capture, to note what comes up.
            goal_id = self._goals.get(nudge_id)
            if goal_id is not None:
                self._app.show_review(goal_id)
            else:
                self._app.show_capture()

    def _snooze(self, nudge_id: int) -> None:
        # The notifier forgets a nudge once it is answered: its words are kept here.
        title, text = self._words.get(nudge_id, ("Wise", "A small step, again"))
        timer = QTimer(self)
        timer.setSingleShot(True)
        from app.nudges.policy import SNOOZE  # the policy counts the gap from this return

        timer.setInterval(int(SNOOZE.total_seconds() * 1000))

        def again() -> None:
            self._snoozed.pop(nudge_id, None)
            self.notifier.show_nudge(nudge_id, title, text)

        timer.timeout.connect(again)
        self._snoozed[nudge_id] = timer
        timer.start()

    def _on_invitation(self, kind: str) -> None:
        if kind == "reflection":
            self._app.show_reflection()
        elif kind == "review":
            self._app.show_review()
        elif kind == "focus":
            self._app.show_reflection()  # its Today shows the time the session was given
        else:
            self._app.show_capture()

    def _refresh_tooltip(self) -> None:
        if self._app.tray is not None:
            extra = self.notifier.tooltip_text()
            base = self._app.tray.toolTip().split("\n")[0]
            self._app.tray.setToolTip(f"{base}\n{extra}" if extra else base)

    def jobs(self) -> list:
        return [] if self._rhythm is None else self._rhythm.jobs()
