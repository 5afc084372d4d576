"""Focus in the windows, on real journals with real widgets (offscreen): Start from the
reflection window's open steps and from goal review, "Make it smaller" on that step, the
heatmaps in minutes (remembered), estimate calibration where estimates are shown and typed,
and "Start a step…" in the fallback window, through the assembled app."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from app.daytime import journal_day, local_now
from app.focus import FocusOutcome, FocusStore
from storage.ritual_writes import RitualWriter
from ui.charts.heatmap import MINUTES, STEPS, HeatmapChart, minutes_level
from ui.reflection.tomorrow_pane import ID_ROLE
from ui.reflection_window import ReflectionWindow
from ui.review.breakdown import BreakdownDialog
from ui.review.focus_parts import NO_CALIBRATION, UNIT_KEY
from ui.review_window import GOAL, ReviewWindow
from ui.tasks import Background

pytestmark = pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
START_HOUR = 4
WISE = [sys.executable, "-m", "app.cli.main"]


def today() -> date:
    return journal_day(local_now(), START_HOUR)


class Clock:
    """The focus store's clock, set by the test (the store takes a clock; nothing is patched)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def journal(wise_home: Path) -> Path:
    """A migrated journal in WISE_HOME: a goal with two open steps (one guessed at 10
    minutes) and one open step of no goal."""
    from storage.migrate import ensure_schema

    db = wise_home / "wise.db"
    ensure_schema(db, wise_home / "backups", keep_backups=3)
    writer = RitualWriter(db)
    try:
        goal = writer.add_goal("Write the book", why="the story wants out")
        writer.add_actions([("Write the intro", 10), ("Outline chapter two", None)],
                           goal_id=goal, source="capture")
        writer.add_actions([("Water the plants", 5)], goal_id=None, source="capture")
    finally:
        writer.close()
    return db


def step_id(db: Path, title: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id FROM actions WHERE title = ?", (title,)).fetchone()[0]
    finally:
        conn.close()


def timed_sessions(db: Path, minutes: list[int], *, estimate: int = 10) -> None:
    """Done steps guessed at `estimate` minutes that took `minutes`, each on its own step,
    earlier today (the focus store's own writes, its clock set for each)."""
    writer = RitualWriter(db)
    try:
        goal = writer.add_goal("Timed things")
        ids = writer.add_actions([(f"timed step {n}", estimate) for n in range(len(minutes))],
                                 goal_id=goal, source="capture").ids
    finally:
        writer.close()
    start = datetime.combine(today(), datetime.min.time()).astimezone() + timedelta(
        hours=START_HOUR + 1)
    clock = Clock(start.astimezone(UTC))
    store = FocusStore(db, clock=clock)
    try:
        for action_id, took in zip(ids, minutes, strict=True):
            store.start(action_id=action_id)
            clock.moment += timedelta(minutes=took)
            store.finish(FocusOutcome.DONE)
            clock.moment += timedelta(minutes=1)
    finally:
        store.close()


@pytest.fixture
def writer_run(journal: Path) -> Iterator:
    """The tray's journal-writer thread, as WiseApp gives it to the windows."""
    background = Background(threads=1)
    writer = RitualWriter(journal)

    def run(work, on_success, on_error) -> None:
        background.run(lambda: work(writer), on_success=on_success, on_error=on_error)

    yield run
    background.wait()
    background.run(writer.close, on_success=lambda _r: None, on_error=lambda _e: None)
    background.wait()


@pytest.fixture
def review(qtbot, journal: Path, writer_run) -> Iterator[ReviewWindow]:
    window = ReviewWindow(journal, writer_run, lambda: START_HOUR, lambda: WISE)
    qtbot.add_widget(window)
    yield window
    qtbot.waitUntil(lambda: window.context.pending == 0, timeout=10_000)


@pytest.fixture
def reflection(qtbot, journal: Path, writer_run) -> ReflectionWindow:
    window = ReflectionWindow(journal, writer_run, lambda: START_HOUR, lambda: WISE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.day_loaded, timeout=10_000):
        window.open_day(None)
    return window


def open_goal(qtbot, window: ReviewWindow, db: Path, title: str) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    goal = conn.execute("SELECT id FROM goals WHERE title = ?", (title,)).fetchone()[0]
    conn.close()
    window.show_goal(goal)
    qtbot.waitUntil(lambda: window.goal_page.page is not None
                    and window.goal_page.page.card.title == title
                    and window.context.pending == 0, timeout=10_000)


def popup_menus() -> list:
    from PySide6.QtWidgets import QMenu

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMenu) and w.isVisible()]


