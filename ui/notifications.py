"""Notifications: rare, kind, actionable, and never lost silently.

A nudge is shown the best way the desktop allows:

1. ``"dbus"``: a desktop notification with three buttons, Done / Snooze 15 min /
   Not today, where a notification server on the D-Bus session bus says it can show
   buttons (its capabilities include "actions"): Linux and the BSDs
   (`ui.notification_backends`);
2. ``"tray-message"``: otherwise the tray icon's own message balloon (Windows, macOS, or a
   server without buttons); a click on it answers "opened";
3. ``"menu"``: no way to show anything (no server, no tray messages): the nudge waits in
   the tray menu and tooltip.

A running focus session has its own notification where the server shows buttons (dbus):
resident and never expiring, updated in place only when what it says changes (started,
paused, resumed, extended, time up: never a per-second countdown), and taken away when the
session ends. Elsewhere the tray's ring and tooltip say it alone.

Whatever the way, every nudge stays in `pending()` until it is answered or withdrawn, so
the tray menu (see `build_pending_menu`) can always offer Done / Snooze / Not today: an
expired, dismissed or never-shown notification is never lost. Answers come back on the
GUI thread as the `responded` signal; nothing here stores them.

The GUI thread never waits: the D-Bus work runs on two small threads that sleep until the
bus has something to say, and their results arrive as queued Qt signals.

Logs never carry a nudge's words (they come from the journal), only ids and states.
"""

from __future__ import annotations

import html
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.daytime import local_now

log = logging.getLogger(__name__)

DONE, SNOOZE, NOT_TODAY, OPENED = "done", "snooze", "not_today", "opened"
STARTED = "started"  # "Start 2 min": a focus session on the nudge's step, now
ANSWERS = (STARTED, DONE, SNOOZE, NOT_TODAY)
RESPONSES = (*ANSWERS, OPENED)
# Action keys and labels, in the order the buttons appear.
NUDGE_BUTTONS = ((STARTED, "Start 2 min"), (DONE, "Done"), (SNOOZE, "Snooze 15 min"),
                 (NOT_TODAY, "Not today"))
NUDGE_ACTIONS = [part for button in NUDGE_BUTTONS for part in button]
# "default" is the spec's key for a click on the notification itself.
INVITATION_ACTIONS = ["default", "Open"]
INVITATION_KINDS = ("reflection", "review", "checkin", "focus")
# The focus session's buttons, by its state (the keys FocusController understands).
FOCUS_RUNNING = ("pause", "Pause", "done", "Done", "stop", "Stop here")
FOCUS_PAUSED = ("resume", "Resume", "done", "Done", "stop", "Stop here")
FOCUS_OVER = ("done", "Done", "more", "5 more minutes", "stop", "Stop here")
FOCUS = ("focus", 0)  # the one focus notification's target

BACKENDS = ("dbus", "desktop-notifier", "tray-message", "menu")
PROBE_TIMEOUT_MS = 5000      # a D-Bus activated server may take a moment to start
TRAY_MESSAGE_MS = 15_000


@dataclass(frozen=True)
class PendingNudge:
    nudge_id: int
    title: str
    text: str
    since: datetime = field(default_factory=local_now)


@dataclass(frozen=True)
class PendingInvitation:
    kind: str
    title: str
    text: str


@dataclass(frozen=True)
class FocusNotice:
    title: str
    text: str
    actions: tuple[str, ...]  # key, label, key, label...


def _platform_has_dbus_notifications() -> bool:
    return not sys.platform.startswith(("win32", "cygwin", "darwin"))


