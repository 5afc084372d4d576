"""The tray's rhythm: scheduled moments (check-in, reflection, review, nudges, maintenance)
turned into calm notifications, with every answer recorded.

The scheduler runs on its own thread and reaches this module only through a queued Qt
signal; the work each moment needs (the nudge policy, the nightly maintenance, a model call)
runs on the app's Background worker, never on the GUI thread.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

if TYPE_CHECKING:
    from ui.app import WiseApp

log = logging.getLogger(__name__)

SNOOZE = timedelta(minutes=15)
INVITATIONS = {
    "checkin": ("Good morning", "What is the one thing that would make today good? "
                                "Capture it in a line."),
    "reflection": ("Your day, looked back on", "A few calm minutes: what went well, and one "
                                               "small step for tomorrow."),
    "review": ("Your goals, this week", "Which goals are alive, which can rest? "
                                       "`wise goals` shows them with their whys."),
}


class RhythmBridge(QObject):
    """Carries scheduler events from its thread to the GUI thread."""

    event = Signal(object)


class TrayRhythm(QObject):
    """Owns the scheduler and the notifier inside the tray process."""

    def __init__(self, app: WiseApp) -> None:
        super().__init__()
        self._app = app
        self._bridge = RhythmBridge()
        self._bridge.event.connect(self._on_event)
        self._rhythm: Any = None
        self._journal: Any = None
        self._snoozed: dict[int, QTimer] = {}
        from ui.notifications import Notifier

        self.notifier = Notifier(app.tray)
        self.notifier.responded.connect(self._on_response)
        self.notifier.invitation_clicked.connect(self._on_invitation)
        self.notifier.pending_changed.connect(self._refresh_tooltip)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self.notifier.start()
        # The scheduler needs the ORM (its job runs are rows): opened on the worker thread,
        # after the tray is already on screen.
        self._app.background.run(self._start_scheduler, on_success=self._started,
                                 on_error=self._failed)

    def _start_scheduler(self) -> Any:
        from app.rhythm.scheduler import Rhythm

        self._app.context.prepare_storage()
        self._journal = self._app.context.open_journal()
        rhythm = Rhythm(self._journal, lambda: self._app.context.settings,
                        self._bridge.event.emit)
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
            self._app.background.run(rhythm.reschedule, on_success=lambda _: None,
                                     on_error=self._failed)

    def stop(self) -> None:
        for timer in self._snoozed.values():
            timer.stop()
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
            self._app.set_reflection_waiting(True)
            if not quiet and not event.data.get("already_reflected"):
                self.notifier.show_invitation("reflection", *INVITATIONS["reflection"])
        elif kind in ("review_due", "missed_review") and not quiet:
            self.notifier.show_invitation("review", *INVITATIONS["review"])
        elif kind == "checkin" and not quiet:
            self.notifier.show_invitation("checkin", *INVITATIONS["checkin"])
        elif kind == "maintenance":
            self._maintenance()

    def _nudge_tick(self) -> None:
        service = self._nudge_service()
        if service is None:
            return
        busy = self._app.is_busy()
        now = datetime.now().astimezone()
        self._app.background.run(lambda: service.tick(now, busy=busy),
                                 on_success=self._show_nudge, on_error=self._job_failed)

    def _show_nudge(self, outcome: Any) -> None:
        nudge_id = getattr(outcome, "nudge_id", None)
        if nudge_id is None:
            return  # the policy chose silence; `wise nudge --dry-run` says why
        self.notifier.show_nudge(nudge_id, outcome.title, outcome.text)

    def _maintenance(self) -> None:
        from app.maintenance import run_nightly

        context = self._app.context

        def work() -> Any:
            return run_nightly(context, context.open_journal())

        self._app.background.run(work, on_success=lambda report: log.info(
            "maintenance done: %s", report), on_error=self._job_failed)

    def _job_failed(self, exc: Exception) -> None:
        log.error("a scheduled job failed: %s", exc)

    # -- the user's answers ---------------------------------------------------------------

    def _on_response(self, nudge_id: int, response: str) -> None:
        service = self._nudge_service()
        if service is not None:
            now = datetime.now().astimezone()
            self._app.background.run(lambda: service.respond(nudge_id, response, now),
                                     on_success=lambda _: None, on_error=self._job_failed)
        if response == "snooze":
            self._snooze(nudge_id)
        elif response == "opened":
            self._app.show_capture()

    def _snooze(self, nudge_id: int) -> None:
        shown = {n.nudge_id: n for n in self.notifier.pending()}.get(nudge_id)
        title, text = (shown.title, shown.text) if shown else ("Wise", "A small step, again")
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(int(SNOOZE.total_seconds() * 1000))
        timer.timeout.connect(lambda: (self._snoozed.pop(nudge_id, None),
                                       self.notifier.show_nudge(nudge_id, title, text)))
        self._snoozed[nudge_id] = timer
        timer.start()

    def _on_invitation(self, kind: str) -> None:
        if kind == "reflection":
            self._app.show_reflection()
        elif kind == "review":
            self._app.show_review()
        else:
            self._app.show_capture()

    def _refresh_tooltip(self) -> None:
        if self._app.tray is not None:
            extra = self.notifier.tooltip_text()
            base = self._app.tray.toolTip().split("\n")[0]
            self._app.tray.setToolTip(f"{base}\n{extra}" if extra else base)

    def _nudge_service(self) -> Any:
        if self._journal is None:
            return None
        from app.nudges.service import NudgeService

        return NudgeService(self._app.context, self._journal)

    def jobs(self) -> list:
        return [] if self._rhythm is None else self._rhythm.jobs()
