"""`wise focus start|status|pause|resume|extend|done|stop`: a focus session from the shell.

The session lives in the journal, so the tray and the CLI always agree; after a change the
tray (if running) is told at once so its ring follows without waiting for its next look.
"""

from __future__ import annotations

import contextlib
from argparse import Namespace
from dataclasses import dataclass
from datetime import datetime

from app.cli.output import emit
from app.errors import BadInput
from app.focus import (
    ENOUGH_FOR_CALIBRATION,
    Countdown,
    calibrate,
    countdown,
    given_seconds,
    interrupted_words,
    length_words,
    start_session,
)
from app.focus_keeper import FocusKeeper, Interrupted
from app.journal import Context
from app.results import omitted_when_none
from storage.focus import JUST_START_MINUTES, FocusConflict, FocusSession, FocusStore
from storage.timeutil import utc_now
from storage.vocabulary import FocusOutcome

EXIT_NOTHING_RUNNING = 1


@dataclass(frozen=True)
class NoSession:
    """No session is running (and, when one was found ended by a crash, which)."""

    session: None = None
    interrupted: FocusSession | None = omitted_when_none()  # noqa: RUF009 (a field())
    error: str | None = omitted_when_none()  # why a change could not be made


@dataclass(frozen=True)
class EndedSession:
    session: FocusSession
    given_seconds: int


@dataclass(frozen=True)
class CalibrationRow:
    """How long done steps of one size of estimate really took."""

    estimate_from: int
    estimate_to: int
    typical_guess: int
    typical_minutes: int
    sessions: int


@dataclass(frozen=True)
class Calibration:
    calibration: list[CalibrationRow]


@dataclass(frozen=True)
class StartedFromNudge:
    """`wise nudge --respond ID started`: the nudge's answer, and the session it started."""

    nudge_id: int
    view: Countdown
    response: str = "started"
    recorded: bool = True
    action_done: bool = False
    snooze_until: datetime | None = None

    def as_dict(self) -> dict:
        return {"nudge_id": self.nudge_id, "response": self.response,
                "recorded": self.recorded, "action_done": self.action_done,
                "snooze_until": self.snooze_until, **self.view.as_dict()}


def _store() -> tuple[Context, FocusStore]:
    context, store, _found = _settled_store()
    return context, store


def _settled_store() -> tuple[Context, FocusStore, Interrupted | None]:
    """The journal's sessions, after ending one whose tray crashed (its pid is gone) as
    interrupted at the tray's last sign of life (app.focus_keeper)."""
    context = Context.from_environment()
    context.prepare_storage()
    store = FocusStore(context.paths.db)
    try:
        found = FocusKeeper(context.paths.data_dir).settle(store, owner_gone=False)
    except Exception:
        store.close()
        raise
    return context, store, found


def run_start(args: Namespace) -> int:
    target = " ".join(args.step).strip()
    context, store = _store()
    try:
        if target.isdigit():
            session = store.start(action_id=int(target), minutes=args.minutes)
        else:
            session = store.start(text=target, minutes=args.minutes)
    except (ValueError, FocusConflict) as exc:
        raise BadInput(str(exc)) from exc
    finally:
        store.close()
    _tell_tray(context)
    view = countdown(session, utc_now())
    emit(args, view,
         f"Started: {session.title}\n{length_words(session.planned_seconds)} — "
         f"ends at {view.end.astimezone():%H:%M}. Just the first two minutes count.")
    return 0


def start_from_nudge(args: Namespace, nudge_id: int) -> int:
    """`wise nudge --respond ID started`: what the nudge's "Start 2 min" does in the tray: a
    two-minute session on its step, which records the answer in the same transaction."""
    context, store = _store()
    try:
        session = start_session(store, minutes=JUST_START_MINUTES, nudge_id=nudge_id)
    except (ValueError, FocusConflict) as exc:
        raise BadInput(f"{exc} (nudge {nudge_id} was not answered)") from exc
    finally:
        store.close()
    _tell_tray(context)
    view = countdown(session, utc_now())
    emit(args, StartedFromNudge(nudge_id, view),
         f"Nudge {nudge_id}: started — {length_words(session.planned_seconds)} on "
         f"{session.title}, until {view.end.astimezone():%H:%M}.")
    return 0


