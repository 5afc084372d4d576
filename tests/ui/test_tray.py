"""The tray icon's menu forwards each item to the app and shows state honestly."""

from __future__ import annotations

import pytest

from ui.icons import IconState
from ui.tray import WiseTray

ACTIONS = ("show_capture", "show_reflection", "show_review", "pause_nudges_for_an_hour",
           "pause_nudges_until_tomorrow", "resume_nudges", "show_settings",
           "open_data_folder", "show_journal_damage", "quit", "sync_now")


class Recorder:
    """Stands in for the app: remembers which action the menu asked for."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        if name not in ACTIONS:
            raise AttributeError(name)
        return lambda *_: self.calls.append(name)


@pytest.fixture
def tray(qtbot):
    recorder = Recorder()
    icon = WiseTray(recorder)
    yield icon, recorder
    icon.hide()


def test_menu_items_in_order(tray) -> None:
    icon, _ = tray
    texts = [a.text() for a in icon.contextMenu().actions()
             if not a.isSeparator() and a.isVisible()]
    assert texts == ["Capture…", "Start a step…", "Today's reflection", "Goal review",
                     "Pause nudges", "Settings…", "Open data folder", "Quit Wise"]
    assert [a.text() for a in icon.pause_menu.actions() if not a.isSeparator()] == [
        "For 1 hour", "Until tomorrow", "Resume nudges"]


@pytest.mark.parametrize(("attribute", "expected"), [
    ("capture_action", "show_capture"), ("reflection_action", "show_reflection"),
    ("review_action", "show_review"), ("pause_hour_action", "pause_nudges_for_an_hour"),
    ("pause_day_action", "pause_nudges_until_tomorrow"), ("settings_action", "show_settings"),
    ("folder_action", "open_data_folder"), ("quit_action", "quit"),
    ("damage_action", "show_journal_damage"),
    ("sync_action", "sync_now"),
])
def test_each_item_reaches_the_app(tray, attribute: str, expected: str) -> None:
    icon, recorder = tray
    getattr(icon, attribute).trigger()
    assert recorder.calls == [expected]


def test_a_left_click_opens_capture(tray) -> None:
    icon, recorder = tray
    icon.activated.emit(icon.ActivationReason.Trigger)
    assert recorder.calls == ["show_capture"]


def test_paused_state_changes_icon_menu_and_tooltip(tray) -> None:
    icon, recorder = tray
    normal = icon.icon().pixmap(32).toImage()
    assert not icon.resume_action.isEnabled()
    icon.set_state(IconState(paused=True), paused_until="17:30")
    assert icon.icon().pixmap(32).toImage() != normal
    assert icon.resume_action.isEnabled()
    assert icon.pause_menu.title() == "Nudges paused until 17:30"
    assert "paused until 17:30" in icon.toolTip()
    icon.resume_action.trigger()
    assert recorder.calls == ["resume_nudges"]


def quarter_differs(a, b, left: bool, top: bool) -> int:
    half = a.width() // 2
    xs = range(half) if left else range(half, a.width())
    ys = range(half) if top else range(half, a.height())
    return sum(a.pixel(x, y) != b.pixel(x, y) for x in xs for y in ys)


def test_a_second_home_is_named_and_its_owl_marked(qtbot) -> None:
    usual, work = WiseTray(Recorder()), WiseTray(Recorder(), home="~/wise-work")
    try:
        assert usual.toolTip() == "Wise" and work.toolTip() == "Wise (~/wise-work)"
        first = work.contextMenu().actions()[0]
        assert first.text() == "Journal in ~/wise-work" and not first.isEnabled()
        assert next(a.text() for a in usual.contextMenu().actions()
                    if a.isVisible()) == "Capture…"
        # The same owl, with a small square bottom left; the rest of it untouched.
        plain, marked = usual.icon().pixmap(22).toImage(), work.icon().pixmap(22).toImage()
        assert quarter_differs(plain, marked, left=True, top=False) >= 22 * 22 // 16
        assert quarter_differs(plain, marked, left=False, top=True) == 0
        assert quarter_differs(plain, marked, left=True, top=True) == 0
        # A change of state keeps the name and the mark.
        work.set_state(IconState(reflection_waiting=True, paused=True), paused_until="17:30")
        assert work.toolTip().startswith("Wise (~/wise-work) — a reflection is waiting")
        quiet = work.icon().pixmap(22).toImage()
        usual.set_state(IconState(reflection_waiting=True, paused=True), paused_until="17:30")
        assert quarter_differs(usual.icon().pixmap(22).toImage(), quiet, left=True,
                               top=False) >= 22 * 22 // 16
    finally:
        usual.hide()
        work.hide()


def test_a_damaged_journal_shows_in_the_icon_the_tooltip_and_the_menu(tray) -> None:
    icon, recorder = tray
    waiting = IconState(reflection_waiting=True)
    icon.set_state(waiting)
    badge = icon.icon().pixmap(32).toImage()
    assert not icon.damage_action.isVisible()
    icon.set_state(IconState(reflection_waiting=True, journal_damaged=True))
    assert icon.icon().pixmap(32).toImage() != badge  # red, over the amber badge
    assert "journal is damaged" in icon.toolTip() and "wise doctor" in icon.toolTip()
    assert icon.damage_action.isVisible()
    assert icon.contextMenu().actions()[0] is icon.damage_action  # first, where it is seen
    icon.damage_action.trigger()
    assert recorder.calls == ["show_journal_damage"]
    icon.set_state(waiting)
    assert not icon.damage_action.isVisible()
def test_the_sync_line_shows_once_sync_is_set_up(tray) -> None:
    icon, recorder = tray
    assert not icon.sync_action.isVisible()
    icon.set_sync_text("1 conflict to answer… (last sync 14:02)")
    texts = [a.text() for a in icon.contextMenu().actions()
             if not a.isSeparator() and a.isVisible()]
    assert texts[texts.index("Settings…") - 1] == "1 conflict to answer… (last sync 14:02)"
    icon.set_sync_text("Syncing…")
    assert not icon.sync_action.isEnabled()
    icon.set_sync_text("Sync now (last 14:05)")
    icon.sync_action.trigger()
    assert recorder.calls == ["sync_now"]