class Notifier(QObject):
    """Shows nudges and invitations; reports answers. Use from the GUI thread only."""

    # nudge_id, "started" | "done" | "snooze" | "not_today" | "opened"
    responded = Signal(int, str)
    invitation_clicked = Signal(str)   # kind: one of INVITATION_KINDS
    # A shown nudge's notification went away unanswered ("expired" or "dismissed"); the
    # nudge stays pending in the menu. For the nudge service to note "ignored" if it likes.
    dismissed = Signal(int, str)
    pending_changed = Signal()         # pending() or pending_invitations() changed
    focus_action = Signal(str)         # a focus notification's button: a FOCUS_* key
    backend_changed = Signal(str)
    settled = Signal(str)              # after start(): the backend chosen (once)

    def __init__(self, tray: QSystemTrayIcon | None, parent: QObject | None = None, *,
                 use_dbus: bool | None = None, bus_address: str | None = None,
                 probe_timeout_ms: int = PROBE_TIMEOUT_MS) -> None:
        super().__init__(parent)
        self._tray = tray
        self._use_dbus = _platform_has_dbus_notifications() if use_dbus is None else use_dbus
        self._bus_address = bus_address
        self._dbus: Any = None            # DBusNotifications while connecting or connected
        self._capabilities: frozenset[str] = frozenset()
        self._probing = False
        self._started = False
        self._held: list[tuple[str, Any]] = []   # shown while the probe was under way
        self._pending: dict[int, PendingNudge] = {}
        self._invitations: dict[str, PendingInvitation] = {}
        self._focus: FocusNotice | None = None
        self._generation: dict[tuple[str, Any], int] = {}
        self._ids: dict[int, tuple[str, Any]] = {}       # notification id -> target
        self._shown: dict[tuple[str, Any], int] = {}     # target -> notification id
        self._last_message: tuple[str, Any] | None = None
        self._backend = self._fallback()
        self._probe_timer = QTimer(self)
        self._probe_timer.setSingleShot(True)
        self._probe_timer.setInterval(probe_timeout_ms)
        self._probe_timer.timeout.connect(self._probe_timed_out)
        if tray is not None:
            tray.messageClicked.connect(self._on_message_clicked)

    # -- life ----------------------------------------------------------------------------

    def start(self) -> None:
        """Look for a notification server without waiting for it; `backend_changed` tells."""
        if self._started:
            return
        self._started = True
        if not self._use_dbus:
            self.settled.emit(self._backend)
            return
        from ui.notification_backends import DBusNotifications

        self._dbus = DBusNotifications(self._bus_address)
        self._dbus.ready.connect(self._on_ready)
        self._dbus.failed.connect(self._on_failed)
        self._dbus.shown.connect(self._on_shown)
        self._dbus.show_failed.connect(self._on_show_failed)
        self._dbus.action_invoked.connect(self._on_action)
        self._dbus.closed.connect(self._on_closed)
        self._probing = True
        self._probe_timer.start()
        self._dbus.start()

    def stop(self) -> None:
        """Take our notifications off the screen (their buttons would answer no one) and
        disconnect. Pending nudges stay listed."""
        self._probe_timer.stop()
        self._probing = False
        if self._dbus is not None:
            for notification_id in list(self._ids):
                self._dbus.close_notification(notification_id)
            self._drop_dbus()
        self._set_backend(self._fallback())

    def backend(self) -> str:
        """How a nudge shown now would appear: "dbus", "tray-message" or "menu"."""
        return self._backend

    @property
    def capabilities(self) -> frozenset[str]:
        return self._capabilities

    # -- nudges --------------------------------------------------------------------------

    def show_nudge(self, nudge_id: int, title: str, text: str) -> None:
        """Show a nudge with Done / Snooze 15 min / Not today where the desktop can; it stays
        in `pending()` until answered. Showing the same id again replaces it."""
        self._pending[nudge_id] = PendingNudge(nudge_id, title, text)
        self.pending_changed.emit()
        self._deliver_or_hold(("nudge", nudge_id))

    def pending(self) -> list[PendingNudge]:
        return list(self._pending.values())

    def answer(self, nudge_id: int, response: str) -> None:
        """An answer given elsewhere (the tray menu). "opened" keeps the nudge pending."""
        if response not in RESPONSES:
            raise ValueError(f"unknown response {response!r}; expected one of {RESPONSES}")
        if nudge_id not in self._pending:
            log.debug("nudge %d was already answered or withdrawn", nudge_id)
            return
        if response == OPENED:
            self.responded.emit(nudge_id, OPENED)
            return
        self._finish(nudge_id, response)

    def on_screen(self, nudge_id: int) -> bool:
        """Whether a desktop notification for this nudge is up, as far as Wise knows."""
        return ("nudge", nudge_id) in self._shown

    def withdraw(self, nudge_id: int) -> None:
        """Take a nudge back (answered elsewhere, or stale): no response is reported."""
        if self._forget(("nudge", nudge_id)):
            del self._pending[nudge_id]
            self.pending_changed.emit()

    # -- invitations ---------------------------------------------------------------------

    def show_invitation(self, kind: str, title: str, text: str) -> None:
        """"Your reflection is ready": a click opens it (`invitation_clicked(kind)`). One per
        kind; a new one replaces the old."""
        self._invitations[kind] = PendingInvitation(kind, title, text)
        self.pending_changed.emit()
        self._deliver_or_hold(("invitation", kind))

    def pending_invitations(self) -> list[PendingInvitation]:
        return list(self._invitations.values())

    def open_invitation(self, kind: str) -> None:
        """The invitation was taken up from the menu."""
        if kind in self._invitations:
            self._accept_invitation(kind)

    def withdraw_invitation(self, kind: str) -> None:
        if self._forget(("invitation", kind)):
            del self._invitations[kind]
            self.pending_changed.emit()

    # -- the focus session -----------------------------------------------------------------

    def show_focus(self, title: str, text: str, actions: tuple[str, ...]) -> None:
        """The running session's resident notification; the same words again send nothing,
        new words update it in place (or show it again if the user closed it)."""
        notice = FocusNotice(title, text, tuple(actions))
        if notice == self._focus:
            return
        self._focus = notice
        self._deliver_or_hold(FOCUS)

    def withdraw_focus(self) -> None:
        """The session ended: its notification goes."""
        if self._focus is not None:
            self._forget(FOCUS)
            self._focus = None

    def focus_on_screen(self) -> bool:
        return FOCUS in self._shown

    def tooltip_text(self) -> str:
        """A short line for the tray tooltip, "" when nothing waits."""
        parts = []
        if len(self._pending) == 1:
            parts.append(f"a nudge: {next(iter(self._pending.values())).title}")
        elif self._pending:
            parts.append(f"{len(self._pending)} nudges waiting")
        parts += [invitation.title for invitation in self._invitations.values()]
        return "; ".join(parts)

    # -- delivery --------------------------------------------------------------------------

    def _deliver_or_hold(self, target: tuple[str, Any]) -> None:
        self._generation[target] = self._generation.get(target, 0) + 1
        if self._probing:
            if target not in self._held:
                self._held.append(target)
            return
        self._deliver(target)

    def _deliver(self, target: tuple[str, Any]) -> None:
        item = self._item(target)
        if item is None:
            return  # answered or withdrawn while held
        backend = self._backend
        if target == FOCUS:
            if backend == "dbus":  # elsewhere the ring and the tooltip say it alone
                self._notify_focus(item)
            return
        if backend == "dbus":
            kind, key = target
            self._dbus.notify(
                (kind, key, self._generation[target]), summary=item.title,
                body=self._body(item.text),
                actions=NUDGE_ACTIONS if kind == "nudge" else INVITATION_ACTIONS,
                hints={"urgency": ("y", 1), "desktop-entry": "wise"},
                replaces_id=self._shown.get(target, 0), app_icon=_icon_uri())
        elif backend == "tray-message":
            self._tray_message(target, item.title, item.text)
        else:
            log.info("no notification service: %s %s waits in the tray menu", *target)

    def _notify_focus(self, notice: FocusNotice) -> None:
        actions = list(notice.actions) if "actions" in self._capabilities else []
        self._dbus.notify(
            (*FOCUS, self._generation[FOCUS]), summary=notice.title,
            body=self._body(notice.text), actions=actions,
            # Resident: a button press does not take it away; no expiry; low urgency and
            # no sound of the server's own (the session's sounds are the user's choice).
            hints={"urgency": ("y", 0), "resident": True, "transient": False,
                   "suppress-sound": True, "category": "x-wise.focus",
                   "desktop-entry": "wise"},
            replaces_id=self._shown.get(FOCUS, 0), expire_timeout=0, app_icon=_icon_uri())

    def _item(self, target: tuple[str, Any]) -> Any:
        kind, key = target
        if kind == "focus":
            return self._focus
        return self._pending.get(key) if kind == "nudge" else self._invitations.get(key)

    def _body(self, text: str) -> str:
        # The journal's words are text, never markup, where the server would read markup.
        return html.escape(text, quote=False) if "body-markup" in self._capabilities else text

    def _tray_message(self, target: tuple[str, Any], title: str, text: str) -> None:
        from ui.icons import app_icon

        if self._tray is None:  # the tray-message backend is chosen only with a tray
            log.info("no tray for a message: %s %s waits in the tray menu", *target)
            return
        self._last_message = target
        self._tray.showMessage(title, text, app_icon(), TRAY_MESSAGE_MS)

    def _fallback(self) -> str:
        if self._tray is not None and QSystemTrayIcon.supportsMessages():
            return "tray-message"
        return "menu"

    def _set_backend(self, backend: str) -> None:
        if backend != self._backend:
            self._backend = backend
            log.info("notifications: %s", backend)
            self.backend_changed.emit(backend)

    def _end_probe(self) -> None:
        if not self._probing:
            return  # the server answered after the probe's time was up: nothing is held
        self._probing = False
        self._probe_timer.stop()
        held, self._held = self._held, []
        for target in held:
            self._deliver(target)
        self.settled.emit(self._backend)

    # -- answers ---------------------------------------------------------------------------

    def _finish(self, nudge_id: int, response: str) -> None:
        self._forget(("nudge", nudge_id))
        del self._pending[nudge_id]
        self.pending_changed.emit()
        self.responded.emit(nudge_id, response)

    def _accept_invitation(self, kind: str) -> None:
        self._forget(("invitation", kind))
        self._invitations.pop(kind, None)
        self.pending_changed.emit()
        self.invitation_clicked.emit(kind)

    def _forget(self, target: tuple[str, Any]) -> bool:
        """Close its notification, if shown; True if the item was pending."""
        self._generation[target] = self._generation.get(target, 0) + 1  # a reply in flight is stale
        if target in self._held:
            self._held.remove(target)
        if self._last_message == target:
            self._last_message = None
        notification_id = self._shown.pop(target, None)
        if notification_id is not None:
            self._ids.pop(notification_id, None)
            if self._dbus is not None:
                self._dbus.close_notification(notification_id)
        return self._item(target) is not None

    @Slot()
    def _on_message_clicked(self) -> None:
        target, self._last_message = self._last_message, None
        if target is None or self._item(target) is None:
            return
        kind, key = target
        if kind == "nudge":
            self.responded.emit(key, OPENED)
        else:
            self._accept_invitation(key)

    # -- the D-Bus server's side -------------------------------------------------------------

    @Slot(object)
    def _on_ready(self, capabilities: list) -> None:
        if self._dbus is None:
            return
        self._capabilities = frozenset(capabilities)
        name = " ".join(self._dbus.server_info[:1] + self._dbus.server_info[2:3])
        if "actions" in self._capabilities:
            log.info("notification server %s shows buttons", name or "(unnamed)")
            self._set_backend("dbus")
        else:
            log.info("notification server %s shows no buttons: using %s", name or "(unnamed)",
                     self._fallback())
            self._drop_dbus()
            self._set_backend(self._fallback())
        self._end_probe()

    @Slot(str)
    def _on_failed(self, why: str) -> None:
        if self._dbus is None:
            return
        log.info("%s; notifications use %s, nudges wait in the tray menu too",
                 why, self._fallback())
        self._drop_dbus()
        self._set_backend(self._fallback())
        self._end_probe()

    @Slot()
    def _probe_timed_out(self) -> None:
        if self._probing:
            log.info("no notification server answered within %d ms: using %s meanwhile",
                     self._probe_timer.interval(), self._fallback())
            self._end_probe()

    def _drop_dbus(self) -> None:
        dbus, self._dbus = self._dbus, None
        self._ids.clear()
        self._shown.clear()
        if dbus is not None:
            dbus.stop()

    @Slot(object, int)
    def _on_shown(self, token: tuple, notification_id: int) -> None:
        if self._dbus is None:
            return
        kind, key, generation = token
        target = (kind, key)
        if generation != self._generation.get(target) or self._item(target) is None:
            # Answered, withdrawn or replaced while the call was on its way.
            if notification_id not in self._ids:
                self._dbus.close_notification(notification_id)
            return
        old = self._shown.get(target)
        if old is not None and old != notification_id:
            self._ids.pop(old, None)
        self._shown[target] = notification_id
        self._ids[notification_id] = target

    @Slot(object, str)
    def _on_show_failed(self, token: tuple, why: str) -> None:
        kind, key, generation = token
        target = (kind, key)
        if generation != self._generation.get(target) or self._item(target) is None:
            return
        log.info("the notification server refused a %s (%s); it waits in the tray menu", kind,
                 why)
        if kind == "focus":
            return  # the ring and the tooltip still say it
        if self._fallback() == "tray-message":
            item = self._item(target)
            self._tray_message(target, item.title, item.text)

    @Slot(int, str)
    def _on_action(self, notification_id: int, action: str) -> None:
        target = self._ids.pop(notification_id, None)
        if target is None:
            return  # not ours, or already answered
        self._shown.pop(target, None)
        if self._dbus is not None:
            # Most servers close a notification once a button is pressed; some (dunst's
            # context menu) leave it up, its buttons now answering nothing.
            self._dbus.close_notification(notification_id)
        kind, key = target
        if kind == "focus":
            if self._focus is not None and action in self._focus.actions[::2]:
                self._focus = None  # shown again, in its new state, once the session follows
                self.focus_action.emit(action)
        elif kind == "invitation":
            if key in self._invitations:
                self._accept_invitation(key)
        elif action in ANSWERS:
            if key in self._pending:
                self._finish(key, action)
        elif action == "default" and key in self._pending:
            self.responded.emit(key, OPENED)

    @Slot(int, int)
    def _on_closed(self, notification_id: int, reason: int) -> None:
        from ui.notification_backends import CLOSE_REASONS

        target = self._ids.pop(notification_id, None)
        if target is None:
            return
        self._shown.pop(target, None)
        kind, key = target
        if kind == "nudge" and key in self._pending and reason != 3:
            self.dismissed.emit(key, CLOSE_REASONS.get(reason, "other"))