# --- Start, in the reflection window ------------------------------------------------------


def test_the_reflection_windows_open_steps_start_for_their_estimate_or_two_minutes(
        qtbot, reflection: ReflectionWindow, journal: Path) -> None:
    picks, pane = reflection.tomorrow.picks, reflection.tomorrow
    rows = {picks.item(i).data(ID_ROLE): picks.item(i) for i in range(picks.count())}
    intro, outline = step_id(journal, "Write the intro"), step_id(journal, "Outline chapter two")
    assert {intro, outline} <= rows.keys()
    picks.setCurrentItem(rows[intro])
    assert pane.start_button.isEnabled() and pane.start_button.text() == "▶ Start · ~10 min"
    assert "Write the intro" in pane.start_button.toolTip()
    with qtbot.waitSignal(reflection.start_step, timeout=2000) as started:
        pane.start_button.click()
    assert started.args == [intro, None]  # None: the step's own estimate, asking nothing
    picks.setCurrentItem(rows[outline])
    assert pane.start_button.text() == "▶ Just start · 2 min"
    # Right-click a step: its estimate, or just two minutes.
    where = picks.visualItemRect(rows[intro]).center()
    picks.customContextMenuRequested.emit(where)
    assert picks.currentItem() is rows[intro]
    texts = [a.text() for a in pane.start_menu_shown.actions()]
    assert texts == ["Start for ~10 min", "Just start · 2 min"]
    with qtbot.waitSignal(reflection.start_step, timeout=2000) as started:
        pane.start_menu_shown.actions()[1].trigger()
    assert started.args == [intro, 2]
    pane.start_menu_shown.close()


# --- Start and "Make it smaller", in goal review -------------------------------------------


def test_goal_review_steps_start_and_make_it_smaller_breaks_down_that_step(
        qtbot, review: ReviewWindow, journal: Path) -> None:
    open_goal(qtbot, review, journal, "Write the book")
    steps = {s.tick.full_text.split("  ·  ")[0]: s for s in review.goal_page.open_steps}
    intro = steps["Write the intro"]
    assert intro.start.text() == "▶ Start · ~10 min"
    assert steps["Outline chapter two"].start.text() == "▶ Just start · 2 min"
    with qtbot.waitSignal(review.start_step, timeout=2000) as started:
        qtbot.mouseClick(intro.start, Qt.MouseButton.LeftButton)
    assert started.args == [step_id(journal, "Write the intro"), None]
    intro.start.customContextMenuRequested.emit(QPoint(4, 4))
    with qtbot.waitSignal(review.start_step, timeout=2000) as started:
        intro.start.menu_shown.actions()[-1].trigger()
    assert started.args == [step_id(journal, "Write the intro"), 2]
    intro.start.menu_shown.close()

    # The end check-in's "Make it smaller" on a step of no goal, then on one with a goal.
    review.show_goal(None)
    plants = step_id(journal, "Water the plants")
    review.break_down_step(plants)
    qtbot.waitUntil(lambda: isinstance(review.goal_page._dialog, BreakdownDialog)
                    and review.goal_page._dialog.isVisible(), timeout=10_000)
    dialog = review.goal_page._dialog
    assert (dialog.action_id, dialog.goal_id) == (plants, None)
    dialog.reject()
    review.break_down_step(step_id(journal, "Outline chapter two"))
    qtbot.waitUntil(lambda: review.goal_page._dialog is not dialog
                    and review.goal_page._dialog.isVisible(), timeout=10_000)
    assert review.page() == GOAL and review.goal_page.page.card.title == "Write the book"
    assert review.goal_page._dialog.action_id == step_id(journal, "Outline chapter two")
    assert "Outline chapter two" in review.goal_page._dialog.findChild(
        type(review.status_line), "goalWhy").text()
    review.goal_page._dialog.reject()
    review.break_down_step(999_999)  # a step deleted meanwhile: said, nothing opens
    qtbot.waitUntil(lambda: review.status_line.isVisible(), timeout=10_000)
    assert "no longer in your journal" in review.status_line.text()


