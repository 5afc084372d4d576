"""The tray's focus session: owns the timer window, drives the ring on the owl, and says
the gentle cues. The session itself lives in the journal (storage.focus), so the CLI and
the tray see the same one; every read and write runs on the app's journal-writer thread.

Wake-ups: none while no session runs. While one runs with the timer window hidden, a
single-shot timer wakes when the ring or the minutes shown would change (1 s at the
fastest, 10 s at the slowest); with the window showing its seconds, once a second. Each
wake-up looks at the wall clock, so a suspend is noticed at once on resume (a wake-up
much later than asked is one), and beats the keeper's heartbeat (app.focus_keeper): a
session whose tray crashed ends, on the next start, as interrupted at that last beat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from app.focus import (
    END,
    FIVE,
    HALF,
    OVERRUN,
    Countdown,
    FocusOutcome,
    FocusSession,
    FocusStore,
    countdown,
    due_cues,
    length_words,
    seconds_to_next_change,
    start_session,
    utc_now,
)
from app.focus_keeper import FocusKeeper, Interrupted
from app.ipc.replies import NoTrayFocus, TrayFocus

log = logging.getLogger(__name__)

MORE_MINUTES = 5
JUST_START_MINUTES = 2
CHECK_IN = "Time's up. How did it go?"
ONE_AT_A_TIME = "One step at a time: finish or stop this one first."


class FocusController(QObject):
    """`run(work, on_success, on_error)` runs `work(store)` on the journal-writer thread."""

    changed = Signal()  # a session started, changed or ended (the tray redraws)
    break_down = Signal(object)  # "Make it smaller": the step's id (or None)
    interrupted = Signal(object)  # at start: an Interrupted left by a tray that crashed
    cue = Signal(str)  # "half" | "five" | "end" | "overrun", each said once a session

    def __init__(self, run: Callable[..., None], db_path: Any, *,
                 settings: QSettings | None = None,
                 clock: Callable[[], Any] = utc_now,
                 keeper: FocusKeeper | None = None, sound: Any = None) -> None:
        super().__init__()
        self._run_on_writer = run
        self._db_path = db_path
        self._keeper = keeper  # None: no heartbeat (the tests of the window alone)
        self.sound = sound  # a ui.focus_sound.CueSound, or None: silent
        self._store: FocusStore | None = None  # made and used on the writer thread only
        self._clock = clock
        self._settings = settings
        self.session: FocusSession | None = None
        self.view: Countdown | None = None
        self._said: set[str] = set()
        self._said_for: int | None = None
        self._window: Any = None
        self.window_wanted = bool(settings.value("focus_window/shown", True, type=bool)
                                  ) if settings is not None else True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        self._wake_at: Any = None  # when the timer was asked to wake (the app's clock)
        self.last_cue_text = ""  # what the last cue said (no journal words: for status)
        self.slept_past_end = False  # its time ran out while the process or machine slept
        self.wakeups = 0  # counted for the benchmark and the tests

    # -- the store, on the writer thread -------------------------------------------------

    def _with_store(self, work: Callable[[FocusStore], Any], *,
                    on_done: Callable[[Any], None] | None = None,
                    reread_on_failure: bool = True) -> None:
        def job() -> Any:
            if self._store is None:
                self._store = FocusStore(self._db_path, clock=self._clock)
            result = work(self._store)
            self._track(result)
            return result

        def failed(exc: Exception) -> None:
            log.warning("focus: %s", exc)
            if reread_on_failure:  # a refused change: show the session as it really is
                self.refresh()  # (once: a failed read is not retried, or it would spin)

        self._run_on_writer(job, on_success=on_done or self._adopt, on_error=failed)

    def _track(self, result: Any) -> None:
        """On the writer thread: the keeper's record follows the session shown."""
        if self._keeper is None:
            return
        session = result[1] if isinstance(result, tuple) else result
        if isinstance(session, FocusSession) and session.running:
            self._keeper.keep(session, self._clock())
        elif session is None or isinstance(session, FocusSession):
            self._keeper.release()

    def close_store(self) -> None:
        """On the writer thread (the app's shutdown runs it there)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- requests ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Look at the journal again (the CLI changed the session)."""
        self._with_store(lambda store: store.running(), reread_on_failure=False)

    def recover(self) -> None:
        """At start-up: a session left by a tray that crashed ends as interrupted at its
        last sign of life (this tray holds the instance lock: that one is gone), and is
        told once (`interrupted`); one started from the CLI meanwhile is shown."""
        keeper = self._keeper

        def settle(store: FocusStore) -> tuple[Interrupted | None, FocusSession | None]:
            found = keeper.settle(store, owner_gone=True) if keeper is not None else None
            return found, store.running()

        def shown(result: tuple[Interrupted | None, FocusSession | None]) -> None:
            found, session = result
            if found is not None:
                self.interrupted.emit(found)
            self._adopt(session)

        self._with_store(settle, on_done=shown, reread_on_failure=False)

    def start(self, *, action_id: int | None = None, text: str | None = None,
              minutes: int | None = None, nudge_id: int | None = None) -> None:
        self._with_store(lambda store: start_session(
            store, action_id=action_id, text=text, minutes=minutes, nudge_id=nudge_id))

    def start_from_nudge(self, nudge_id: int) -> None:
        """The nudge's "Start 2 min": its step, for two minutes."""
        self._with_store(lambda store: start_session(
            store, minutes=JUST_START_MINUTES, nudge_id=nudge_id))

    def one_at_a_time(self) -> None:
        """Asked to start a step while one runs: its timer window comes forward and says
        why nothing new started (the running one is never ended for it)."""
        window = self.window()
        if window is not None:
            window.show()
            window.raise_()
            window.say(ONE_AT_A_TIME)

    def pause(self) -> None:
        self._with_store(lambda store: store.pause())

    def resume(self) -> None:
        self._with_store(lambda store: store.resume())

    def more_time(self, minutes: int = MORE_MINUTES) -> None:
        self._said.discard(END)
        self._with_store(lambda store: store.extend(minutes))

    def done(self) -> None:
        self._finish(FocusOutcome.DONE)

    def stop(self) -> None:
        self._finish(FocusOutcome.STOPPED)

    def make_smaller(self) -> None:
        step = self.session.action_id if self.session else None
        self._finish(FocusOutcome.STOPPED)
        self.break_down.emit(step)

    def interrupt_now(self) -> None:
        """At quit: the running session ends as interrupted, with the time it ran. Runs on
        the calling thread with its own connection (the writer thread is closing)."""
        if self.session is None:
            return
        store = FocusStore(self._db_path, clock=self._clock)
        try:
            if store.running() is not None:
                store.finish(FocusOutcome.INTERRUPTED)
            if self._keeper is not None:
                self._keeper.release()  # ended here: nothing for the next start to settle
        except Exception as exc:
            log.warning("focus: could not mark the session interrupted: %s", exc)
        finally:
            store.close()

    def _finish(self, outcome: FocusOutcome) -> None:
        # Time that ran out while the machine slept ends at its real end, not now.
        at = self.view.end if self.view is not None and self.view.over and END in self._said \
            and outcome is not FocusOutcome.DONE else None
        self._with_store(lambda store: store.finish(outcome, at=at))

    # -- the session on screen -----------------------------------------------------------

    def _adopt(self, session: FocusSession | None) -> None:
        if session is not None and not session.running:
            session = None
        if session is not None and session.id != self._said_for:
            self._said, self._said_for, self.view = set(), session.id, None
            self.last_cue_text, self.slept_past_end = "", False
        self.session = session
        if session is None:
            self._timer.stop()
            self.view = self._wake_at = None
            if self._window is not None:
                self._window.hide()
        self.changed.emit()
        if session is not None:
            self.tick()

    def _on_timer(self) -> None:
        late = 0.0
        if self._wake_at is not None:
            late = (self._clock() - self._wake_at).total_seconds()
        self.tick(late_s=late)

    def tick(self, *, late_s: float = 0.0) -> None:
        """Look at the clock: update the ring, the window and the cues; sleep until the
        next visible change. `late_s`: how much later than asked the timer woke."""
        if self.session is None:
            return
        self.wakeups += 1
        before, view = self.view, countdown(self.session, self._clock())
        self.view = view
        if self._keeper is not None:
            self._keeper.beat(view.now)
        for cue in due_cues(before, view, frozenset(self._said), late_s=late_s):
            self._said.add(cue.kind)
            self.last_cue_text = cue.text
            if cue.slept:
                self.slept_past_end = True
                log.info("focus: the session's time ran out at %s while the process or "
                         "the machine was stopped", view.end.isoformat(timespec="seconds"))
            self._cue(cue.kind, cue.text)
            self.cue.emit(cue.kind)
        window = self.window()
        if window is not None:
            window.show_countdown(view)
            if view.over and not window.isVisible():
                window.show()  # the one check-in is always seen
        self.changed.emit()
        wait = seconds_to_next_change(view)
        if window is not None and window.isVisible() and not view.paused and not view.over:
            # The window counts seconds: wake on the next whole second, once a second.
            wait = min(wait, (view.left_s % 1.0) + 0.02)
        wait_ms = max(20, round(wait * 1000))
        self._wake_at = view.now + timedelta(milliseconds=wait_ms)
        self._timer.start(wait_ms)

    def _cue(self, kind: str, text: str) -> None:
        if self.sound is not None:
            self.sound.play(kind)  # it asks the setting; never blocks
        window = self.window()
        if window is None:
            return
        if kind in (HALF, FIVE):
            window.pulse()
        elif kind == OVERRUN:
            window.say(text)
        elif kind == END:
            window.say(text)
            window.pulse()

    # -- the timer window ----------------------------------------------------------------

    def window(self) -> Any:
        """The timer window, made on first need and shown while a session runs (unless
        the user hid it)."""
        if self.session is None:
            return self._window
        if self._window is None:
            from ui.focus_window import FocusWindow

            self._window = FocusWindow(self._settings)
            self._window.pause_clicked.connect(self.pause)
            self._window.resume_clicked.connect(self.resume)
            self._window.done_clicked.connect(self.done)
            self._window.stop_clicked.connect(self.stop)
            self._window.more_clicked.connect(self.more_time)
            self._window.smaller_clicked.connect(self.make_smaller)
        if self.window_wanted and not self._window.isVisible():
            self._window.show()
        return self._window

    def set_window_wanted(self, wanted: bool) -> None:
        self.window_wanted = wanted
        if self._settings is not None:
            self._settings.setValue("focus_window/shown", wanted)
        if self._window is not None and not wanted:
            self._window.hide()
        elif wanted and self.session is not None:
            self.tick()

    def set_click_through(self, on: bool) -> None:
        window = self.window() if self.session is not None else self._window
        if window is not None:
            window.set_click_through(on)

    def notice(self) -> tuple[str, str, tuple[str, ...]] | None:
        """The persistent notification's title, words and buttons; they change only when
        the session's state does (never with the seconds), so the notification is updated
        sparingly. None: no session."""
        from ui.notifications import FOCUS_OVER, FOCUS_PAUSED, FOCUS_RUNNING

        if self.session is None or self.view is None:
            return None
        title = " ".join(self.session.title.split())
        title = f"Focus: {title if len(title) <= 80 else title[:79] + '…'}"
        view = self.view
        if view.over:
            text = (self.last_cue_text if self.slept_past_end else
                    f"Time's up ({view.end.astimezone():%H:%M}). How did it go?")
            return title, text, FOCUS_OVER
        if view.paused:
            return title, f"Paused, {view.minutes_left} min left.", FOCUS_PAUSED
        return (title, f"{length_words(self.session.planned_seconds)}, until "
                       f"{view.end.astimezone():%H:%M}.", FOCUS_RUNNING)

    def on_notification_button(self, key: str) -> None:
        """A button of the persistent notification (ui.notifications.FOCUS_*)."""
        {"pause": self.pause, "resume": self.resume, "done": self.done, "stop": self.stop,
         "more": self.more_time}.get(key, lambda: None)()

    def status(self) -> TrayFocus | NoTrayFocus:
        """The session as this tray sees it, for the socket's ping (no journal words)."""
        if self.session is None or self.view is None:
            return NoTrayFocus()
        return TrayFocus(self.session.id, round(self.view.left_s), self.view.over,
                         self.view.paused, self.view.end.isoformat(), sorted(self._said),
                         self.last_cue_text, self.slept_past_end)

    def tooltip_line(self) -> str:
        """"write the intro — 7 min left", for the tray's tooltip and menu."""
        if self.session is None or self.view is None:
            return ""
        title = self.session.title
        title = title if len(title) <= 60 else title[:59] + "…"
        if self.view.paused:
            return f"{title} — paused, {self.view.minutes_left} min left"
        if self.view.over:
            return f"{title} — time's up"
        return f"{title} — {self.view.minutes_left} min left"

