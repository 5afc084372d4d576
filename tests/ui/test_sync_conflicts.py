"""A sync conflict shown and answered where its text lives: the day's words in the
reflection window, a goal's why in goal review. Two real journals edit the same text
apart and meet through folder copies (tests/sync_devices.py), so the conflict is the real
sync's; the windows are real widgets on the real writer thread; an answer given in a
window is stored as `wise sync resolve` stores it, and reaches the other device."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from app.daytime import journal_day, local_now
from app.sync.conflicts import day_conflicts, open_conflict_count
from app.sync.crypto import new_key
from storage.ritual_writes import RitualWriter
from tests.sync_devices import Device, meet, template_journal
from ui.reflection_window import ReflectionWindow
from ui.review_window import ReviewWindow
from ui.tasks import Background

WISE = [sys.executable, "-m", "app.cli.main"]
LAPTOP, DESKTOP = "calm, written on the laptop", "busy, written on the desktop"


@pytest.fixture
def devices(tmp_path: Path) -> Iterator[tuple[Device, Device]]:
    template = template_journal(tmp_path)
    key = new_key()
    pair = (Device(tmp_path, "a", key, template), Device(tmp_path, "b", key, template))
    yield pair
    for device in pair:
        device.close()


class Writer:
    """The tray's journal-writer thread, as WiseApp gives it to the windows."""

    def __init__(self, db: Path) -> None:
        self.background = Background(threads=1)
        self.writer = RitualWriter(db)  # connects lazily, on the worker thread

    def run(self, work, on_success, on_error) -> None:
        self.background.run(lambda: work(self.writer), on_success=on_success,
                            on_error=on_error)

    def close(self) -> None:
        self.background.wait()
        self.background.run(self.writer.close, on_success=lambda _r: None,
                            on_error=lambda _e: None)
        self.background.wait()


def today():
    return journal_day(local_now(), 4)


def words_apart(a: Device, b: Device, day: date | None = None) -> str:
    """The day's words (today's unless `day`) written on both devices before they met; the
    text kept on `a`."""
    for device, words in ((a, LAPTOP), (b, DESKTOP)):
        writer = RitualWriter(device.db)
        writer.save_day_words(day or today(), how_it_went=words, in_the_way="", mood=3,
                              energy=None)
        writer.close()
    meet(a, b)
    [(kept,)] = a.sql("SELECT how_it_went FROM day_words")
    return kept


@pytest.fixture
def reflection(qtbot, devices) -> Iterator[tuple[ReflectionWindow, Writer]]:
    a, _b = devices
    writer = Writer(a.db)
    window = ReflectionWindow(a.db, writer.run, lambda: 4, lambda: WISE)
    qtbot.addWidget(window)
    yield window, writer
    writer.close()


def test_the_day_s_words_show_both_versions_and_keeping_the_other_reaches_every_device(
        qtbot, devices, reflection) -> None:
    a, b = devices
    kept = words_apart(a, b)
    other = ({LAPTOP, DESKTOP} - {kept}).pop()
    window, _writer = reflection
    with qtbot.waitSignal(window.conflicts_shown, timeout=10_000):
        window.open_day(None)
    qtbot.waitUntil(lambda: window.words.how.toPlainText() == kept, timeout=10_000)
    [card] = window.conflicts.cards
    assert window.conflicts.isVisible() and card.isVisible()
    assert card.other.toPlainText() == other and card.other.isReadOnly()
    assert "How the day went" in card.title.text()
    # Which device wrote each, and when: a's own version and b's, by their ids.
    writers = {LAPTOP: "this device", DESKTOP: f"device {b.device_id[:6]}"}
    assert f"({writers[kept]}, today at " in card.explain.text()
    assert f"The other version ({writers[other]}, today at " in card.explain.text()

    with qtbot.waitSignal(window.conflicts_answered, timeout=10_000):
        qtbot.mouseClick(card.keep_other, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.words.how.toPlainText() == other, timeout=10_000)
    qtbot.waitUntil(lambda: not window.conflicts.isVisible(), timeout=10_000)
    assert a.sql("SELECT how_it_went FROM day_words") == [(other,)]
    assert open_conflict_count(a.db) == 0
    # The answer travels like any edit: b takes the other text and closes its conflict.
    meet(a, b)
    assert b.sql("SELECT how_it_went FROM day_words") == [(other,)]
    assert open_conflict_count(b.db) == 0