def test_a_goal_card_starts_its_goals_next_step(qtbot, review: ReviewWindow,
                                                journal: Path) -> None:
    writer = RitualWriter(journal)
    try:
        writer.add_goal("Rest more")  # no open step: nothing to start
    finally:
        writer.close()
    review.show_goal(None)
    qtbot.waitUntil(lambda: review.goals_page.loaded and review.context.pending == 0,
                    timeout=10_000)
    cards = {card.card.title: card for card in review.goals_page.cards}
    assert cards["Rest more"].start_button is None
    book = cards["Write the book"]
    # The next step is the first the goal's page lists: newest first when none is due.
    assert book.start_button.accessibleName() == "Start: Outline chapter two"
    assert book.start_button.text() == "▶ Just start · 2 min"
    with qtbot.waitSignal(review.start_step, timeout=2000) as started:
        qtbot.mouseClick(book.start_button, Qt.MouseButton.LeftButton)
    assert started.args == [step_id(journal, "Outline chapter two"), None]
    assert review.page() != GOAL  # Start started; it did not open the goal as well


# --- the heatmaps in minutes ---------------------------------------------------------------


def test_heatmaps_show_minutes_instead_of_counts_and_the_choice_is_remembered(
        qtbot, journal: Path, writer_run, tmp_path: Path) -> None:
    timed_sessions(journal, [18, 25, 7])  # 50 minutes today on "Timed things"
    settings = QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat)
    window = ReviewWindow(journal, writer_run, lambda: START_HOUR, lambda: WISE)
    qtbot.add_widget(window)
    window.remember_in(settings)
    window.show_goal(None)
    qtbot.waitUntil(lambda: window.goals_page.loaded and window.context.pending == 0,
                    timeout=10_000)
    [timed] = [c for c in window.goals_page.cards if c.card.title == "Timed things"]
    day = (today() - timed.card.heatmap_start).days
    assert timed.heatmap.measure == STEPS and timed.heatmap._counts[day] == 3
    assert timed.meta.text().startswith("no rhythm set · 3 done this month")
    window.goals_page.unit_toggle.buttons[MINUTES].click()
    assert timed.heatmap.measure == MINUTES and timed.heatmap._counts[day] == 50
    # The card's words count what its heatmap counts.
    assert timed.meta.text().startswith("50 min this month  ·  "), timed.meta.text()
    assert "focus sessions" in timed.meta.toolTip()
    assert "50 min given" in timed.heatmap.accessibleDescription()
    cell = timed.heatmap._cell_rect(timed.heatmap._layout(), day).center()
    assert timed.heatmap.tooltip_at(cell).endswith("(today): 50 min given")
    [book] = [c for c in window.goals_page.cards if c.card.title == "Write the book"]
    assert sum(book.heatmap._counts) == 0 and book.heatmap.measure == MINUTES
    assert book.meta.text().startswith("no focus time this month")
    settings.sync()
    assert QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat).value(
        UNIT_KEY) == MINUTES
    window.close()

    again = ReviewWindow(journal, writer_run, lambda: START_HOUR, lambda: WISE)
    qtbot.add_widget(again)
    again.remember_in(QSettings(str(tmp_path / "windows.ini"), QSettings.Format.IniFormat))
    open_goal(qtbot, again, journal, "Timed things")
    assert again.goal_page.unit_toggle.unit() == MINUTES
    assert again.goal_page.heatmap.measure == MINUTES
    assert again.goal_page.heatmap._counts[day] == 50
    assert again.goal_page.rhythm_label.text() == "50 min this month"
    again.goal_page.unit_toggle.buttons[STEPS].click()  # from a goal's page: every heatmap
    assert again.goal_page.heatmap._counts[day] == 3
    assert again.goal_page.rhythm_label.text() == "no rhythm set · 3 done this month"
    assert again.goals_page.unit_toggle.unit() == STEPS