def run_status(args: Namespace) -> int:
    _context, store, found = _settled_store()
    try:
        session = store.running()
    finally:
        store.close()
    if session is None and found is not None:
        _title, words = interrupted_words(found)
        emit(args, NoSession(interrupted=found.session),
             f"No focus session is running. {words}")
        return 0
    if session is None:
        emit(args, NoSession(), "No focus session is running.")
        return 0
    emit(args, countdown(session, utc_now()), _describe(session))
    return 0


def run_pause(args: Namespace) -> int:
    return _change(args, lambda store: store.pause(), "Paused")


def run_resume(args: Namespace) -> int:
    return _change(args, lambda store: store.resume(), "Resumed")


def run_extend(args: Namespace) -> int:
    return _change(args, lambda store: store.extend(args.minutes),
                   f"{args.minutes} more minutes")


def run_done(args: Namespace) -> int:
    return _change(args, lambda store: store.finish(FocusOutcome.DONE), "Done")


def run_stop(args: Namespace) -> int:
    return _change(args, _stop_here, "Stopped here")


def _stop_here(store: FocusStore):
    """Stop now; a session whose time ran out (while the computer slept, say) ends at its
    real end, as the tray's "Stop here" does."""
    session = store.running()
    view = countdown(session, utc_now()) if session is not None else None
    return store.finish(FocusOutcome.STOPPED, at=view.end if view and view.over else None)


def run_calibration(args: Namespace) -> int:
    """Per size of estimate, how long done steps really took."""
    _context, store = _store()
    try:
        found = calibrate(store.finished_with_estimates())
    finally:
        store.close()
    data = [CalibrationRow(c.low, c.high, c.typical_guess, c.typical_real, c.count)
            for c in found]
    words = ("\n".join(c.words()[:1].upper() + c.words()[1:] for c in found) if found else
             f"Not enough timed steps yet: after {ENOUGH_FOR_CALIBRATION} done steps of a "
             "size, Wise can say how long they really take.")
    emit(args, Calibration(data), words)
    return 0


def _change(args: Namespace, change, word: str) -> int:
    context, store = _store()
    try:
        session = change(store)
    except FocusConflict as exc:
        emit(args, NoSession(error=str(exc)), f"wise: {exc}")
        return EXIT_NOTHING_RUNNING
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    finally:
        store.close()
    _tell_tray(context)
    now = utc_now()
    data = countdown(session, now) if session.running else EndedSession(
        session, round(given_seconds(session, now)))
    emit(args, data, f"{word}: {_describe(session)}")
    return 0


def _describe(session: FocusSession) -> str:
    now = utc_now()
    if not session.running:
        return (f"{session.title} — {length_words(given_seconds(session, now))} given"
                + (". Ticked off." if session.outcome == FocusOutcome.DONE else "."))
    view = countdown(session, now)
    if view.paused:
        state = f"paused, {view.minutes_left} min left"
    elif view.over:
        state = f"time ran out at {view.end.astimezone():%H:%M}"
    else:
        state = f"{view.minutes_left} min left (ends at {view.end.astimezone():%H:%M})"
    return f"{session.title} — {state}"


def _tell_tray(context: Context) -> None:
    """Best effort: a tray that is not running reads the journal when it starts."""
    from app.ipc.client import TrayClient, TrayError, TrayUnavailable
    from app.ipc.protocol import socket_path

    with contextlib.suppress(TrayUnavailable, TrayError):
        TrayClient(socket_path(context.paths.data_dir), timeout=2.0).request(
            {"cmd": "focus-changed"})