def _icon_uri() -> str:
    from ui.icons import ICON_FILE, asset_path

    path = asset_path(ICON_FILE)
    return path.as_uri() if path.exists() else ""


# -- the tray menu's share ---------------------------------------------------------------------

MENU_TITLE = "Nudges"
ELIDE_AT = 60


def _elide(text: str, limit: int = ELIDE_AT) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class _PendingMenu(QObject):
    """Keeps one QMenu in step with a Notifier's pending nudges and invitations. A child of
    the menu, so it goes when the menu goes."""

    def __init__(self, menu: QMenu, notifier: Notifier) -> None:
        super().__init__(menu)
        self.setObjectName("wise-pending-menu")
        self.menu = menu
        self.notifier = notifier
        self._submenus: list[QMenu] = []
        # Rebuilt on the next turn of the event loop: an answer is given from inside a
        # menu action's signal, and that action must not be deleted under it.
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.rebuild)
        notifier.pending_changed.connect(self._later.start)

    @Slot()
    def rebuild(self) -> None:
        menu, notifier = self.menu, self.notifier
        for submenu in self._submenus:
            submenu.deleteLater()
        self._submenus.clear()
        menu.clear()
        nudges, invitations = notifier.pending(), notifier.pending_invitations()
        for nudge in nudges:
            self._add_nudge(nudge)
        if nudges and invitations:
            menu.addSeparator()
        for invitation in invitations:
            action = menu.addAction(_elide(invitation.title))
            action.triggered.connect(
                lambda _checked=False, kind=invitation.kind: notifier.open_invitation(kind))
        count = len(nudges) + len(invitations)
        menu.setTitle(f"{MENU_TITLE} ({count})" if count else MENU_TITLE)
        menu.menuAction().setVisible(count > 0)

    def _add_nudge(self, nudge: PendingNudge) -> None:
        submenu = QMenu(_elide(nudge.title), self.menu)
        self._submenus.append(submenu)
        if nudge.text and nudge.text.strip() != nudge.title.strip():
            about = submenu.addAction(_elide(nudge.text))
            about.setEnabled(False)
            submenu.addSeparator()
        for response, label in NUDGE_BUTTONS:
            action = submenu.addAction(label)
            action.setObjectName(f"nudge-{nudge.nudge_id}-{response}")
            action.triggered.connect(
                lambda _checked=False, n=nudge.nudge_id, r=response: self.notifier.answer(n, r))
        self.menu.addMenu(submenu)


def build_pending_menu(menu: QMenu, notifier: Notifier) -> QMenu:
    """Fill `menu` (a submenu of the tray's) with one entry per pending nudge, each with
    Done / Snooze 15 min / Not today, and one per waiting invitation; it keeps itself up to
    date from then on and hides while empty. Returns `menu`."""
    binder = menu.findChild(_PendingMenu, "wise-pending-menu")
    if binder is None:
        binder = _PendingMenu(menu, notifier)
    binder.rebuild()
    return menu
