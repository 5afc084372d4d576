"""Without a tray, the fallback window offers every item of the tray's menu: each button
reaches the app, and it shows the same state (paused, a damaged journal, sync)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.ui.test_tray import ACTIONS, Recorder
from ui.fallback_window import FallbackWindow
from ui.menu_items import menu_items
from ui.tray import WiseTray

pytestmark = pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
SLOW_MS = 60_000


@pytest.fixture
def window(qtbot):
    recorder = Recorder()
    fallback = FallbackWindow(recorder)
    qtbot.addWidget(fallback)
    fallback.show()
    return fallback, recorder


def test_every_tray_item_has_its_way_here(window) -> None:
    fallback, recorder = window
    items = menu_items(recorder)
    reached = set()
    for item in items:
        recorder.calls.clear()
        if item.submenu:
            action = fallback.pause_actions[item.name]
            action.setEnabled(True)
            action.trigger()
        else:
            button = fallback.buttons[item.name]
            button.setVisible(True)
            button.click()
        assert len(recorder.calls) == 1, item.name
        reached.update(recorder.calls)
    assert reached == set(ACTIONS)


def test_the_tray_and_the_window_offer_the_same_items(window, qtbot) -> None:
    fallback, recorder = window
    tray = WiseTray(recorder)
    try:
        # The focus session's lines are the tray's own (the timer window carries them
        # wherever there is no tray); every item of ui.menu_items, and "Start a step…",
        # is in both.
        focus = {tray.focus_line, *tray._focus_actions()}
        tray_texts = [a.text() for a in tray.contextMenu().actions()
                      if not a.isSeparator() and a not in focus]
        tray_texts += [a.text() for a in tray.pause_menu.actions() if not a.isSeparator()]
    finally:
        tray.hide()
    window_texts = [b.text() for b in fallback.findChildren(QPushButton)]
    window_texts += [a.text() for a in fallback.pause_menu.actions() if not a.isSeparator()]
    assert sorted(tray_texts) == sorted(window_texts)


def test_the_reflection_and_review_are_reachable_by_keyboard(window, qtbot) -> None:
    fallback, recorder = window
    for name, expected in (("reflection_action", "show_reflection"),
                           ("review_action", "show_review")):
        recorder.calls.clear()
        button = fallback.buttons[name]
        assert button.isVisible() and button.focusPolicy() != button.focusPolicy().NoFocus
        button.setFocus()
        qtbot.keyClick(button, Qt.Key.Key_Space)
        assert recorder.calls == [expected]


def test_state_follows_as_in_the_tray(window) -> None:
    fallback, recorder = window
    assert not fallback.buttons["damage_action"].isVisible()
    assert not fallback.pause_actions["resume_action"].isEnabled()
    fallback.set_paused(True, "17:30")
    assert fallback.pause_button.text() == "Nudges paused until 17:30"
    fallback.pause_actions["resume_action"].trigger()
    assert recorder.calls == ["resume_nudges"]
    fallback.set_journal_damaged(True)
    assert fallback.buttons["damage_action"].isVisible()
    fallback.set_sync_text("Sync now (last 14:02)")
    assert fallback.buttons["sync_action"].isVisible()
    fallback.set_sync_text("Sync: not set up")
    assert not fallback.buttons["sync_action"].isVisible()


def test_the_app_opens_the_review_from_the_window(tray_app, qtbot, wise_home: Path) -> None:
    assert tray_app.tray is None
    tray_app.fallback.buttons["review_action"].click()
    qtbot.waitUntil(lambda: tray_app._review_window is not None
                    and tray_app._review_window.isVisible(), timeout=SLOW_MS)
    tray_app.fallback.pause_actions["pause_hour_action"].trigger()
    assert tray_app.fallback.pause_button.text().startswith("Nudges paused until ")
    assert tray_app.fallback.pause_actions["resume_action"].isEnabled()
