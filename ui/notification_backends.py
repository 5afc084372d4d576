"""Desktop notifications over D-Bus (org.freedesktop.Notifications), for `ui.notifications`.

Spoken with jeepney, the small pure-Python D-Bus library that keyring already brings on
Linux. Why not Qt's own QtDBus: PySide6 cannot marshal an unsigned integer, and Notify's
`replaces_id` is one (`susssasa{sv}i`), so daemons built on GDBus (dunst, GNOME,
notification-daemon) reject the call. Why not desktop-notifier: on Linux it needs
dbus-fast and an asyncio loop on a thread of its own, for the same four D-Bus calls.

Threads, and nothing else, touch the socket; the GUI thread never waits on D-Bus:

- the *sender* thread connects (authentication and Hello can take a moment, or time out
  when the bus is wedged) and sends each call;
- the *receiver* thread sleeps in `select` until the bus has something for us (no timer,
  no polling: an idle tray is not woken), matches replies to calls and turns the
  daemon's signals into Qt signals.

Replies and the daemon's signals are all turned into Qt signals on the receiver thread, in
the order they arrived, so the GUI thread sees a call's reply (`shown`) before any action or
close signal about the notification it created (`failed` may also come from the sender).
The QObject itself lives on the GUI thread; the threads keep only a weak reference to it
between messages, so it is never destroyed on a worker thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
NOTIFY_SIGNATURE = "susssasa{sv}i"

# Replies are handled on the receiver thread, given the client: (client, message).
Reply = Callable[["DBusNotifications", Any], None]
# Clients whose sender thread outlived stop() (a wedged bus): kept, so that the QObject is
# never freed on that thread when it finally lets go.
_STILL_STOPPING: list[DBusNotifications] = []

# NotificationClosed reasons, from the Desktop Notifications Specification 1.2.
CLOSE_REASONS = {1: "expired", 2: "dismissed", 3: "closed", 4: "other"}


def session_bus_address() -> str | None:
    """The session bus's address: $DBUS_SESSION_BUS_ADDRESS, else systemd's user bus."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and (Path(runtime) / "bus").exists():
        return f"unix:path={Path(runtime) / 'bus'}"
    return None


def _variant(value: Any) -> tuple[str, Any]:
    """A hint value in the D-Bus type the specification asks for."""
    if isinstance(value, tuple):
        return value  # already (signature, value)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int):
        return ("i", value)
    return ("s", str(value))


