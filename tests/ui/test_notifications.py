"""Notifications without a notification server: tray messages, or the tray menu, and
nothing lost. Offscreen Qt, no D-Bus: the session bus address points at nothing, as for
every test (tests/isolation.py); tests/integration/test_dbus_notifications.py has the
D-Bus path."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icons import app_icon
from ui.notifications import Notifier, build_pending_menu

BUTTONS = ["Start 2 min", "Done", "Snooze 15 min", "Not today"]


@pytest.fixture
def started(qtbot):
    made: list[Notifier] = []

    def start(tray: QSystemTrayIcon | None) -> Notifier:
        notifier = Notifier(tray)
        made.append(notifier)
        with qtbot.waitSignal(notifier.settled, timeout=5000):
            notifier.start()
        return notifier

    yield start
    for notifier in made:
        notifier.stop()


@pytest.fixture
def tray(qtbot):
    icon = QSystemTrayIcon(app_icon())
    yield icon
    icon.hide()


def menu_entries(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def submenu_for(menu: QMenu, title: str) -> QMenu:
    [action] = [a for a in menu.actions() if a.text() == title]
    return action.menu()


def test_without_a_tray_or_a_bus_nudges_wait_in_the_menu(started, qtbot) -> None:
    notifier = started(None)
    assert notifier.backend() == "menu"
    notifier.show_nudge(1, "Water the plants", "Two minutes: just the kitchen ones.")
    [pending] = notifier.pending()
    assert (pending.nudge_id, pending.title) == (1, "Water the plants")
    assert "Water the plants" in notifier.tooltip_text()
    with qtbot.waitSignal(notifier.responded) as answered:
        notifier.answer(1, "done")
    assert answered.args == [1, "done"]
    assert notifier.pending() == []
    assert notifier.tooltip_text() == ""


def test_with_a_tray_nudges_become_tray_messages_and_a_click_opens(started, tray,
                                                                   qtbot) -> None:
    notifier = started(tray)
    expected = "tray-message" if QSystemTrayIcon.supportsMessages() else "menu"
    assert notifier.backend() == expected
    if expected == "menu":
        pytest.skip("this Qt platform shows no tray messages: the menu path is tested above")
    notifier.show_nudge(4, "Call mum", "Just say hi.")
    with qtbot.waitSignal(notifier.responded) as clicked:
        tray.messageClicked.emit()
    assert clicked.args == [4, "opened"]
    # Opened is not an answer: Done / Snooze / Not today are still on offer in the menu.
    assert [n.nudge_id for n in notifier.pending()] == [4]
    with qtbot.assertNotEmitted(notifier.responded):
        tray.messageClicked.emit()  # a second click on the same, gone balloon


def test_a_tray_message_click_on_an_invitation_opens_it(started, tray, qtbot) -> None:
    notifier = started(tray)
    if notifier.backend() != "tray-message":
        pytest.skip("this Qt platform shows no tray messages")
    notifier.show_invitation("reflection", "Your reflection is ready", "Five calm minutes.")
    with qtbot.waitSignal(notifier.invitation_clicked) as clicked:
        tray.messageClicked.emit()
    assert clicked.args == ["reflection"]
    assert notifier.pending_invitations() == []


def test_the_menu_offers_done_snooze_not_today_for_each_pending_nudge(started, qtbot) -> None:
    notifier = started(None)
    menu = build_pending_menu(QMenu("Nudges"), notifier)
    assert not menu.menuAction().isVisible()  # nothing waiting: no empty menu
    notifier.show_nudge(1, "Water the plants", "Two minutes: just the kitchen ones.")
    notifier.show_nudge(2, "Reply to Sam", "")
    qtbot.waitUntil(lambda: menu_entries(menu) == ["Water the plants", "Reply to Sam"])
    assert menu.title() == "Nudges (2)"
    assert menu.menuAction().isVisible()
    first = submenu_for(menu, "Water the plants")
    assert menu_entries(first) == ["Two minutes: just the kitchen ones.", *BUTTONS]
    assert menu_entries(submenu_for(menu, "Reply to Sam")) == BUTTONS

    [not_today] = [a for a in first.actions() if a.text() == "Not today"]
    with qtbot.waitSignal(notifier.responded) as answered:
        not_today.trigger()
    assert answered.args == [1, "not_today"]
    qtbot.waitUntil(lambda: menu_entries(menu) == ["Reply to Sam"])
    assert menu.title() == "Nudges (1)"

    [snooze] = [a for a in submenu_for(menu, "Reply to Sam").actions()
                if a.text() == "Snooze 15 min"]
    with qtbot.waitSignal(notifier.responded) as answered:
        snooze.trigger()
    assert answered.args == [2, "snooze"]
    qtbot.waitUntil(lambda: not menu.menuAction().isVisible())
    assert menu_entries(menu) == []


def test_building_the_menu_twice_keeps_one_set_of_entries(started, qtbot) -> None:
    notifier = started(None)
    menu = QMenu("Nudges")
    build_pending_menu(menu, notifier)
    build_pending_menu(menu, notifier)
    notifier.show_nudge(1, "Stretch", "")
    qtbot.waitUntil(lambda: menu_entries(menu) == ["Stretch"])
    qtbot.wait(20)
    assert menu_entries(menu) == ["Stretch"]


def test_an_invitation_waits_in_the_menu_and_opens_from_it(started, qtbot) -> None:
    notifier = started(None)
    menu = build_pending_menu(QMenu("Nudges"), notifier)
    notifier.show_invitation("review", "Time for your weekly goal review", "")
    qtbot.waitUntil(lambda: menu_entries(menu) == ["Time for your weekly goal review"])
    assert "weekly goal review" in notifier.tooltip_text()
    with qtbot.waitSignal(notifier.invitation_clicked) as clicked:
        menu.actions()[0].trigger()
    assert clicked.args == ["review"]
    assert notifier.pending_invitations() == []


def test_answers_are_reported_once_and_checked(started, qtbot) -> None:
    notifier = started(None)
    notifier.show_nudge(3, "Pay the bill", "")
    with pytest.raises(ValueError, match="unknown response"):
        notifier.answer(3, "later")
    with qtbot.waitSignal(notifier.responded):
        notifier.answer(3, "done")
    with qtbot.assertNotEmitted(notifier.responded):
        notifier.answer(3, "done")       # a second answer (the menu and a click, say)
        notifier.answer(99, "snooze")    # never shown


def test_withdraw_removes_without_an_answer(started, qtbot) -> None:
    notifier = started(None)
    notifier.show_nudge(5, "Tidy the desk", "")
    with qtbot.assertNotEmitted(notifier.responded), \
            qtbot.waitSignal(notifier.pending_changed):
        notifier.withdraw(5)
    assert notifier.pending() == []
    notifier.withdraw(5)  # twice is harmless


def test_showing_a_nudge_again_replaces_it(started) -> None:
    notifier = started(None)
    notifier.show_nudge(6, "Walk", "ten minutes")
    notifier.show_nudge(6, "Walk", "five minutes will do")
    [pending] = notifier.pending()
    assert pending.text == "five minutes will do"


def test_no_session_bus_at_all_falls_back(monkeypatch, tmp_path, started) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no `bus` socket in it
    notifier = started(None)
    assert notifier.backend() == "menu"


def test_nothing_happens_before_start_and_after_stop(qtbot) -> None:
    notifier = Notifier(None, use_dbus=False)
    notifier.show_nudge(1, "Before start", "")
    assert [n.nudge_id for n in notifier.pending()] == [1]
    with qtbot.waitSignal(notifier.settled):
        notifier.start()
    notifier.stop()
    notifier.stop()
    with qtbot.waitSignal(notifier.responded):
        notifier.answer(1, "done")


def test_a_nudge_s_words_never_reach_the_log(started, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    notifier = started(None)
    notifier.show_nudge(8, "Email the landlord", "about the boiler")
    notifier.answer(8, "not_today")
    notifier.show_invitation("checkin", "What is the one thing today?", "")
    text = caplog.text
    assert "landlord" not in text and "boiler" not in text and "one thing" not in text


def test_a_nudge_answered_while_held_for_the_probe_is_never_shown(qtbot, tmp_path) -> None:
    # The probe's outcome arrives through the event loop, so until it turns, the nudge is
    # held; answering it then must drop it from the queue as well as from the list.
    notifier = Notifier(None, bus_address=f"unix:path={tmp_path / 'no-bus'}",
                        probe_timeout_ms=200)
    try:
        notifier.start()
        notifier.show_nudge(1, "Held", "")
        with qtbot.waitSignal(notifier.responded):
            notifier.answer(1, "done")
        with qtbot.waitSignal(notifier.settled, timeout=5000):
            pass
        assert notifier.pending() == []
    finally:
        notifier.stop()