def test_minutes_given_read_in_hours_and_minutes() -> None:
    from ui.review.look import minutes_given_words

    assert [minutes_given_words(m) for m in (0, 45, 60, 200, 61)] == [
        "0 min", "45 min", "1 h", "3 h 20 min", "1 h 1 min"]


def test_minute_shades_are_quarters_of_an_hour_then_relative(qtbot) -> None:
    assert [minutes_level(m, 30) for m in (0, 1, 15, 16, 30, 45, 60)] == [0, 1, 1, 2, 2, 3, 4]
    assert [minutes_level(m, 240) for m in (1, 60, 61, 240)] == [1, 1, 2, 4]
    # qtbot: a widget needs the QApplication, which this test may be the first to want
    # (on its own xdist worker Qt aborted the whole process).
    chart = HeatmapChart()
    qtbot.add_widget(chart)
    monday = today() - timedelta(days=today().weekday())
    with pytest.raises(ValueError, match="steps or minutes"):
        chart.set_data([0] * 84, monday - timedelta(weeks=11), today(), "hours")


# --- estimate calibration ------------------------------------------------------------------


def test_calibration_in_goal_review_and_where_an_estimate_is_typed(
        qtbot, journal: Path, writer_run, wise_home: Path) -> None:
    review = ReviewWindow(journal, writer_run, lambda: START_HOUR, lambda: WISE)
    qtbot.add_widget(review)
    review.show_goal(None)
    qtbot.waitUntil(lambda: review.goals_page.loaded and review.context.pending == 0,
                    timeout=10_000)
    assert review.goals_page.calibration_label.text() == NO_CALIBRATION
    timed_sessions(journal, [18, 20, 16])
    review.goals_page.reload()
    qtbot.waitUntil(lambda: review.goals_page.calibration_label.text() != NO_CALIBRATION,
                    timeout=10_000)
    assert review.goals_page.calibration_label.text() == (
        "Your ~10 min steps take about 18 (3 timed)")
    open_goal(qtbot, review, journal, "Write the book")
    [intro] = [s for s in review.goal_page.open_steps if "intro" in s.tick.full_text]
    assert "your ~10 min steps take about 18" in intro.start.toolTip()

    # A goal's "Add a step by hand" says it too, and the typed estimate is the step's.
    page = review.goal_page
    page.step_edit.setText("reread chapter one ~12m")
    assert page.estimate_hint.isVisibleTo(page)
    assert page.estimate_hint.text() == "For what it's worth: your ~10 min steps take about 18."
    page.step_edit.setText("reread chapter one ~10m")
    page.add_step()
    assert not page.estimate_hint.isVisibleTo(page)  # the field is empty again
    qtbot.waitUntil(lambda: "reread chapter one  ·  ~10 min"
                    in [s.tick.full_text for s in page.open_steps], timeout=10_000)
    # And the break-down's own field.
    page.break_down_goal()
    dialog = page._dialog
    dialog.hand_edit.setText("find the notebook ~12m")
    assert dialog.estimate_hint.isVisibleTo(dialog)
    assert dialog.estimate_hint.text() == (
        "For what it's worth: your ~10 min steps take about 18.")
    dialog.hand_edit.setText("find the notebook ~45m")
    assert not dialog.estimate_hint.isVisibleTo(dialog)
    dialog.add_by_hand()
    assert dialog.ticked() == [("find the notebook", 45)]
    dialog.reject()

    # Typed in Tomorrow's field: a quiet line under it, never in the way.
    window = ReflectionWindow(journal, writer_run, lambda: START_HOUR, lambda: WISE)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.day_loaded, timeout=10_000):
        window.open_day(None)
    pane = window.tomorrow
    qtbot.waitUntil(lambda: bool(pane.calibrations), timeout=10_000)
    pane.new_action.setText("call the bank ~12m")
    assert pane.estimate_hint.isVisibleTo(pane)
    assert pane.estimate_hint.text() == "For what it's worth: your ~10 min steps take about 18."
    pane.new_action.setText("call the bank ~45m")  # no timed steps of that size yet
    assert not pane.estimate_hint.isVisibleTo(pane)
    pane.new_action.setText("call the bank ~8m")
    assert pane.add_button.isEnabled()  # the hint never blocks adding

    # And in quick capture's preview line.
    from app.drafts import DraftStore
    from app.focus import estimate_calibrations
    from ui.capture_window import CaptureWindow

    capture = CaptureWindow(DraftStore(wise_home / "draft.txt"), day_start_hour=lambda: 4)
    qtbot.addWidget(capture)
    capture.set_calibrations(estimate_calibrations(journal))
    capture.box.setPlainText("[ ] tidy the desk ~10m")
    assert capture.preview.text() == "To-do · ~10 min · your ~10 min steps take about 18"
    capture.box.setPlainText("[ ] tidy the desk")
    assert "take about" not in capture.preview.text()