class DBusNotifications(QObject):
    """An asynchronous client of the notification server. Call only from the GUI thread."""

    ready = Signal(object)              # the server's capabilities (list[str]) and info
    failed = Signal(str)                # could not connect, or the connection was lost
    shown = Signal(object, int)         # token, notification id (the reply to Notify)
    show_failed = Signal(object, str)   # token, why
    action_invoked = Signal(int, str)   # notification id, action key
    closed = Signal(int, int)           # notification id, reason (see CLOSE_REASONS)

    def __init__(self, address: str | None = None, *, connect_timeout: float = 3.0) -> None:
        super().__init__()
        self._address = address
        self._connect_timeout = connect_timeout
        self._outbox: queue.SimpleQueue[Callable[[DBusNotifications], None] | None] = (
            queue.SimpleQueue())
        self._conn: Any = None
        self._sender: threading.Thread | None = None
        self._receiver: threading.Thread | None = None
        self._replies: dict[int, Reply] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.server_info: tuple[str, ...] = ()

    # -- the GUI thread's side -------------------------------------------------------------

    def start(self) -> None:
        """Connect and ask the server what it can do; `ready` or `failed` follows."""
        if self._sender is not None:
            return
        me = weakref.ref(self)
        self._sender = threading.Thread(target=_sender_loop, args=(me, self._outbox),
                                        name="wise-notify-send", daemon=True)
        self._outbox.put(DBusNotifications._connect)
        self._sender.start()

    def notify(self, token: object, *, summary: str, body: str, actions: list[str],
               hints: dict[str, Any] | None = None, replaces_id: int = 0,
               expire_timeout: int = -1, app_name: str = "Wise", app_icon: str = "") -> None:
        """Show a notification; `shown(token, id)` or `show_failed(token, why)` follows."""
        args = (app_name, replaces_id, app_icon, summary, body, list(actions),
                {key: _variant(value) for key, value in (hints or {}).items()},
                expire_timeout)

        def on_reply(me: DBusNotifications, msg: Any) -> None:
            if _is_error(msg):
                me._emit("show_failed", token, _error_text(msg))
            else:
                me._emit("shown", token, int(msg.body[0]))

        self._outbox.put(lambda me: me._call("Notify", NOTIFY_SIGNATURE, args, on_reply))

    def close_notification(self, notification_id: int) -> None:
        if notification_id > 0:
            self._outbox.put(lambda me: me._call("CloseNotification", "u", (notification_id,),
                                                 _ignore_reply))

    def stop(self, timeout: float = 1.0) -> None:
        """Send what is queued (a last close, say), then disconnect. Waits at most ~timeout."""
        self._outbox.put(None)
        if self._sender is not None and self._sender.is_alive():
            self._sender.join(timeout)
            if self._sender.is_alive():  # stuck connecting to a wedged bus
                _STILL_STOPPING.append(self)  # so it is never freed on that thread
        self._stopping.set()
        conn, self._conn = self._conn, None
        if conn is None:
            return
        conn.interrupt()  # wakes the receiver, which then ends
        if self._receiver is not None:
            self._receiver.join(timeout)
        _close_connection(conn, pipes=self._receiver is None or not self._receiver.is_alive())

    # -- the sender thread's side -----------------------------------------------------------

    def _connect(self) -> None:
        from jeepney import MatchRule, message_bus
        from jeepney.io.threading import open_dbus_connection

        address = self._address or session_bus_address()
        if not address:
            raise ConnectionError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
        conn = open_dbus_connection(bus=address, auth_timeout=self._connect_timeout)
        if self._stopping.is_set():
            _close_connection(conn)
            return
        self._conn = conn
        self._receiver = threading.Thread(target=_receiver_loop, args=(weakref.ref(self), conn),
                                          name="wise-notify-receive", daemon=True)
        self._receiver.start()
        rule = MatchRule(type="signal", interface=INTERFACE, path=OBJECT_PATH)
        self._send(message_bus.AddMatch(rule), _ignore_reply)
        self._call("GetServerInformation", None, (), DBusNotifications._on_server_information)
        # The last of the three: its reply says the server exists and what it can do. A
        # server that is D-Bus activatable is started by this call.
        self._call("GetCapabilities", None, (), DBusNotifications._on_capabilities)

    def _on_server_information(self, msg: Any) -> None:
        if not _is_error(msg):
            self.server_info = tuple(str(part) for part in msg.body)

    def _on_capabilities(self, msg: Any) -> None:
        if _is_error(msg):
            self._emit("failed", f"no notification service: {_error_text(msg)}")
        else:
            self._emit("ready", [str(cap) for cap in msg.body[0]])

    def _call(self, method: str, signature: str | None, args: tuple, on_reply: Reply) -> None:
        from jeepney import DBusAddress, new_method_call

        target = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
        self._send(new_method_call(target, method, signature, args), on_reply)

    def _send(self, message: Any, on_reply: Reply) -> None:
        conn = self._conn
        if conn is None:
            raise ConnectionError("not connected to D-Bus")
        serial = next(conn.outgoing_serial)  # only this thread sends after Hello
        with self._lock:
            self._replies[serial] = on_reply
        try:
            conn.send(message, serial=serial)
        except BaseException:
            with self._lock:
                self._replies.pop(serial, None)
            raise

    def _sender_failed(self, exc: BaseException) -> None:
        if not self._stopping.is_set():
            self._emit("failed", f"D-Bus: {exc.__class__.__name__}: {exc}")

    # -- the receiver thread's side ---------------------------------------------------------

    def _dispatch(self, msg: Any) -> None:
        from jeepney import HeaderFields, MessageType

        fields = msg.header.fields
        kind = msg.header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            with self._lock:
                on_reply = self._replies.pop(fields.get(HeaderFields.reply_serial), None)
            if on_reply is not None:
                on_reply(self, msg)
        elif (kind == MessageType.signal and fields.get(HeaderFields.interface) == INTERFACE
              and fields.get(HeaderFields.path) == OBJECT_PATH):
            member = fields.get(HeaderFields.member)
            if member == "ActionInvoked" and len(msg.body) >= 2:
                self._emit("action_invoked", int(msg.body[0]), str(msg.body[1]))
            elif member == "NotificationClosed" and len(msg.body) >= 2:
                self._emit("closed", int(msg.body[0]), int(msg.body[1]))

    def _receiver_ended(self, exc: BaseException | None) -> None:
        with self._lock:
            self._replies.clear()
        if exc is not None and not self._stopping.is_set():
            self._emit("failed", f"the D-Bus connection was lost ({exc.__class__.__name__})")

    def _emit(self, name: str, *args: Any) -> None:
        getattr(self, name).emit(*args)


def _sender_loop(owner: weakref.ref, outbox: queue.SimpleQueue) -> None:
    while True:
        job = outbox.get()
        if job is None:
            return
        me = owner()
        if me is None:
            return
        try:
            job(me)
        except Exception as exc:
            me._sender_failed(exc)
        # No strong reference stays on this thread while it waits for the next job.
        del me, job


def _receiver_loop(owner: weakref.ref, conn: Any) -> None:
    from jeepney.io.threading import ReceiveStopped

    ended: BaseException | None = None
    while True:
        try:
            msg = conn.receive()
        except ReceiveStopped:
            break
        except Exception as exc:  # the bus went away, or the socket was closed under us
            ended = exc
            break
        me = owner()
        if me is None:
            return
        try:
            me._dispatch(msg)
        except Exception:
            log.exception("a D-Bus message could not be handled")
        del me
    me = owner()
    if me is not None:
        me._receiver_ended(ended)


def _ignore_reply(_me: DBusNotifications, _msg: Any) -> None:
    pass


def _close_connection(conn: Any, *, pipes: bool = True) -> None:
    with contextlib.suppress(OSError):
        conn.close()  # closes the socket
    if not pipes:
        return  # a receiver still running may yet look at them
    # jeepney's threading connection keeps a wake-up pipe that close() leaves open.
    for fd in (getattr(conn, "_stop_r", None), getattr(conn, "_stop_w", None)):
        if isinstance(fd, int):
            with contextlib.suppress(OSError):
                os.close(fd)


def _is_error(msg: Any) -> bool:
    from jeepney import MessageType

    return msg.header.message_type == MessageType.error


def _error_text(msg: Any) -> str:
    from jeepney import HeaderFields

    name = msg.header.fields.get(HeaderFields.error_name, "error")
    detail = msg.body[0] if msg.body and isinstance(msg.body[0], str) else ""
    return f"{name}: {detail}" if detail else str(name)
