"""The tray process: one QApplication, the quick-capture window kept ready, the local socket,
the global hotkey, and the tray icon (or a small window where there is no tray).

Start-up imports only what showing the tray and saving a capture need: the sqlite3 capture
path, not SQLAlchemy; never litellm.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__
from app.capture.ack import CaptureAck
from app.desktop import APP_ID
from app.errors import BadInput
from app.ipc.client import TrayClient
from app.ipc.protocol import socket_path
from app.ipc.replies import NoTrayFocus, Pong, Quitting, Seen, Shown, not_saved, ok
from app.journal import Context
from app.paths import home_label, resolve_paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.capture_window import CaptureWindow

log = logging.getLogger(__name__)

FINISH_START_DELAY_MS = 150



def run_tray(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="wise tray", description="Start the Wise tray app.")
    parser.add_argument("--show-capture", action="store_true",
                        help="open the quick-capture window once started")
    parser.add_argument("--open", choices=("capture", "reflection", "review", "welcome"),
                        default="",
                        help="open this window once started (wise open WINDOW)")
    options = parser.parse_args(list(argv))
    os.umask(0o077)  # everything the tray writes is for the user's eyes only
    from app.daytime import ClockShiftInvalid, shift

    try:
        clock_shift = shift()
    except ClockShiftInvalid as exc:
        print(f"wise: {exc}", file=sys.stderr)
        return 2

    paths = resolve_paths()
    sock = socket_path(paths.data_dir)
    # One instance per user and WISE_HOME, decided by a lock held for the tray's life
    # (before this process pays for Qt): a running tray is brought forward instead.
    from app.ipc.instance import AlreadyRunning, acquire_tray_lock

    try:
        lock = acquire_tray_lock(paths.data_dir)
    except AlreadyRunning as running:
        return _bring_forward_running(sock, running.pid, options.open or "capture")
    except OSError as exc:
        lock = None
        print(f"wise: warning: no place for the tray's lock ({exc}); another tray started "
              "at the same moment would not be noticed", file=sys.stderr)

    if _no_display():
        print("wise: no graphical display was found, so the tray app cannot start here.\n"
              "Everything else works from the command line, e.g. wise capture \"...\", "
              "wise today (see wise --help).", file=sys.stderr)
        return 1

    log_path = _start_logging(paths.logs_dir)
    if clock_shift:
        log.info("Wise's clock is shifted by %s (WISE_CLOCK_SHIFT)", clock_shift)
    qapp = make_qapplication()

    from ui.ipc_server import AnotherInstance

    wise = WiseApp(Context.from_environment(), log_path=log_path)
    qapp.setApplicationDisplayName(wise.name)  # a second home's windows say which it is
    try:
        wise.start(show_capture=options.show_capture, open_window=options.open)
    except AnotherInstance:
        # A tray from before the lock answers on our socket: defer to it.
        return _bring_forward_running(sock, None, options.open or "capture")
    log.info("Wise %s started (pid %d, socket %s)", __version__, os.getpid(), sock)
    code = qapp.exec()
    wise.shutdown()
    if lock is not None:
        lock.release()
    return code


def make_qapplication() -> QApplication:
    """The tray's QApplication: named Wise, alive with every window hidden, and dialog
    buttons in the platform's style without stock icons."""
    from PySide6.QtWidgets import QApplication

    from ui.plain_style import use_plain_dialog_buttons

    existing = QApplication.instance()
    qapp = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    qapp.setApplicationName("Wise")
    qapp.setApplicationDisplayName("Wise")
    qapp.setDesktopFileName(APP_ID)  # Wayland matches windows to the menu entry by it
    qapp.setQuitOnLastWindowClosed(False)  # a tray app lives on with every window hidden
    use_plain_dialog_buttons(qapp)
    return qapp


def _bring_forward_running(sock: Path, pid: int | None, window: str) -> int:
    """Another tray runs: open its quick capture (or the `window` asked for). It may be
    starting this very moment (its lock taken, its socket not listening yet), so it is
    given a few seconds."""
    from app.ipc.client import TrayError, TrayUnavailable, UntrustedTray

    client = TrayClient(sock, timeout=2.0)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        try:
            client.request({"cmd": f"show-{window}"})
        except UntrustedTray:
            break  # not ours to talk to (the running tray has no socket there)
        except (TrayUnavailable, TrayError):
            time.sleep(0.1)
            continue
        print("Wise is already running; its quick-capture window is open." if window ==
              "capture" else f"Wise is already running; its {window} window is open.")
        return 0
    print(f"Wise is already running (pid {pid or 'unknown'}).")
    return 0


def _start_logging(logs_dir: Path) -> str:
    """The log file's path; where it cannot be written (a read-only data folder), records
    go to standard error and the tray starts all the same."""
    from app.logs import configure_logging

    try:
        return str(configure_logging(logs_dir))
    except OSError as exc:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
        log.warning("cannot write the log in %s (%s); logging to standard error", logs_dir,
                    exc)
        return "standard error (the log folder cannot be written)"


