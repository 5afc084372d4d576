"""Notifications over a real D-Bus: a private dbus-daemon per test, and on it either a small
notification server of our own (it records each call and presses buttons on request, a
real D-Bus round trip, deterministic) or, where installed, the real dunst daemon on a
virtual X display.

Needs `dbus-daemon` (Debian: dbus); the dunst tests also need dunst, dunstctl and Xvfb
(Debian: dunst, xvfb). Where one is not installed the test skips and says which (in CI,
which installs them all, that skip is a failure); one that is installed but does not
start is a failure everywhere.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dbus_bus import Bus
from tests.helpers import require_tools
from tests.xvfb import start_xvfb
from ui.notification_backends import NOTIFY_SIGNATURE
from ui.notifications import NUDGE_ACTIONS, Notifier

jeepney = pytest.importorskip("jeepney", reason="jeepney speaks D-Bus for Wise on Linux")

from jeepney import (  # noqa: E402  (after the skip above)
    DBusAddress,
    HeaderFields,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import message_bus  # noqa: E402
from jeepney.io.threading import ReceiveStopped, open_dbus_connection  # noqa: E402

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    # Qt widgets on the offscreen platform, as in tests/ui (these tests need no display).
    return ["wise-tests", "-platform", "offscreen"]


class FakeNotificationServer:
    """Owns org.freedesktop.Notifications; records every call; signals on request."""

    def __init__(self, address: str, capabilities: tuple[str, ...] = ("actions", "body")):
        self.capabilities = list(capabilities)
        self.calls: list[tuple[str, str, tuple]] = []   # (member, signature, body)
        self._next_id = 0
        self._lock = threading.Lock()
        self.conn = open_dbus_connection(bus=address)
        self._own_the_name()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _own_the_name(self) -> None:
        serial = 1000
        self.conn.send(message_bus.RequestName(NAME), serial=serial)
        while True:
            reply = self.conn.receive(timeout=5)
            if reply.header.fields.get(HeaderFields.reply_serial) == serial:
                assert reply.body == (1,), "the fake could not own the notifications name"
                return

    def _serve(self) -> None:
        while True:
            try:
                msg = self.conn.receive()
            except (ReceiveStopped, OSError):
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            signature = msg.header.fields.get(HeaderFields.signature, "")
            if member == "GetCapabilities":
                self.conn.send(new_method_return(msg, "as", (self.capabilities,)))
            elif member == "GetServerInformation":
                self.conn.send(new_method_return(msg, "ssss", ("fake", "wise-tests", "1", "1.2")))
            elif member == "Notify":
                with self._lock:
                    replaces = msg.body[1]
                    if not replaces:
                        self._next_id += 1
                    notification_id = replaces or self._next_id
                self.conn.send(new_method_return(msg, "u", (notification_id,)))
            elif member == "CloseNotification":
                self.conn.send(new_method_return(msg))
                self.close(msg.body[0], reason=3)
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))
            # Recorded after the reply, so a test that saw the call knows the reply was sent.
            with self._lock:
                self.calls.append((member, signature, msg.body))

    def calls_of(self, member: str) -> list[tuple]:
        with self._lock:
            return [(signature, body) for name, signature, body in self.calls if name == member]

    def last_notification_id(self) -> int:
        with self._lock:
            return self._next_id

    def _signal(self, member: str, signature: str, body: tuple) -> None:
        emitter = DBusAddress(PATH, interface=NAME)
        self.conn.send(new_signal(emitter, member, signature, body))

    def press(self, notification_id: int, action: str) -> None:
        """What a daemon does when a button is pressed: the action, then the close."""
        self._signal("ActionInvoked", "us", (notification_id, action))
        self.close(notification_id, reason=2)

    def close(self, notification_id: int, reason: int) -> None:
        self._signal("NotificationClosed", "uu", (notification_id, reason))

    def stop(self) -> None:
        self.conn.interrupt()
        self._thread.join(5)
        self.conn.close()
        for fd in (self.conn._stop_r, self.conn._stop_w):
            os.close(fd)


@pytest.fixture
def fake_server(private_bus: Bus) -> Iterator[FakeNotificationServer]:
    server = FakeNotificationServer(private_bus.address)
    yield server
    server.stop()


@pytest.fixture
def notifier(qtbot) -> Iterator[Notifier]:
    made = Notifier(None)
    yield made
    made.stop()


def start(notifier: Notifier, qtbot) -> str:
    with qtbot.waitSignal(notifier.settled, timeout=10_000) as settled:
        notifier.start()
    return settled.args[0]


def test_a_nudge_has_three_buttons_and_done_comes_back(fake_server, notifier, qtbot) -> None:
    assert start(notifier, qtbot) == "dbus"
    notifier.show_nudge(7, "Water the plants", "Two minutes & <just> the kitchen ones.")
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("Notify")), timeout=5000)
    [(signature, body)] = fake_server.calls_of("Notify")
    assert signature == NOTIFY_SIGNATURE == "susssasa{sv}i"
    app, replaces, _icon, summary, text, actions, hints, timeout = body
    assert (app, replaces, summary, timeout) == ("Wise", 0, "Water the plants", -1)
    assert actions == ["started", "Start 2 min", "done", "Done", "snooze", "Snooze 15 min",
                       "not_today", "Not today"]
    assert actions == NUDGE_ACTIONS
    assert text == "Two minutes & <just> the kitchen ones."  # no body-markup: sent as is
    assert hints["urgency"] == ("y", 1)
    assert hints["desktop-entry"] == ("s", "wise")

    dismissed: list = []
    notifier.dismissed.connect(lambda *args: dismissed.append(args))
    with qtbot.waitSignal(notifier.responded, timeout=5000) as answered:
        fake_server.press(fake_server.last_notification_id(), "done")
    assert answered.args == [7, "done"]
    assert notifier.pending() == []
    assert not notifier.on_screen(7)
    qtbot.wait(100)  # the close that follows a press is not "dismissed"
    assert dismissed == []


@pytest.mark.parametrize("action", ["snooze", "not_today"])
def test_snooze_and_not_today(fake_server, notifier, qtbot, action: str) -> None:
    start(notifier, qtbot)
    notifier.show_nudge(3, "Reply to Sam", "")
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("Notify")), timeout=5000)
    with qtbot.waitSignal(notifier.responded, timeout=5000) as answered:
        fake_server.press(fake_server.last_notification_id(), action)
    assert answered.args == [3, action]


def test_markup_is_escaped_where_the_server_reads_it(private_bus: Bus, qtbot) -> None:
    server = FakeNotificationServer(private_bus.address, ("actions", "body", "body-markup"))
    notifier = Notifier(None)
    try:
        start(notifier, qtbot)
        notifier.show_nudge(1, "Plan", "<b>not bold</b> & fine")
        qtbot.waitUntil(lambda: bool(server.calls_of("Notify")), timeout=5000)
        assert server.calls_of("Notify")[0][1][4] == "&lt;b&gt;not bold&lt;/b&gt; &amp; fine"
    finally:
        notifier.stop()
        server.stop()


def test_an_answer_from_the_menu_closes_the_notification(fake_server, notifier,
                                                         qtbot) -> None:
    start(notifier, qtbot)
    notifier.show_nudge(4, "Stretch", "")
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("Notify")), timeout=5000)
    shown_id = fake_server.last_notification_id()
    qtbot.waitUntil(lambda: notifier.on_screen(4), timeout=5000)  # the reply arrived
    with qtbot.waitSignal(notifier.responded) as answered:
        notifier.answer(4, "snooze")
    assert answered.args == [4, "snooze"]
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("CloseNotification")), timeout=5000)
    assert fake_server.calls_of("CloseNotification") == [("u", (shown_id,))]
    with qtbot.assertNotEmitted(notifier.responded, wait=200):
        fake_server.press(shown_id, "done")  # too late: already answered


def test_withdraw_and_replace(fake_server, notifier, qtbot) -> None:
    start(notifier, qtbot)
    notifier.show_nudge(5, "Walk", "ten minutes")
    qtbot.waitUntil(lambda: notifier.on_screen(5), timeout=5000)
    first = fake_server.last_notification_id()
    notifier.show_nudge(5, "Walk", "five will do")          # the same nudge, again
    qtbot.waitUntil(lambda: len(fake_server.calls_of("Notify")) == 2, timeout=5000)
    assert fake_server.calls_of("Notify")[1][1][1] == first  # replaces_id
    assert fake_server.last_notification_id() == first
    qtbot.waitUntil(lambda: notifier.on_screen(5), timeout=5000)
    notifier.withdraw(5)
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("CloseNotification")), timeout=5000)
    assert fake_server.calls_of("CloseNotification") == [("u", (first,))]
    assert notifier.pending() == []


def test_an_expired_nudge_stays_in_the_menu(fake_server, notifier, qtbot) -> None:
    start(notifier, qtbot)
    notifier.show_nudge(6, "Pay the bill", "")
    qtbot.waitUntil(lambda: notifier.on_screen(6), timeout=5000)
    with qtbot.waitSignal(notifier.dismissed, timeout=5000) as gone:
        fake_server.close(fake_server.last_notification_id(), reason=1)
    assert gone.args == [6, "expired"]
    assert [n.nudge_id for n in notifier.pending()] == [6]


def test_an_invitation_opens_on_click(fake_server, notifier, qtbot) -> None:
    start(notifier, qtbot)
    notifier.show_invitation("reflection", "Your reflection is ready", "Five calm minutes.")
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("Notify")), timeout=5000)
    assert fake_server.calls_of("Notify")[0][1][5] == ["default", "Open"]
    with qtbot.waitSignal(notifier.invitation_clicked, timeout=5000) as clicked:
        fake_server.press(fake_server.last_notification_id(), "default")
    assert clicked.args == ["reflection"]


def test_nudges_shown_while_the_server_is_asked_are_not_lost(fake_server, qtbot) -> None:
    notifier = Notifier(None)
    try:
        notifier.start()
        notifier.show_nudge(9, "Early", "")   # before the server has answered
        qtbot.waitUntil(lambda: bool(fake_server.calls_of("Notify")), timeout=5000)
        assert notifier.backend() == "dbus"
    finally:
        notifier.stop()


def test_stop_takes_our_notifications_off_the_screen(fake_server, qtbot) -> None:
    notifier = Notifier(None)
    start(notifier, qtbot)
    notifier.show_nudge(1, "One", "")
    qtbot.waitUntil(lambda: notifier.on_screen(1), timeout=5000)
    notifier.stop()
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("CloseNotification")), timeout=5000)
    assert notifier.backend() == "menu"
    assert [n.nudge_id for n in notifier.pending()] == [1]


def test_a_server_without_buttons_is_not_used(private_bus: Bus, notifier, qtbot) -> None:
    server = FakeNotificationServer(private_bus.address, ("body",))
    try:
        assert start(notifier, qtbot) == "menu"
        notifier.show_nudge(1, "One", "")
        qtbot.wait(100)
        assert server.calls_of("Notify") == []
        assert [n.nudge_id for n in notifier.pending()] == [1]
    finally:
        server.stop()


def test_no_server_on_the_bus(private_bus, notifier, qtbot) -> None:
    assert start(notifier, qtbot) == "menu"


def test_losing_the_bus_falls_back_to_the_menu(private_bus: Bus, fake_server, notifier,
                                               qtbot) -> None:
    assert start(notifier, qtbot) == "dbus"
    notifier.show_nudge(2, "Kept", "")
    qtbot.waitUntil(lambda: bool(fake_server.calls_of("Notify")), timeout=5000)
    with qtbot.waitSignal(notifier.backend_changed, timeout=5000) as changed:
        private_bus.process.terminate()  # the session bus goes away
    assert changed.args == ["menu"]
    assert [n.nudge_id for n in notifier.pending()] == [2]


# -- a real daemon ---------------------------------------------------------------------------

PICK_SNOOZE = """#!/bin/sh
# dunst's context menu lists one line per action, e.g. "#Snooze 15 min (Title) [3,snooze]"
grep -m1 'Snooze'
"""


@pytest.fixture
def dunst(private_bus: Bus, tmp_path: Path) -> Iterator[dict[str, str]]:
    """dunst on a virtual X display, on the private bus; yields the env for dunstctl."""
    require_tools("dunst", "dunstctl", "Xvfb", install="dunst xvfb")
    xvfb, display = start_xvfb(screen="800x600x24")  # RuntimeError: a failure, not a skip
    processes = [xvfb]
    try:
        picker = tmp_path / "pick.sh"
        picker.write_text(PICK_SNOOZE)
        picker.chmod(0o755)
        config = tmp_path / "dunstrc"
        config.write_text(f"[global]\n    dmenu = {picker}\n")
        env = {**os.environ, "DISPLAY": display,
               "DBUS_SESSION_BUS_ADDRESS": private_bus.address}
        log = tmp_path / "dunst.log"
        with open(log, "wb") as err:
            processes.append(subprocess.Popen(["dunst", "-config", str(config)], env=env,
                                              stdout=subprocess.DEVNULL, stderr=err))
        deadline = time.monotonic() + 30
        while not name_has_owner(private_bus.address, NAME):
            if processes[-1].poll() is not None:
                pytest.fail(f"dunst ended on the virtual display: {log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail("dunst did not take the notifications name within 30 s")
            time.sleep(0.05)
        yield env
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(10)


def name_has_owner(address: str, name: str) -> bool:
    from jeepney.io.blocking import open_dbus_connection as open_blocking

    with open_blocking(bus=address) as conn:
        return bool(conn.send_and_get_reply(message_bus.NameHasOwner(name)).body[0])


def dunstctl(env: dict[str, str], *args: str) -> str:
    return subprocess.run(["dunstctl", *args], env=env, capture_output=True, text=True,
                          timeout=10, check=True).stdout.strip()


def test_with_dunst_snooze_comes_back(dunst, notifier, qtbot) -> None:
    assert start(notifier, qtbot) == "dbus"
    assert "actions" in notifier.capabilities
    notifier.show_nudge(11, "Water the plants", "Two minutes.")
    qtbot.waitUntil(lambda: dunstctl(dunst, "count", "displayed") == "1", timeout=10_000)
    with qtbot.waitSignal(notifier.responded, timeout=10_000) as answered:
        dunstctl(dunst, "context")  # the context menu; our picker chooses "Snooze 15 min"
    assert answered.args == [11, "snooze"]
    qtbot.waitUntil(lambda: dunstctl(dunst, "count", "displayed") == "0", timeout=10_000)


def test_with_dunst_withdraw_closes_it(dunst, notifier, qtbot) -> None:
    start(notifier, qtbot)
    notifier.show_nudge(12, "Stretch", "")
    qtbot.waitUntil(lambda: dunstctl(dunst, "count", "displayed") == "1", timeout=10_000)
    notifier.withdraw(12)
    qtbot.waitUntil(lambda: dunstctl(dunst, "count", "displayed") == "0", timeout=10_000)




# -- the focus session's persistent notification ---------------------------------------------

def test_the_focus_notification_is_resident_updated_sparingly_and_taken_away(
        fake_server, notifier, qtbot) -> None:
    from ui.notifications import FOCUS_PAUSED, FOCUS_RUNNING

    assert start(notifier, qtbot) == "dbus"
    notifier.show_focus("Focus: write the intro", "25 min, until 14:32.", FOCUS_RUNNING)
    qtbot.waitUntil(notifier.focus_on_screen, timeout=5000)
    [(_sig, body)] = fake_server.calls_of("Notify")
    _app, replaces, _icon, summary, text, actions, hints, timeout = body
    assert (replaces, summary, text, timeout) == (0, "Focus: write the intro",
                                                  "25 min, until 14:32.", 0)  # never expires
    assert actions == list(FOCUS_RUNNING)
    assert hints["resident"] == ("b", True) and hints["suppress-sound"] == ("b", True)
    shown = fake_server.last_notification_id()
    for _tick in range(5):  # the tray's every look says the same: nothing is sent
        notifier.show_focus("Focus: write the intro", "25 min, until 14:32.", FOCUS_RUNNING)
    with qtbot.waitSignal(notifier.focus_action, timeout=5000) as pressed:
        fake_server.press(shown, "pause")
    assert pressed.args == ["pause"]
    notifier.show_focus("Focus: write the intro", "Paused, 20 min left.", FOCUS_PAUSED)
    qtbot.waitUntil(lambda: len(fake_server.calls_of("Notify")) == 2, timeout=5000)
    assert fake_server.calls_of("Notify")[1][1][5] == list(FOCUS_PAUSED)
    qtbot.waitUntil(notifier.focus_on_screen, timeout=5000)
    paused_id = fake_server.last_notification_id()
    notifier.withdraw_focus()
    qtbot.waitUntil(lambda: ("u", (paused_id,)) in fake_server.calls_of("CloseNotification"),
                    timeout=5000)
    assert len(fake_server.calls_of("Notify")) == 2
    assert notifier.pending() == [] and notifier.tooltip_text() == ""


def test_without_buttons_no_focus_notification_is_sent(private_bus: Bus, notifier,
                                                       qtbot) -> None:
    server = FakeNotificationServer(private_bus.address, ("body",))
    try:
        assert start(notifier, qtbot) == "menu"
        notifier.show_focus("Focus: x", "2 min, until 09:02.", ("done", "Done"))
        qtbot.wait(100)
        assert server.calls_of("Notify") == []  # the ring and the tooltip say it
    finally:
        server.stop()


def test_with_dunst_the_focus_notification_stays_until_the_session_ends(
        dunst, notifier, qtbot) -> None:
    from ui.notifications import FOCUS_RUNNING

    start(notifier, qtbot)
    notifier.show_focus("Focus: water the plants", "2 min, until 09:02.", FOCUS_RUNNING)
    qtbot.waitUntil(lambda: dunstctl(dunst, "count", "displayed") == "1", timeout=10_000)
    notifier.show_focus("Focus: water the plants", "7 min, until 09:07.", FOCUS_RUNNING)
    qtbot.wait(300)
    assert dunstctl(dunst, "count", "displayed") == "1"  # updated in place, not a second
    notifier.withdraw_focus()
    qtbot.waitUntil(lambda: dunstctl(dunst, "count", "displayed") == "0", timeout=10_000)