def test_unsaved_typing_is_the_version_kept_when_keeping_this_one(
        qtbot, devices, reflection) -> None:
    a, b = devices
    words_apart(a, b)
    window, _writer = reflection
    with qtbot.waitSignal(window.conflicts_shown, timeout=10_000):
        window.open_day(None)
    [card] = window.conflicts.cards
    window.words.how.setPlainText("a third version, typed just now")  # not saved yet
    with qtbot.waitSignal(window.conflicts_answered, timeout=10_000):
        qtbot.mouseClick(card.keep_current, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.conflicts.isVisible(), timeout=10_000)
    assert a.sql("SELECT how_it_went FROM day_words") == [("a third version, typed just now",)]
    meet(a, b)
    assert b.sql("SELECT how_it_went FROM day_words") == [("a third version, typed just now",)]
    assert open_conflict_count(b.db) == 0


def test_a_goal_s_why_is_merged_by_editing_in_goal_review(qtbot, devices) -> None:
    a, b = devices
    goal = RitualWriter(a.db).add_goal("Music", why="it calms me")
    meet(a, b)
    [(b_goal,)] = b.sql("SELECT id FROM goals")
    long = "\n".join(f"line {n} of why music matters" for n in range(60))  # a tall page
    RitualWriter(a.db).update_goal(goal, why=f"it calms me, and friends play too\n{long}")
    RitualWriter(b.db).update_goal(b_goal, why=f"it is how I rest\n{long}")
    meet(a, b)
    assert open_conflict_count(a.db) == 1
    writer = Writer(a.db)
    window = ReviewWindow(a.db, writer.run, lambda: 4, lambda: WISE)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.goal_page.conflicts_shown, timeout=10_000):
            window.show_goal(goal)
        [(kept,)] = a.sql("SELECT why FROM goals")
        qtbot.waitUntil(lambda: window.goal_page.why_edit.toPlainText() == kept,
                        timeout=10_000)
        [card] = window.goal_page.conflicts.cards
        assert card.isVisible() and "Why it matters" in card.title.text()
        qtbot.mouseClick(card.merge, Qt.MouseButton.LeftButton)
        assert not card.other.isReadOnly()
        merged = card.other.toPlainText()
        assert "it calms me, and friends play too" in merged and "it is how I rest" in merged
        card.other.setPlainText("it calms me, it is how I rest, and friends play too")
        with qtbot.waitSignal(window.conflicts_answered, timeout=10_000):
            qtbot.mouseClick(card.save_merged, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.goal_page.why_edit.toPlainText()
                        == "it calms me, it is how I rest, and friends play too",
                        timeout=10_000)
        qtbot.waitUntil(lambda: not window.goal_page.conflicts.isVisible(), timeout=10_000)
        meet(a, b)
        for device in (a, b):
            assert device.sql("SELECT why FROM goals") == [
                ("it calms me, it is how I rest, and friends play too",)]
            assert open_conflict_count(device.db) == 0
    finally:
        qtbot.waitUntil(lambda: window.context.pending == 0, timeout=10_000)
        writer.close()


def test_a_merge_too_long_is_refused_and_both_versions_stay(qtbot, devices, reflection
                                                            ) -> None:
    a, b = devices
    kept = words_apart(a, b)
    window, _writer = reflection
    with qtbot.waitSignal(window.conflicts_shown, timeout=10_000):
        window.open_day(None)
    [card] = window.conflicts.cards
    card.start_merge()
    too_long = "a line of the merge that goes on\n" * 3031  # over 100,000 characters
    card.other.setPlainText(too_long)
    qtbot.mouseClick(card.save_merged, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.status.isVisible(), timeout=10_000)
    assert "at most 100,000 characters" in card.status.text()
    assert card.save_merged.isEnabled() and card.other.toPlainText() == too_long
    assert a.sql("SELECT how_it_went FROM day_words") == [(kept,)]
    assert len(day_conflicts(a.db, today())) == 1


def home_apart(wise_home: Path, tmp_path: Path,
               edit_apart: Callable[[Device, Device], object]) -> Path:
    """This test's WISE_HOME is device a of two that made `edit_apart`'s edits apart; its
    settings name the sync folder, as a set-up leaves them."""
    template = template_journal(tmp_path / "template")
    key = new_key()
    a = Device(wise_home.parent, wise_home.name, key, template)
    b = Device(tmp_path, "b", key, template)
    edit_apart(a, b)
    for device in (a, b):
        device.close()
    (wise_home / "settings.toml").write_text(
        f'[sync]\nfolder = "{a.folder}"\ninterval_minutes = 600\n')
    return wise_home / "wise.db"