def _no_display() -> bool:
    """On Linux and the BSDs, Qt aborts the process when no display exists; say so first."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class WiseApp:
    """Owns the tray's parts and connects them. Widgets are created here and nowhere else."""

    def __init__(self, context: Context, *, log_path: str) -> None:
        from app.capture.store import CaptureWriter
        from app.drafts import DraftStore
        from ui.crash import CrashHandler
        from ui.hotkey import GlobalHotkey
        from ui.ipc_server import IpcServer
        from ui.tasks import Background

        self.context = context
        # A home other than the usual one is named wherever Wise shows itself, so two trays
        # for two data folders can be told apart: "Wise (~/wise-work)".
        self.home = home_label(context.paths)
        self.name = f"Wise ({self.home})" if self.home else "Wise"
        self.background = Background(threads=1)  # one writer: captures keep their order
        # Waits on `wise` child processes (reflection, nudges, maintenance): apart, so that
        # a slow model call never holds up a capture.
        self.children = Background(threads=1)
        # The journal's integrity checks: apart from both, so that reading the whole file
        # never holds up a capture or waits behind a long child.
        self.health = Background(threads=1)
        # The welcome's and Settings' model set-up (loopback, the keyring, `wise llm test`,
        # an import): apart, so that a long ritual child never holds up a click there.
        self.setup_work = Background(threads=2)
        self._health_check_running = False
        self.health_checks_done = 0
        self._damage: Any = None  # the journal's damage mark, once one is found
        self._damage_told = False  # the notice is shown once a run; the menu item stays
        # Used only on that one worker thread; its connection stays open between captures.
        self.writer = CaptureWriter(context.paths.db)
        self.drafts = DraftStore(context.paths.data_dir / "draft.txt")
        self._capture_window: CaptureWindow | None = None  # built just after the tray shows
        self.ipc = IpcServer(socket_path(context.paths.data_dir), self.handle_request)
        self.hotkey = GlobalHotkey()
        self.hotkey.activated.connect(self.show_capture)
        self.hotkey.activated.connect(self._hotkey_seen_by_welcome)
        self.crash = CrashHandler(self.quit, log_path)
        self.tray: Any = None
        self.fallback: Any = None
        self.rhythm: Any = None  # the scheduler and notifications, started after the icon
        self.sync: Any = None  # background sync (ui/sync_loop.py), started after the icon
        self._reflection_waiting = False
        self._finish_timer: Any = None
        self._opener: Any = None  # a FolderOpener, made when first used
        self._settings_watcher: Any = None  # settings.toml changed by `wise config set`
        self._settings_debounce: Any = None
        self._settings_window: Any = None
        self._reflection_window: Any = None  # the two rituals' windows, built on first use
        self._review_window: Any = None
        self._welcome: Any = None  # the first-run welcome, while it is open
        self._ritual_writer: Any = None  # their sqlite3 writer, owned by the writer thread
        self._notices: list[Any] = []
        self._quitting = False
        self.focus: Any = None  # the focus session's controller (ui/focus.py), made at start
        self._focus_was_running = False

    @property
    def capture_window(self):
        """The quick-capture window, built on first need (normally right after start)."""
        if self._capture_window is None:
            from ui.capture_window import CaptureWindow

            self._capture_window = CaptureWindow(
                self.drafts, day_start_hour=lambda: self.context.day_start_hour)
            self._capture_window.submitted.connect(self.submit_capture_from_window)
        return self._capture_window

    # -- start and stop -------------------------------------------------------------------

    def start(self, *, show_capture: bool = False, open_window: str = "") -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QSystemTrayIcon

        self._listen()
        self.crash.install()
        qapp = QApplication.instance()
        assert qapp is not None  # the tray starts inside its QApplication
        qapp.aboutToQuit.connect(self._save_everything)
        if QSystemTrayIcon.isSystemTrayAvailable():
            from ui.tray import WiseTray

            self.tray = WiseTray(self, home=self.home)
            self.tray.show()
        else:
            from ui.fallback_window import FallbackWindow

            log.warning("no system tray on this desktop: showing a small window instead")
            self.fallback = FallbackWindow(self, name=self.name)
            self.fallback.show()
        # The scheduler and notifications. Its job runs are plain sqlite3, and the work that
        # may call the model (nudges, maintenance) runs in `wise` child processes, so the
        # idle tray never loads litellm and stays within its 100 MB budget.
        from ui.rhythm import TrayRhythm

        self.rhythm = TrayRhythm(self)
        (self.tray or self.fallback).attach_nudges(self.rhythm.notifier)
        self._make_focus()
        self._refresh_tray_state()
        if show_capture or open_window == "capture":
            self.show_capture()
        elif open_window == "reflection":
            self.show_reflection()
        elif open_window == "review":
            self.show_review()
        elif open_window == "welcome":
            self.show_welcome()
        # Everything that is not needed to show the tray or take a capture comes after, and
        # only once the icon had a moment to dock and paint (building the capture window
        # and grabbing the hotkey would otherwise hold the event loop ~70 ms first).
        self._finish_timer = QTimer()
        self._finish_timer.setSingleShot(True)
        self._finish_timer.timeout.connect(self._finish_start)
        self._finish_timer.start(FINISH_START_DELAY_MS)

    def _make_focus(self) -> None:
        from app.focus_keeper import FocusKeeper
        from ui.focus import FocusController
        from ui.focus_sound import CueSound

        place = self._window_settings()
        sound = CueSound(lambda: bool(self.context.settings.get("focus.sounds")))
        self.focus = FocusController(self._run_focus, self.context.paths.db, settings=place,
                                     keeper=FocusKeeper(self.context.paths.data_dir),
                                     sound=sound)
        self.focus.changed.connect(self._focus_changed)
        self.focus.interrupted.connect(self._focus_was_interrupted)
        if self.rhythm is not None:
            self.rhythm.notifier.focus_action.connect(self.focus.on_notification_button)
        self.focus.break_down.connect(self.break_down_step)
        if self.tray is not None:
            self.tray.attach_focus(self.focus)

    def _run_focus(self, work, *, on_success, on_error) -> None:
        def job():
            self.ensure_journal()  # cheap once done; a session may be asked for very early
            return work()

        def done(result):
            self._journal_changed()
            return on_success(result)

        self.background.run(job, on_success=done, on_error=on_error)

    def _focus_changed(self) -> None:
        if self.focus is None:
            return
        if self.rhythm is not None:  # the persistent notification, where there is one
            notice = self.focus.notice()
            if notice is None:
                self.rhythm.notifier.withdraw_focus()
            else:
                self.rhythm.notifier.show_focus(*notice)
        view = self.focus.view
        paused = bool(view and view.paused)
        running = self.focus.session is not None
        if self._focus_was_running and not running and self._capture_window is not None:
            self._refresh_calibrations()  # a session ended: what it says may have changed
        self._focus_was_running = running
        if self.fallback is not None:
            self.fallback.set_focus(self.focus.tooltip_line(), paused=paused)
        if self.tray is None:
            return
        self.tray.set_focus_ring(view.ring_step if view is not None else None, paused)
        self.tray.set_focus(self.focus.tooltip_line(), paused=paused)

    def _refresh_calibrations(self) -> None:
        """Quick capture's quiet word on an estimate ("your ~10 min steps take about 18"):
        read at start and whenever a session ends (the only time it can change)."""
        from app.focus import estimate_calibrations

        db = self.context.paths.db
        self.background.run(lambda: estimate_calibrations(db),
                            on_success=self.capture_window.set_calibrations,
                            on_error=lambda exc: log.info("calibration unread: %s", exc))

    def _focus_was_interrupted(self, found) -> None:
        """Told once, at start: the session a crash left ran until its last sign of life."""
        from app.focus import interrupted_words

        title, text = interrupted_words(found)
        log.info("focus: a session left by a crash ended as interrupted at its last beat")
        if self.rhythm is not None:
            self.rhythm.notifier.show_invitation("focus", title, text)

    def focus_steps(self, fill) -> None:
        """Today's best few steps to start, for the tray's "Start a step…" menu."""
        from app.focus import FocusStore

        def work() -> list:
            store = FocusStore(self.context.paths.db)
            try:
                return store.open_steps()
            finally:
                store.close()

        self.background.run(work, on_success=fill,
                            on_error=lambda exc: log.warning("steps unread: %s", exc))

    def start_step(self, action_id: int, minutes: int | None = None) -> None:
        """Start a step now, from the tray's or the fallback's menu, the reflection window
        or goal review: for `minutes`, else its estimate, else two minutes. One at a time:
        while one runs, its timer window comes forward and says so."""
        if self.focus is None:
            return
        if self.focus.session is not None:
            self.focus.one_at_a_time()
            return
        self.focus.start(action_id=action_id, minutes=minutes)

    def break_down_step(self, action_id: int | None) -> None:
        """The end check-in's "Make it smaller": goal review's break-down on that step (on
        its goal's page), or goal review itself for a session that had no step."""
        if action_id is None:
            self.show_review()
            return
        self.show_review()
        self._review_window.break_down_step(action_id)

    def _listen(self) -> None:
        """The socket, unless its folder is not this user's: then the tray runs without it
        (the instance lock still keeps it single) and says so; `wise capture` writes to
        the journal directly meanwhile."""
        from app.ipc.trust import Untrusted

        try:
            self.ipc.listen()
        except (Untrusted, OSError) as exc:
            log.warning("the tray runs without its socket: %s", exc)
            fix = exc.fix if isinstance(exc, Untrusted) else "Restarting Wise may help."
            self._notify("Wise runs without its socket",
                         f"{exc}.\n\n`wise capture` saves to your journal directly "
                         f"meanwhile. {fix}")

    def _finish_start(self) -> None:
        if self.focus is not None:
            self.focus.recover()  # a session left by a crash, or started from the CLI
        window = self.capture_window  # ready before the user's first keystroke
        self.background.run(self._prepare_journal,
                            on_success=lambda goals: self._journal_ready(window, goals),
                            on_error=self._journal_problem)
        self.hotkey.start(self.context.settings.get("capture.hotkey"))
        if self.rhythm is not None:
            self.rhythm.start()
        self._start_sync()
        self._watch_settings_file()
        self._follow_autostart()  # an entry left by an earlier install points at it again
        for message in self.context.settings.warnings:
            log.warning("settings: %s", message)

    def _journal_ready(self, window: CaptureWindow, goals: list) -> None:
        window.set_goals(goals)
        self._refresh_calibrations()
        self.check_journal()  # once the journal is there and current, not before
        self._maybe_welcome()

    # -- the first-run welcome --------------------------------------------------------------

    def _maybe_welcome(self) -> None:
        """On a first start (an empty journal, the welcome never finished or skipped)."""
        from app.welcome import should_welcome

        paths = self.context.paths
        self.background.run(lambda: should_welcome(paths),
                            on_success=lambda show: self.show_welcome() if show else None,
                            on_error=lambda exc: log.warning("the welcome was not offered: "
                                                             "%s", exc))

    def show_welcome(self) -> None:
        """The welcome, from its first step (also from Settings and `wise open welcome`)."""
        if self._welcome is None or not self._welcome.isVisible():
            from app.launch import wise_command
            from ui.welcome_window import WelcomeServices, WelcomeWindow

            self._welcome = WelcomeWindow(WelcomeServices(
                settings_path=self.context.paths.settings_file,
                add_goal=self._add_goal_from_welcome, import_file=self._import_for_welcome,
                show_capture=self.show_capture, hotkey_status=lambda: self.hotkey.status,
                run_in_background=self.setup_work.run, wise_command=wise_command))
            self._welcome.done_with.connect(self._welcome_done)
        _bring_forward(self._welcome)

    def _welcome_done(self, how: str) -> None:
        from app.welcome import remember_welcomed

        try:
            remember_welcomed(self.context.paths, how)
        except OSError as exc:
            log.warning("could not remember that the welcome was %s: %s", how, exc)
        log.info("the welcome was %s", how)
        self._settings_file_changed_soon()

    def _hotkey_seen_by_welcome(self) -> None:
        if self._welcome is not None and self._welcome.isVisible():
            self._welcome.hotkey_pressed()

    def _add_goal_from_welcome(self, title: str, why: str, ladder: list[str], on_success,
                               on_error) -> None:
        def done(goal_id: int) -> None:
            self._refresh_goals_later()
            on_success(goal_id)

        self.run_ritual(lambda writer: writer.add_goal(title, why=why, why_ladder=ladder),
                        done, on_error)

    def _import_for_welcome(self, fmt: str, path: str, on_success, on_error) -> None:
        from ui.children import run_wise

        def done(result: dict) -> None:
            self._refresh_goals_later()
            self._journal_changed()
            on_success(result)

        # A long job (a whole other app's data): a `wise` child does it, as for maintenance.
        self.setup_work.run(lambda: run_wise("import", "--from", fmt, path, timeout=1800),
                            on_success=done, on_error=on_error)

    def _settings_file_changed_soon(self) -> None:
        """The welcome wrote settings: take them in now (the watcher would, a bit later)."""
        if self._settings_watcher is not None:
            self._settings_file_changed()
    def _start_sync(self) -> None:
        from ui.sync_loop import TraySync

        self.sync = TraySync(self)
        self.sync.changed_state.connect((self.tray or self.fallback).set_sync_text)
        self.sync.synced.connect(self._show_new_conflicts)
        self.sync.configure()

    def sync_now(self) -> None:
        """The menu's sync line: with conflicts to answer, it opens the first where its
        text lives (a sync runs on its own anyway); without, it syncs now."""
        if self.sync is None:
            return
        if not self.sync.conflicts:
            self.sync.sync_now()
            return
        from app.sync.conflicts import first_conflict_place

        db = self.context.paths.db
        self.setup_work.run(lambda: first_conflict_place(db), on_success=self._go_to_conflict,
                            on_error=lambda exc: log.warning("could not find the conflict: %s",
                                                             exc))

    def _go_to_conflict(self, place) -> None:
        """The window where the conflict's text lives, on its day or goal, the card in view."""
        from ui.sync_conflicts import reveal_when_shown

        if place is None:  # answered meanwhile (`wise sync resolve`): the line recounts
            self.sync.sync_now()
        elif place.goal_id is not None:
            self.show_review()
            page = self._review_window.goal_page
            reveal_when_shown(page.conflicts_shown, page.conflicts, place.goal_id)
            self._review_window.show_goal(place.goal_id)
        else:
            self.show_reflection()
            window = self._reflection_window
            reveal_when_shown(window.conflicts_shown, window.conflicts, place.day)
            if window.current_day() != place.day:
                window.open_day(place.day)

    def _show_new_conflicts(self) -> None:
        """After a sync, the windows on screen show any conflict on the texts they hold."""
        reflection, review = self._reflection_window, self._review_window
        if reflection is not None and reflection.isVisible():
            reflection.refresh_conflicts()
        if review is not None and review.isVisible() and review.goal_page.goal_id is not None:
            review.goal_page.refresh_conflicts()

    def conflicts_answered(self) -> None:
        """A window answered a sync conflict: the tray's line and Settings' count follow
        now (the answer itself reaches the other devices with the next sync)."""
        if self.sync is not None:
            self.sync.recount()
        settings = self._settings_window
        if settings is not None and settings.isVisible() and settings.sync_panel is not None:
            settings.sync_panel.refresh()

    def _journal_changed(self) -> None:
        if self.sync is not None:
            self.sync.changed()

    def _prepare_journal(self) -> list:
        from app.capture.store import goal_tags

        self.ensure_journal()
        return goal_tags(self.context.paths.db)

    def ensure_journal(self) -> None:
        """The journal exists at the current schema. Creating or migrating it runs Alembic
        (and so SQLAlchemy): that happens in a `wise migrate` child, once, so the tray never
        carries them. Blocks: call it on a worker thread."""
        from app.journal_health import schema_is_current

        if not schema_is_current(self.context.paths.db):
            from ui.children import run_wise

            run_wise("migrate", timeout=600)

    def _journal_problem(self, exc: Exception) -> None:
        log.error("the journal could not be opened: %s", exc)
        self._notify("Wise cannot open your journal",
                     f"{exc}\n\nCaptures are kept safe on disk until this is fixed.")
        self.check_journal()

    # -- the journal's health -------------------------------------------------------------

    def check_journal(self) -> None:
        """SQLite's quick check of the journal, off the GUI and writer threads, then the
        damage mark (which a backup in a child may have left) shown in the tray. Run at
        start and after any failed write; one at a time."""
        if self._health_check_running:
            return
        self._health_check_running = True
        db = self.context.paths.db

        def work():
            from app.journal_health import (
                StorageError,
                integrity_problems,
                mark_damaged,
                read_damage_mark,
            )

            try:
                problems = integrity_problems(db, quick=True) if db.exists() else []
            except StorageError as exc:  # not damage (no permission, say): said elsewhere
                log.warning("the journal's integrity could not be checked: %s", exc)
                problems = []
            if problems:
                mark_damaged(db, problems, found_by="tray")
            return read_damage_mark(db)

        def done(mark: Any) -> None:
            self._health_check_running = False
            self.health_checks_done += 1
            self._set_damage(mark)

        def failed(exc: Exception) -> None:
            self._health_check_running = False
            log.warning("the journal's integrity check failed: %s", exc)

        self.health.run(work, on_success=done, on_error=failed)

    def _set_damage(self, mark: Any) -> None:
        self._damage = mark
        self._refresh_tray_state()
        if mark is None:
            self._damage_told = False  # repaired or restored: a new damage is told anew
        elif not self._damage_told:
            self._damage_told = True
            log.error("the journal is damaged: %s", mark.summary())
            self.show_journal_damage()

    def show_journal_damage(self) -> None:
        if self._damage is None:
            return
        self._notify("Your journal is damaged",
                     f"Wise found damage in your journal, {self.context.paths.db}."
                     "\n\nYour backups are all kept, and no backup will copy the damage over "
                     "them. Run `wise doctor` in a terminal: it names the newest sound backup "
                     "and how to restore it. Until then, captures that cannot be saved are kept "
                     f"in unsaved-captures.txt.\n\nWhat SQLite reported: {self._damage.summary()}")

    def quit(self) -> None:
        from PySide6.QtWidgets import QApplication

        if not self._quitting:
            self._quitting = True
            # exit(), not quit(): Qt 6's quit() is cancelled by any window that declines
            # to close, and the fallback window declines (closing it only minimizes it).
            QApplication.exit(0)

    def _save_everything(self) -> None:
        if self._capture_window is not None:
            self._capture_window.save_draft_now()
        for window in (self._reflection_window, self._review_window):
            if window is not None:
                window.shutdown()  # the user's words saved; a model child stopped
        self.background.wait(10_000)  # a capture in flight finishes before we go

    def shutdown(self) -> None:
        if self._finish_timer is not None:
            self._finish_timer.stop()  # a quit in the first moments: nothing left to finish
        if self._settings_debounce is not None:
            self._settings_debounce.stop()
        self.background.wait(10_000)
        if self.focus is not None:
            self.focus.interrupt_now()  # on restart it shows as interrupted, its time kept
        if self.rhythm is not None:  # it waits for a scheduler still starting, then stops it
            self.rhythm.stop()
        self.health.wait(2_000)
        self.setup_work.wait(1_000)  # a model test still running is left to finish alone
        if self.sync is not None:
            self.sync.stop()
        self.background.run(self._close_writers, on_success=lambda _: None,
                            on_error=lambda _exc: None)  # on the thread that owns them
        self.background.wait(5_000)
        self.hotkey.stop()
        self.ipc.close()
        self.crash.uninstall()
        if self.tray is not None:
            self.tray.hide()
        log.info("Wise stopped")

    def _close_writers(self) -> None:
        self.writer.close()
        if self.focus is not None:
            self.focus.close_store()
        if self._ritual_writer is not None:
            self._ritual_writer.close()

    # -- quick capture -----------------------------------------------------------------

    def show_capture(self) -> None:
        self.capture_window.summon()

    def is_busy(self) -> bool:
        """In the middle of capturing, or reflecting or reviewing goals (that window has the
        focus): no nudge may interrupt."""
        if self._capture_window is not None and self._capture_window.isVisible():
            return True
        if self.focus is not None and self.focus.session is not None:
            return True  # doing a step already: no nudge toward another
        return any(window is not None and window.isVisible() and window.isActiveWindow()
                   for window in (self._reflection_window, self._review_window))

    def set_reflection_waiting(self, waiting: bool) -> None:
        self._reflection_waiting = waiting
        self._refresh_tray_state()

    def submit_capture_from_window(self, text: str) -> None:
        self._capture(text, uid=None, on_saved=self._saved_from_window,
                      on_failed=lambda message, _code, _kept: self.capture_window.show_failed(
                          message))

    def _saved_from_window(self, result: CaptureAck) -> None:
        self.capture_window.show_saved(result.summary)
        # Ctrl+Enter: a to-do is started at once (a note or a win has nothing to start).
        if (self.capture_window.start_after_saving and result.kind == "todo"
                and self.focus is not None):
            self.focus.start(action_id=result.id)

    def _capture(self, text: str, *, uid: str | None, on_saved, on_failed) -> None:
        """A capture from the window or the socket: the user's own words, source 'capture'
        (the window once wrote 'tray', which the importer refused). `on_failed(message,
        code, kept)`: `kept` is where the text was kept on disk (None when nowhere: it
        stays in the window, or with the client that sent it)."""
        from app.capture.service import CaptureNotSaved, capture

        context, writer = self.context, self.writer

        def work() -> CaptureAck:
            return capture(context, text, uid=uid, writer=writer).ack()

        def failed(exc: Exception) -> None:
            if isinstance(exc, BadInput):
                on_failed(str(exc), "bad-input", None)
                return
            # Never the text itself: the log is not a journal (the message has no text).
            reason = exc.reason if isinstance(exc, CaptureNotSaved) else str(exc)
            kept = exc.kept_in if isinstance(exc, CaptureNotSaved) else None
            log.error("a capture could not be saved: %s (%s)", reason,
                      f"kept in {kept}" if kept else "not kept on disk")
            self.check_journal()  # an I/O error may be a damaged journal
            message = (str(exc) if kept else f"{reason}\nYour text could not be kept on "
                       "disk either; copy it somewhere safe.")
            on_failed(message, "failed", str(kept) if kept else None)

        def saved(result: CaptureAck) -> None:
            on_saved(result)
            self._refresh_goals_later()
            self._journal_changed()

        self.background.run(work, on_success=saved, on_error=failed)

    def _refresh_goals_later(self) -> None:
        from app.capture.store import goal_tags

        db = self.context.paths.db
        self.background.run(lambda: goal_tags(db), on_success=self.capture_window.set_goals,
                            on_error=lambda exc: log.debug("goal refresh failed: %s", exc))

    # -- the socket protocol -------------------------------------------------------------

    def handle_request(self, request: dict, reply) -> None:
        command = request["cmd"]
        if command == "ping":
            reply(ok(request.get("id"), Pong(os.getpid(), __version__, str(self.ipc.path),
                                             self.open_windows(),
                                             self.focus.status() if self.focus
                                             else NoTrayFocus())))
        elif command == "capture":
            log.info("capture request over the socket")  # never the text: logs are not a journal
            self._capture(request["text"], uid=request.get("uid"),
                          on_saved=lambda result: reply(ok(request.get("id"), result)),
                          on_failed=lambda message, code, kept: reply(
                              not_saved(request.get("id"), code, message, kept)))
        elif command == "show-capture":
            self.show_capture()
            reply(ok(request.get("id"), Shown()))
        elif command == "show-reflection":
            self.show_reflection()
            reply(ok(request.get("id"), Shown()))
        elif command == "show-review":
            self.show_review()
            reply(ok(request.get("id"), Shown()))
        elif command == "show-welcome":
            self.show_welcome()
            reply(ok(request.get("id"), Shown()))
        elif command == "focus-changed":
            if self.focus is not None:
                self.focus.refresh()
            reply(ok(request.get("id"), Seen()))
        elif command == "quit":
            reply(ok(request.get("id"), Quitting()))
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.quit)

    def open_windows(self) -> dict[str, bool]:
        """The tray's windows on screen, each with whether its content has loaded (for
        `wise status` and the tests that open them from the command line)."""
        shown: dict[str, bool] = {}
        if self._capture_window is not None and self._capture_window.isVisible():
            shown["capture"] = True
        reflection, review = self._reflection_window, self._review_window
        if reflection is not None and reflection.isVisible():
            shown["reflection"] = reflection.loaded_day() is not None
        if review is not None and review.isVisible():
            shown["review"] = bool(review.goals_page.loaded)
        if self._welcome is not None and self._welcome.isVisible():
            shown["welcome"] = True
        return shown

    # -- menu actions ---------------------------------------------------------------------

    def show_reflection(self) -> None:
        """The daily reflection window, on today's journal day (or the day it shows)."""
        if self._reflection_window is None:
            from app.launch import wise_command
            from ui.reflection_window import ReflectionWindow

            self._reflection_window = ReflectionWindow(
                self.context.paths.db, self.run_ritual,
                lambda: self.context.day_start_hour, wise_command)
            self._reflection_window.conflicts_answered.connect(self.conflicts_answered)
            self._reflection_window.start_step.connect(self.start_step)
        self._reflection_window.open_day(None)
        _bring_forward(self._reflection_window)
        self.set_reflection_waiting(False)

    def show_review(self, goal_id: int | None = None) -> None:
        """Goal review: the goals with their whys, the week, and what Wise keeps; on one
        goal's page when `goal_id` is given."""
        if self._review_window is None:
            from app.launch import wise_command
            from ui.review_window import ReviewWindow

            self._review_window = ReviewWindow(
                self.context.paths.db, self.run_ritual,
                lambda: self.context.day_start_hour, wise_command)
            self._review_window.conflicts_answered.connect(self.conflicts_answered)
            self._wire_review_focus(self._review_window)
        self._review_window.show_goal(goal_id)
        _bring_forward(self._review_window)

    def _wire_review_focus(self, window) -> None:
        """Goal review's Start buttons start a session here; its view choices (minutes
        or counts in the heatmaps) are remembered with the windows' places."""
        window.start_step.connect(self.start_step)
        window.remember_in(self._window_settings())

    def _window_settings(self) -> Any:
        """The windows' per-device state (places, view choices): windows.ini in the data
        folder, beside the journal."""
        from PySide6.QtCore import QSettings

        return QSettings(str(self.context.paths.data_dir / "windows.ini"),
                         QSettings.Format.IniFormat)

    def run_ritual(self, work, on_success, on_error) -> None:
        """Run `work(writer)` on the journal-writer thread with the windows' sqlite3 writer,
        so their saves keep their order with captures and never block the GUI."""

        def job():
            if self._ritual_writer is None:
                from app.ritual_data import RitualWriter

                # A window opened in the tray's first moments may come before the start-up
                # check of the journal: make sure it exists and is migrated (cheap after).
                self.ensure_journal()
                self._ritual_writer = RitualWriter(self.context.paths.db)
            return work(self._ritual_writer)

        def done(result):  # -> whatever on_success returns
            self._journal_changed()
            return on_success(result)

        def failed(exc: Exception) -> None:
            from app.journal_health import StorageError

            if isinstance(exc, StorageError):
                self.check_journal()  # an I/O error may be a damaged journal
            on_error(exc)

        self.background.run(job, on_success=done, on_error=failed)

    def pause_nudges_for_an_hour(self) -> None:
        from app.daytime import local_now

        self._pause_until(local_now() + timedelta(hours=1))

    def pause_nudges_until_tomorrow(self) -> None:
        from app.daytime import journal_day, local_now

        tomorrow = journal_day(local_now(), self.context.day_start_hour) + timedelta(days=1)
        # The day-start hour as a wall time, with the offset in force then: midnight plus
        # four hours would be 05:00 on the morning the clocks go forward.
        start = datetime.combine(tomorrow, clock_time(self.context.day_start_hour)).astimezone()
        self._pause_until(start)

    def resume_nudges(self) -> None:
        self._pause_until(None)

    def _pause_until(self, moment: datetime | None) -> None:
        from app.state import load_state, save_state

        path = self.context.paths.data_dir / "state.json"
        state = load_state(path)
        state.nudges_paused_until = moment.isoformat() if moment else None
        save_state(path, state)
        self._refresh_tray_state()

    def _refresh_tray_state(self) -> None:
        if self.tray is None and self.fallback is None:
            return
        from app.daytime import local_now
        from app.state import load_state
        from ui.icons import IconState

        now = local_now()
        state = load_state(self.context.paths.data_dir / "state.json")
        moment = state.paused_until()
        paused = moment is not None and moment > now
        until = ""
        if moment is not None and paused:
            until = f"{moment:%H:%M}" if moment.date() == now.date() else f"{moment:%a %H:%M}"
        if self.fallback is not None:
            self.fallback.set_paused(paused, until)
            self.fallback.set_journal_damaged(self._damage is not None)
        if self.tray is not None:
            self.tray.set_state(IconState(reflection_waiting=self._reflection_waiting,
                                          paused=paused,
                                          journal_damaged=self._damage is not None),
                                paused_until=until)

    def show_settings(self) -> None:
        if self._settings_window is None:
            from app.launch import wise_command
            from ui.children import run_wise
            from ui.rhythm import CHILD_TIMEOUT_S
            from ui.settings_window import SettingsWindow

            # What the nudge learner knows lives in the journal (the ORM): a child reads it.
            timeout = CHILD_TIMEOUT_S["nudge"]
            self._settings_window = SettingsWindow(
                self.context.paths.settings_file,
                hotkey_status=lambda: self.hotkey.status,
                learned=lambda: run_wise("nudge", "--learned", timeout=timeout),
                reset_learning=lambda: run_wise("nudge", "--reset-learning", timeout=timeout),
                run_in_background=self.children.run, wise_command=wise_command,
                show_welcome=self.show_welcome, setup_runner=self.setup_work.run,
                held_back=self._held_back_replies)
            self._settings_window.applied.connect(self._settings_changed)
        self._settings_window.reload()
        self._settings_window.show()
        self._settings_window.raise_()
        self._settings_window.activateWindow()

    def _held_back_replies(self) -> list:
        from app.llm.held_back import held_back_replies

        return held_back_replies(self.context.paths.data_dir)

    def _settings_changed(self, changed: dict) -> None:
        self.context = Context.from_environment()
        if "capture.hotkey" in changed:
            self.hotkey.stop()
            self.hotkey.start(self.context.settings.get("capture.hotkey"))
        if self.rhythm is not None and any(key.startswith(("schedule.", "nudges.", "day."))
                                           for key in changed):
            self.rhythm.reschedule()
        if "startup.autostart" in changed:
            self._follow_autostart()
        if self.sync is not None and any(key.startswith("sync.") for key in changed):
            self.sync.configure()
        self._refresh_tray_state()

    def _follow_autostart(self) -> None:
        """The login entry says what `startup.autostart` says, whoever changed it."""
        from app.autostart import follow_setting

        try:
            follow_setting(bool(self.context.settings.get("startup.autostart")))
        except OSError as exc:
            log.warning("start at login could not follow its setting: %s", exc)

    def _watch_settings_file(self) -> None:
        """`wise config set` (or an editor) changing settings.toml takes effect at once, as
        a change in the Settings window does. The folder is watched too: editors and
        Wise's own atomic save replace the file, which ends a watch on the file itself."""
        from PySide6.QtCore import QFileSystemWatcher, QTimer

        from app.journal_health import private_folder

        path = self.context.paths.settings_file
        try:
            private_folder(path.parent)  # a first start
        except OSError as exc:
            log.warning("settings changes on disk will not be noticed: %s", exc)
        self._settings_watcher = QFileSystemWatcher()
        self._settings_debounce = QTimer()
        self._settings_debounce.setSingleShot(True)
        self._settings_debounce.setInterval(300)  # one reload for a burst of writes
        self._settings_debounce.timeout.connect(self._settings_file_changed)
        for watched in (path.parent, path):
            if watched.exists():
                self._settings_watcher.addPath(str(watched))
        self._settings_watcher.fileChanged.connect(lambda _p: self._settings_debounce.start())
        self._settings_watcher.directoryChanged.connect(
            lambda _p: self._settings_debounce.start())

    def _settings_file_changed(self) -> None:
        path = str(self.context.paths.settings_file)
        if path not in self._settings_watcher.files() and Path(path).exists():
            self._settings_watcher.addPath(path)  # replaced by a new file: watch that one
        before = dict(self.context.settings.values)
        after = Context.from_environment().settings.values
        changed = {key: value for key, value in after.items() if before.get(key) != value}
        if changed:
            log.info("settings changed on disk: %s", ", ".join(sorted(changed)))
            self._settings_changed(changed)

    def open_data_folder(self) -> None:
        """In the file manager; where none opens it, a message says where the folder is
        and the path is on the clipboard (never silence)."""
        self.context.paths.ensure_data_dir()
        self.folder_opener.open(self.context.paths.data_dir)

    @property
    def folder_opener(self) -> Any:
        if self._opener is None:
            from ui.folder_opener import FolderOpener

            self._opener = FolderOpener()
            self._opener.answered.connect(
                lambda _folder, opened: None if opened else self._folder_not_opened())
        return self._opener

    def _folder_not_opened(self) -> None:
        from PySide6.QtGui import QGuiApplication

        folder = str(self.context.paths.data_dir)
        QGuiApplication.clipboard().setText(folder)
        self._notify("Your data folder",
                     f"No file manager could open it. Wise keeps your journal and backups in:"
                     f"\n\n{folder}\n\nThe path is copied to the clipboard.")

    def _notify(self, title: str, text: str) -> None:
        """A calm, non-modal message: it never blocks the tray or steals a capture."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Information, title, text)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # a path
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result, b=box: self._notices.remove(b)
                             if b in self._notices else None)
        self._notices.append(box)
        box.show()


def _bring_forward(window) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