# --- through the assembled app -------------------------------------------------------------


def test_the_app_starts_steps_from_its_windows_and_the_fallback_menu(
        qtbot, journal: Path, tray_app) -> None:
    from ui.focus import ONE_AT_A_TIME

    app = tray_app
    qtbot.waitUntil(lambda: app.focus is not None and app.fallback is not None, timeout=15_000)
    # The fallback window's "Start a step…": today's best few, as the tray's menu lists them.
    menu = app.fallback.start_menu
    menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: "Looking…" not in [a.text() for a in menu.actions()],
                    timeout=15_000)
    lines = [a.text() for a in menu.actions()]
    assert "Water the plants  ·  5 min" in lines, lines
    [plants] = [a for a in menu.actions() if a.text().startswith("Water the plants")]
    plants.trigger()
    qtbot.waitUntil(lambda: app.focus.session is not None, timeout=15_000)
    assert (app.focus.session.title, app.focus.session.planned_seconds) == (
        "Water the plants", 300)
    qtbot.waitUntil(lambda: app.fallback.focus_label.isVisibleTo(app.fallback), timeout=5000)
    assert app.fallback.focus_label.text().startswith("Focus: Water the plants — ")
    assert not app.fallback.start_button.isEnabled()

    # Another Start while one runs: nothing ends, the timer says one at a time.
    app.show_reflection()
    window = app._reflection_window
    qtbot.waitUntil(lambda: window.loaded_day() is not None, timeout=15_000)
    picks = window.tomorrow.picks
    [intro] = [picks.item(i) for i in range(picks.count())
               if picks.item(i).data(ID_ROLE) == step_id(journal, "Write the intro")]
    picks.setCurrentItem(intro)
    window.tomorrow.start_button.click()
    assert app.focus.window().message_label.text() == ONE_AT_A_TIME
    assert app.focus.session.title == "Water the plants"

    # "Make it smaller" at the end: the session stops, goal review breaks that step down.
    app.focus.make_smaller()
    qtbot.waitUntil(lambda: app.focus.session is None and app._review_window is not None
                    and isinstance(app._review_window.goal_page._dialog, BreakdownDialog),
                    timeout=15_000)
    dialog = app._review_window.goal_page._dialog
    assert dialog.action_id == step_id(journal, "Water the plants")
    dialog.reject()
    assert app.fallback.start_button.isEnabled()

    # Now Start from the reflection window: for the step's estimate, the ring at once.
    window.tomorrow.start_button.click()
    qtbot.waitUntil(lambda: app.focus.session is not None, timeout=15_000)
    assert (app.focus.session.title, app.focus.session.planned_seconds) == (
        "Write the intro", 600)
    assert app.focus.window().isVisible()
    app.focus.stop()
    qtbot.waitUntil(lambda: app.focus.session is None, timeout=15_000)