@pytest.fixture
def home_with_a_conflict(wise_home: Path, tmp_path: Path) -> Path:
    return home_apart(wise_home, tmp_path, words_apart)


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
def test_in_the_tray_an_answer_updates_its_sync_line_and_settings_count(
        qtbot, home_with_a_conflict: Path, tray_app) -> None:
    qtbot.waitUntil(lambda: tray_app.sync is not None, timeout=30_000)
    lines: list[str] = []
    tray_app.sync.changed_state.connect(lines.append)
    tray_app.sync.recount()
    qtbot.waitUntil(lambda: lines[-1:] == ["1 conflict to answer…"], timeout=10_000)
    tray_app.show_settings()
    panel = tray_app._settings_window.sync_panel
    qtbot.waitUntil(lambda: "1 conflict to answer" in panel.status_text(), timeout=60_000)

    tray_app.show_reflection()
    window = tray_app._reflection_window
    qtbot.waitUntil(lambda: len(window.conflicts.cards) == 1, timeout=10_000)
    qtbot.mouseClick(window.conflicts.cards[0].keep_current, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lines[-1:] == ["Sync now"], timeout=10_000)
    qtbot.waitUntil(lambda: panel.status_text() != "" and "conflict" not in panel.status_text(),
                    timeout=60_000)
    assert open_conflict_count(home_with_a_conflict) == 0


def click_the_sync_line(qtbot, tray_app) -> None:
    """Once the line says there is a conflict, click it (the fallback window's button:
    offscreen there is no tray; both call the same action)."""
    qtbot.waitUntil(lambda: tray_app.sync is not None, timeout=30_000)
    tray_app.sync.recount()
    line = tray_app.fallback.buttons["sync_action"]
    qtbot.waitUntil(lambda: line.text() == "1 conflict to answer…"
                    and line.isEnabled(), timeout=30_000)
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)


def in_view(widget) -> bool:
    """Shown whole, not cut by its window's scrolling."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


@pytest.fixture
def home_with_yesterdays_conflict(wise_home: Path, tmp_path: Path) -> Path:
    return home_apart(wise_home, tmp_path,
                      lambda a, b: words_apart(a, b, today() - timedelta(days=1)))


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
def test_the_sync_line_opens_the_reflection_on_the_conflict_s_day(
        qtbot, home_with_yesterdays_conflict: Path, tray_app) -> None:
    yesterday = today() - timedelta(days=1)
    click_the_sync_line(qtbot, tray_app)
    qtbot.waitUntil(lambda: tray_app._reflection_window is not None, timeout=10_000)
    window = tray_app._reflection_window
    qtbot.waitUntil(lambda: window.current_day() == yesterday
                    and len(window.conflicts.cards) == 1, timeout=10_000)
    assert window.isVisible()
    qtbot.waitUntil(lambda: in_view(window.conflicts.cards[0]), timeout=5_000)
    assert open_conflict_count(home_with_yesterdays_conflict) == 1  # shown, not answered


def goal_why_apart(a: Device, b: Device) -> None:
    """A goal's why changed on both devices before they met (a tall why: the card sits
    below the fold of goal review's default size)."""
    def write(device: Device, edit: Callable[[RitualWriter], object]) -> object:
        writer = RitualWriter(device.db)
        try:
            return edit(writer)
        finally:
            writer.close()

    goal = write(a, lambda w: w.add_goal("Music", why="it calms me"))
    meet(a, b)
    [(b_goal,)] = b.sql("SELECT id FROM goals WHERE title = 'Music'")
    tall = "\n".join(f"line {n} of why music matters" for n in range(60))
    write(a, lambda w: w.update_goal(goal, why=f"it calms me, and friends play too\n{tall}"))
    write(b, lambda w: w.update_goal(b_goal, why=f"it is how I rest\n{tall}"))
    meet(a, b)


@pytest.fixture
def home_with_a_why_conflict(wise_home: Path, tmp_path: Path) -> Path:
    return home_apart(wise_home, tmp_path, goal_why_apart)


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
def test_the_sync_line_opens_goal_review_on_the_goal_s_page_with_the_card_in_view(
        qtbot, home_with_a_why_conflict: Path, tray_app) -> None:
    with closing(sqlite3.connect(home_with_a_why_conflict)) as conn:
        [(music,)] = conn.execute("SELECT id FROM goals WHERE title = 'Music'").fetchall()
    # Goal review already shows the goal's page, read down to its end: the card is above.
    tray_app.show_review()
    page = tray_app._review_window.goal_page
    with qtbot.waitSignal(page.conflicts_shown, timeout=10_000):
        tray_app._review_window.show_goal(music)
    qtbot.waitUntil(lambda: page.context.pending == 0, timeout=10_000)
    bar = page.findChild(QScrollArea).verticalScrollBar()
    [card] = page.conflicts.cards

    def read_to_the_end() -> bool:
        bar.setValue(bar.maximum())
        return not in_view(card)

    qtbot.waitUntil(read_to_the_end, timeout=5_000)

    click_the_sync_line(qtbot, tray_app)
    qtbot.waitUntil(lambda: in_view(page.conflicts.cards[0]), timeout=10_000)
    assert tray_app._review_window.isVisible() and page.goal_id == music
    assert "Why it matters" in page.conflicts.cards[0].title.text()
    qtbot.waitUntil(lambda: page.context.pending == 0, timeout=10_000)
