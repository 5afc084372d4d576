"""The goal review window, driven as a person would: a journal seeded through the real
`wise` CLI, real widgets offscreen, reads and writes on a real writer thread, `wise`
children through QProcess, and the fake OpenAI server for the model."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.daytime import journal_day, local_now
from storage.ritual_writes import RitualWriter
from tests.fake_openai import Reply
from tests.helpers import connect_model, sql
from ui.charts._common import OKABE_ITO, SERIES_COLOURS
from ui.review.breakdown import FIRST_PROMPT
from ui.review.dialogs import RETIRE_TEXT
from ui.review_window import GOAL, GOALS, MEMORY, WEEK, ReviewWindow
from ui.tasks import Background

START_HOUR = 4
CHILD_WAIT_MS = 120_000  # a child imports litellm on a busy machine: be patient
STEPS = {"steps": [{"title": "Put the running shoes by the door", "minutes": 1},
                   {"title": "Walk to the park and back", "minutes": 10},
                   {"title": "Jog to the first lamp post", "minutes": 5}]}
REFLECTION = {"celebrate": "You ran again.", "reflection": "Running seems to matter to you.",
              "question": None, "next_step": "Lay out the shoes tonight",
              "next_step_minutes": 2, "goal": "run-a-5k"}


# --- a journal ----------------------------------------------------------------------------


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def goal_row(home: Path, slug: str) -> tuple:
    """(status, title, why, cadence) read back through the ORM."""
    from sqlalchemy import select

    from storage.engine import Journal
    from storage.models import Goal

    journal = Journal(home / "wise.db")
    try:
        with journal.read() as session:
            goal = session.scalars(select(Goal).where(Goal.slug == slug)).one()
            return goal.status, goal.title, goal.why, goal.cadence_per_week
    finally:
        journal.close()


def today() -> date:
    return journal_day(local_now(), START_HOUR)


@pytest.fixture
def seeded(wise, wise_home: Path) -> Path:
    """Two goals with whys and some history; one quiet for weeks."""
    assert wise("goals", "add", "Run a 5k", "--why", "I want to feel strong again",
                "--cadence", "2").code == 0
    assert wise("goals", "add", "Learn Spanish", "--why",
                "to talk with my grandmother").code == 0
    assert wise("capture", "+ ran to the park #run-a-5k").code == 0
    assert wise("capture", "[ ] buy new running shoes #run-a-5k ~15m").code == 0
    assert wise("capture", "+ tidied the desk").code == 0
    # Earlier runs, spread over the last weeks, for the heatmap and the 4-week count.
    now = local_now()
    for days_ago in (3, 9, 16):
        moment = stamp(now - timedelta(days=days_ago))
        sql(wise_home, "INSERT INTO actions (uid, title, goal_id, status, done_at, source, "
                       "created_at, updated_at) SELECT ?, 'an easy run', id, 'done', ?, 'cli', "
                       "?, ? FROM goals WHERE slug = 'run-a-5k'",
            f"run-{days_ago}", moment, moment, moment)
    # Spanish: made two months ago and untouched since: quiet for four weeks.
    sql(wise_home, "UPDATE goals SET created_at = ? WHERE slug = 'learn-spanish'",
        stamp(now - timedelta(days=60)))
    writer = RitualWriter(wise_home / "wise.db")
    try:
        writer.save_day_words(today(), how_it_went="good", in_the_way="", mood=4, energy=3)
    finally:
        writer.close()
    return wise_home / "wise.db"


@pytest.fixture
def empty_journal(wise) -> None:
    assert wise("goals", "--json").code == 0  # creates and migrates the journal


# --- the window ---------------------------------------------------------------------------


@pytest.fixture
def writer_run(wise_home: Path) -> Iterator:
    """The tray's journal-writer thread, as WiseApp gives it to the window."""
    background = Background(threads=1)
    writer = RitualWriter(wise_home / "wise.db")  # connects lazily, on the worker thread

    def run(work, on_success, on_error) -> None:
        background.run(lambda: work(writer), on_success=on_success, on_error=on_error)

    yield run
    background.wait()
    background.run(writer.close, on_success=lambda _r: None, on_error=lambda _e: None)
    background.wait()


@pytest.fixture
def window(qtbot, wise_home: Path, writer_run) -> Iterator[ReviewWindow]:
    review = ReviewWindow(wise_home / "wise.db", writer_run, lambda: START_HOUR,
                          lambda: [sys.executable, "-m", "app.cli.main"])
    qtbot.add_widget(review)
    yield review
    qtbot.waitUntil(lambda: review.context.pending == 0, timeout=10_000)


def open_on_goals(qtbot, window: ReviewWindow) -> None:
    window.show_goal(None)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.goals_page.loaded, timeout=10_000)


def card(window: ReviewWindow, title: str):
    [found] = [c for c in window.goals_page.cards if c.card.title == title]
    return found


def open_goal(qtbot, window: ReviewWindow, title: str) -> None:
    open_on_goals(qtbot, window)
    qtbot.mouseClick(card(window, title), Qt.MouseButton.LeftButton)
    assert window.page() == GOAL
    qtbot.waitUntil(lambda: window.goal_page.page is not None
                    and window.goal_page.page.card.title == title, timeout=10_000)


def confirmation(window) -> QMessageBox:
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1
    return boxes[0]


def click_button(qtbot, box: QMessageBox, text: str) -> None:
    [chosen] = [b for b in box.buttons() if b.text() == text]
    qtbot.mouseClick(chosen, Qt.MouseButton.LeftButton)


def colours(widget) -> Counter:
    """How many pixels of each (r, g, b) the widget shows."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    raw, stride, width = bytes(image.constBits()), image.bytesPerLine(), image.width()
    found: Counter = Counter()
    for y in range(image.height()):
        row = raw[y * stride:y * stride + width * 4]
        found.update(zip(row[2::4], row[1::4], row[0::4], strict=True))
    return found


def near(found: Counter, colour: QColor, tolerance: int = 3) -> int:
    r, g, b = colour.red(), colour.green(), colour.blue()
    return sum(n for (pr, pg, pb), n in found.items()
               if max(abs(pr - r), abs(pg - g), abs(pb - b)) <= tolerance)


def settle(qtbot, window: ReviewWindow) -> None:
    qtbot.waitUntil(lambda: window.context.pending == 0, timeout=10_000)


# --- goals ----------------------------------------------------------------------------------


def test_cards_show_each_goal_with_its_why_rhythm_and_heatmap(qtbot, seeded, window) -> None:
    open_on_goals(qtbot, window)
    run = card(window, "Run a 5k")
    assert "I want to feel strong again" in run.why.text()
    assert "4 of 8 this month" in run.meta.text()  # today's run and three earlier ones
    assert "last progress today" in run.meta.text() and "1 open step" in run.meta.text()
    assert "4 steps done" in run.heatmap.accessibleDescription()
    spanish = card(window, "Learn Spanish")
    assert "to talk with my grandmother" in spanish.why.text()
    assert "no rhythm set" in spanish.meta.text()
    assert "I want to feel strong again" in run.accessibleDescription()


def test_the_filter_shows_goals_by_status(qtbot, wise, seeded, window) -> None:
    assert wise("goals", "pause", "learn-spanish").code == 0
    open_on_goals(qtbot, window)
    assert [c.card.title for c in window.goals_page.cards] == ["Run a 5k"]
    qtbot.mouseClick(window.goals_page.filter_buttons["Paused"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [c.card.title for c in window.goals_page.cards]
                    == ["Learn Spanish"], timeout=10_000)
    qtbot.mouseClick(window.goals_page.filter_buttons["Done"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.goals_page.cards == [], timeout=10_000)
    assert window.goals_page.empty.isVisibleTo(window)
    qtbot.mouseClick(window.goals_page.filter_buttons["All"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.goals_page.cards) == 2, timeout=10_000)


def test_a_goal_can_be_paused_resumed_and_retired_kindly(qtbot, seeded, window,
                                                         wise_home: Path) -> None:
    open_goal(qtbot, window, "Run a 5k")
    page = window.goal_page
    qtbot.mouseClick(page.choice_buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: goal_row(wise_home, "run-a-5k")[0] == "paused", timeout=10_000)
    qtbot.waitUntil(lambda: page.choice_buttons["resume"].isVisibleTo(page), timeout=10_000)
    assert not page.choice_buttons["pause"].isVisibleTo(page)
    qtbot.mouseClick(page.choice_buttons["resume"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: goal_row(wise_home, "run-a-5k")[0] == "active", timeout=10_000)
    qtbot.waitUntil(lambda: page.choice_buttons["retire"].isVisibleTo(page), timeout=10_000)

    qtbot.mouseClick(page.choice_buttons["retire"], Qt.MouseButton.LeftButton)
    box = confirmation(window)
    words = f"{box.windowTitle()} {box.text()} {box.informativeText()}".lower()
    assert box.informativeText() == RETIRE_TEXT and "good decision" in words
    assert "fail" not in words and "delete" not in words
    click_button(qtbot, box, "Keep it")
    settle(qtbot, window)
    assert goal_row(wise_home, "run-a-5k")[0] == "active"
    qtbot.mouseClick(page.choice_buttons["retire"], Qt.MouseButton.LeftButton)
    click_button(qtbot, confirmation(window), "Retire it")
    qtbot.waitUntil(lambda: goal_row(wise_home, "run-a-5k")[0] == "archived", timeout=10_000)
    qtbot.waitUntil(lambda: "good decision" in page.status_line.text(), timeout=10_000)
    # Back on the list, the retired goal has left the active ones.
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [c.card.title for c in window.goals_page.cards]
                    == ["Learn Spanish"], timeout=10_000)


def test_the_goal_page_shows_the_goals_tag(qtbot, seeded, window) -> None:
    open_goal(qtbot, window, "Run a 5k")
    page = window.goal_page
    qtbot.waitUntil(lambda: page.title_edit.text() == "Run a 5k", timeout=10_000)
    shown = [w for w in page.findChildren(QLabel) if w.isVisibleTo(window)]
    [tag] = [w for w in shown if w.text() == "#run-a-5k"]
    assert "quick capture" in tag.toolTip()


def test_the_goal_page_shows_the_why_ladder_that_led_to_the_why(qtbot, seeded, window,
                                                               wise_home) -> None:
    writer = RitualWriter(wise_home / "wise.db")
    try:
        writer.add_goal("Family", why="they are my people",
                        why_ladder=["to be there", "they matter", "they are my people"])
    finally:
        writer.close()
    open_goal(qtbot, window, "Family")
    page = window.goal_page
    qtbot.waitUntil(lambda: page.ladder_label.isVisibleTo(window), timeout=10_000)
    lines = page.ladder_label.text().splitlines()
    assert "Family" in lines[0]
    assert [line.strip() for line in lines[1:]] == [
        "→ to be there", "→ they matter", "→ they are my people"]
    open_goal(qtbot, window, "Learn Spanish")  # made without a ladder: none shown
    qtbot.waitUntil(lambda: page.title_edit.text() == "Learn Spanish", timeout=10_000)
    assert not page.ladder_label.isVisibleTo(window)


def test_editing_the_why_and_rhythm_saves_them(qtbot, seeded, window, wise_home) -> None:
    open_goal(qtbot, window, "Learn Spanish")
    page = window.goal_page
    assert not page.save_button.isEnabled()
    page.why_edit.setFocus()
    page.why_edit.selectAll()
    qtbot.keyClicks(page.why_edit, "so I can tell her stories in her language")
    page.cadence.setValue(3)
    assert page.save_button.isEnabled()
    qtbot.keyClick(page, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.saved_label.text() == "Saved", timeout=10_000)
    assert goal_row(wise_home, "learn-spanish")[2:] == (
        "so I can tell her stories in her language", 3)


def test_leaving_the_page_keeps_what_was_typed(qtbot, seeded, window, wise_home) -> None:
    open_goal(qtbot, window, "Learn Spanish")
    window.goal_page.title_edit.setText("Speak Spanish")
    window.goal_page.title_edit.textEdited.emit("Speak Spanish")
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.page() == GOALS
    qtbot.waitUntil(lambda: goal_row(wise_home, "learn-spanish")[1] == "Speak Spanish",
                    timeout=10_000)


def test_a_new_goal_is_added_with_its_why(qtbot, empty_journal, window, wise_home) -> None:
    open_on_goals(qtbot, window)
    assert window.goals_page.empty.isVisibleTo(window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.dialog
    assert dialog.isVisible()
    dialog.accept()  # no title yet: a clear word, nothing saved
    assert dialog.isVisible() and "name" in dialog.error.text()
    qtbot.keyClicks(dialog.title_edit, "Sleep well")
    qtbot.keyClicks(dialog.why_edit, "mornings feel possible")
    dialog.cadence.setValue(5)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.page() == GOAL and window.goal_page.page is not None,
                    timeout=10_000)
    assert goal_row(wise_home, "sleep-well") == ("active", "Sleep well",
                                                 "mornings feel possible", 5)


def test_a_goal_there_already_is_offered_not_copied(qtbot, seeded, window,
                                                    wise_home) -> None:
    """The CLI's rule (storage.repo.goals.GoalTagTaken): no #run-a-5k-2. The dialog keeps
    what was typed, says so, and offers the goal there is."""
    open_on_goals(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.dialog
    qtbot.keyClicks(dialog.title_edit, "run a 5K")
    qtbot.keyClicks(dialog.why_edit, "the words I typed")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisibleTo(dialog), timeout=10_000)
    assert dialog.isVisible() and dialog.ok_button.isEnabled()
    assert dialog.error.text() == ("You have this goal already: Run a 5k (#run-a-5k). Open "
                                   "it, or give the new goal another title.")
    assert dialog.why_edit.toPlainText() == "the words I typed"
    assert dialog.open_button.isVisibleTo(dialog)
    assert dialog.open_button.text() == "Open “Run a 5k”"
    assert sql(wise_home, "SELECT slug FROM goals ORDER BY id") == [("run-a-5k",),
                                                                  ("learn-spanish",)]
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.page() == GOAL and window.goal_page.page is not None,
                    timeout=10_000)
    assert not dialog.isVisible()
    assert window.goal_page.title_edit.text() == "Run a 5k"


def test_ticking_an_open_step_marks_it_done(qtbot, seeded, window, wise_home) -> None:
    open_goal(qtbot, window, "Run a 5k")
    [step] = window.goal_page.open_steps
    step.tick.click()
    qtbot.waitUntil(lambda: sql(wise_home, "SELECT status FROM actions WHERE title = ?",
                                "buy new running shoes") == [("done",)], timeout=10_000)
    qtbot.waitUntil(lambda: window.goal_page.open_steps == [], timeout=10_000)
    assert "buy new running shoes" in window.goal_page.done_label.text()


# --- break it down and review with Wise ----------------------------------------------------------


def connect_with_key(wise, server, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")  # read by the children
    connect_model(wise, server)


def actions_of(home: Path, slug: str) -> list[tuple]:
    return sql(home, "SELECT a.title, a.estimate_minutes, a.status FROM actions a JOIN goals g "
                     "ON g.id = a.goal_id WHERE g.slug = ? ORDER BY a.id", slug)


def test_break_down_steps_from_the_model_become_actions(qtbot, wise, seeded, window,
                                                        fake_openai, monkeypatch,
                                                        wise_home) -> None:
    connect_with_key(wise, fake_openai, monkeypatch)
    fake_openai.script(Reply(text=json.dumps(STEPS)))
    open_goal(qtbot, window, "Run a 5k")
    qtbot.mouseClick(window.goal_page.breakdown_button, Qt.MouseButton.LeftButton)
    dialog = window.goal_page._dialog
    dialog.dial.setValue(5)
    assert dialog.size_label.text() == "tiniest steps"
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_button.isVisibleTo(dialog)
    qtbot.waitUntil(lambda: dialog.steps.count() == 3, timeout=CHILD_WAIT_MS)
    [request] = fake_openai.requests
    assert "Run a 5k" in request.json["messages"][1]["content"]
    dialog.steps.item(1).setCheckState(Qt.CheckState.Unchecked)  # not that one
    assert dialog.add_button.text() == "Add 2 ticked steps"
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.added) == 2, timeout=10_000)
    mine = actions_of(wise_home, "run-a-5k")
    assert ("Put the running shoes by the door", 1, "open") in mine
    assert ("Jog to the first lamp post", 5, "open") in mine
    assert not any(title == "Walk to the park and back" for title, _m, _s in mine)
    qtbot.waitUntil(lambda: len(window.goal_page.open_steps) == 3, timeout=10_000)
    # Closing tells Wise what was kept of the proposal: the evidence for its variant.
    from app.variant_outcomes import outcomes
    from prompts.variants import variant

    dialog.reject()
    qtbot.waitUntil(lambda: len(outcomes(wise_home)) == 1, timeout=10_000)
    [kept] = outcomes(wise_home)
    assert (kept.purpose, kept.kept, kept.offered) == ("breakdown", 2, 3)
    assert variant("breakdown", kept.variant).style in request.json["messages"][-1]["content"]


def test_cancel_stops_the_break_down(qtbot, wise, seeded, window, fake_openai, monkeypatch,
                                     wise_home) -> None:
    connect_with_key(wise, fake_openai, monkeypatch)
    fake_openai.script(Reply(text=json.dumps(STEPS), first_token_delay=30))
    open_goal(qtbot, window, "Run a 5k")
    window.goal_page.break_down_goal()
    dialog = window.goal_page._dialog
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake_openai.requests) == 1, timeout=CHILD_WAIT_MS)
    with qtbot.waitSignal(dialog.child.cancelled, timeout=10_000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Stopped." and dialog.steps.count() == 0
    assert dialog.propose_button.isVisibleTo(dialog)


def test_enter_in_the_by_hand_field_adds_the_step_and_asks_no_model(
        qtbot, wise, seeded, window, fake_openai, monkeypatch, wise_home) -> None:
    connect_with_key(wise, fake_openai, monkeypatch)
    fake_openai.script(Reply(text=json.dumps(STEPS)))
    open_goal(qtbot, window, "Run a 5k")
    window.goal_page.break_down_goal()
    dialog = window.goal_page._dialog
    qtbot.waitExposed(dialog)
    assert dialog.propose_button.isVisible() and not dialog.connect_hint.isVisible()
    qtbot.mouseClick(dialog.propose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.steps.count() == 3, timeout=CHILD_WAIT_MS)
    dialog.steps.item(2).setCheckState(Qt.CheckState.Unchecked)
    dialog.hand_edit.setFocus()
    qtbot.keyClicks(dialog.hand_edit, "fill the water bottle")
    qtbot.keyClick(dialog.hand_edit, Qt.Key.Key_Return)
    # Only the step was added: "Propose again" (the default button before) was not pressed,
    # so no model call started and the unticked proposal is still there.
    assert not dialog.child.is_running() and len(fake_openai.requests) == 1
    assert dialog.steps.count() == 4 and dialog.steps.item(3).text() == "fill the water bottle"
    assert [a for a in actions_of(wise_home, "run-a-5k") if a[2] == "open"] == [
        ("buy new running shoes", 15, "open")]
    # Enter elsewhere adds what is ticked (the dialog's one default), still no model call.
    dialog.steps.setFocus()
    qtbot.keyClick(dialog.steps, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(dialog.added) == 3, timeout=10_000)
    assert len(fake_openai.requests) == 1


def test_without_a_model_the_by_hand_path_leads(qtbot, seeded, window, wise_home) -> None:
    open_goal(qtbot, window, "Learn Spanish")
    window.goal_page.break_down_goal()
    dialog = window.goal_page._dialog
    qtbot.waitExposed(dialog)
    # No "Propose steps" that can only answer "no model": the field is ready to type in,
    # and a quiet line says how to let a model help.
    assert not dialog.propose_button.isVisible() and not dialog.dial.isVisible()
    assert dialog.connect_hint.isVisible() and "Settings" in dialog.connect_hint.text()
    assert dialog.focusWidget() is dialog.hand_edit
    assert dialog.by_hand_label.text() == FIRST_PROMPT and dialog.steps.count() == 0
    qtbot.keyClicks(dialog.hand_edit, "open the Spanish app")
    qtbot.keyClick(dialog.hand_edit, Qt.Key.Key_Return)
    assert dialog.steps.count() == 1 and dialog.by_hand_label.text() != FIRST_PROMPT
    assert not dialog.child.is_running() and dialog.isVisible()
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: actions_of(wise_home, "learn-spanish")
                    == [("open the Spanish app", None, "open")], timeout=10_000)


def test_by_hand_steps_long_or_right_to_left_fit_the_list(qtbot, seeded, window) -> None:
    open_goal(qtbot, window, "Learn Spanish")
    window.goal_page.break_down_goal()
    dialog = window.goal_page._dialog
    qtbot.waitExposed(dialog)
    too_long = "word " * 1999 + "words"  # 10,000 characters
    dialog.hand_edit.setText(too_long)
    dialog.add_by_hand()
    # Refused with the reason, and the text stays in the box to be shortened.
    assert dialog.steps.count() == 0 and dialog.hand_edit.text() == too_long
    assert "10,000 characters" in dialog.status.text()
    url = "https://example.com/" + "a-long-path/" * 30
    for step in (url, "לקרוא פרק אחד בספרדית"):
        dialog.hand_edit.setText(step)
        dialog.add_by_hand()
    assert dialog.status.text() == "" and dialog.steps.count() == 2
    qtbot.waitUntil(lambda: dialog.steps.visualItemRect(dialog.steps.item(0)).height()
                    > 2 * dialog.steps.fontMetrics().height())  # wrapped, not cut off
    assert not dialog.steps.horizontalScrollBar().isVisible()
    assert dialog.steps.item(0).toolTip() == url
    assert dialog.steps.item(1).textAlignment() & Qt.AlignmentFlag.AlignRight


def test_a_review_suggesting_a_pause_is_applied_in_one_click(qtbot, seeded, window,
                                                             wise_home) -> None:
    open_on_goals(qtbot, window)
    qtbot.mouseClick(window.goals_page.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.dialog is not None, timeout=10_000)
    dialog = window.dialog
    qtbot.waitUntil(lambda: len(dialog.suggestions) == 2, timeout=CHILD_WAIT_MS)
    [spanish] = [s for s in dialog.suggestions if s.title == "Learn Spanish"]
    [run] = [s for s in dialog.suggestions if s.title == "Run a 5k"]
    assert "pause" in spanish.buttons and "pause" not in run.buttons
    qtbot.mouseClick(spanish.buttons["pause"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: goal_row(wise_home, "learn-spanish")[0] == "paused",
                    timeout=10_000)
    qtbot.waitUntil(lambda: spanish.outcome.isVisibleTo(dialog), timeout=10_000)
    assert not spanish.buttons["pause"].isEnabled()
    qtbot.mouseClick(run.buttons["keep"], Qt.MouseButton.LeftButton)
    assert goal_row(wise_home, "run-a-5k")[0] == "active"
    # A plain review (no model) teaches nothing about the model's ways of reviewing.
    from app.variant_outcomes import outcomes

    qtbot.waitUntil(lambda: window.context.pending == 0, timeout=10_000)
    assert outcomes(wise_home) == []
    # The goals behind the dialog are read afresh: the paused one has left "Active".
    qtbot.waitUntil(lambda: [c.card.title for c in window.goals_page.cards]
                    == ["Run a 5k"], timeout=10_000)


# --- the week -------------------------------------------------------------------------------


def test_week_charts_show_the_seeded_week(qtbot, seeded, window) -> None:
    open_on_goals(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.page() == WEEK
    page = window.week_page
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    review = page.review
    assert sum(sum(s.counts) for s in review.series) >= 2
    bars, mood = colours(page.bars), colours(page.mood)
    assert near(bars, SERIES_COLOURS[0]) > 40 and near(bars, SERIES_COLOURS[1]) > 40
    assert near(mood, OKABE_ITO["blue"]) > 30 and near(mood, OKABE_ITO["vermillion"]) > 30
    assert "Run a 5k" in page.bars.accessibleDescription()
    assert "done" in page.summary.text()
    qtbot.mouseClick(page.previous_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.review.start == review.start - timedelta(days=7),
                    timeout=10_000)
    assert page.next_button.isEnabled()


def test_week_charts_have_an_empty_state(qtbot, empty_journal, window) -> None:
    window.show_goal(None)
    window.show_page(WEEK)
    qtbot.waitUntil(lambda: window.week_page.loaded, timeout=10_000)
    page = window.week_page
    bars, mood = colours(page.bars), colours(page.mood)
    assert all(near(bars, colour) == 0 for colour in SERIES_COLOURS)
    assert near(mood, OKABE_ITO["blue"]) == 0 and near(mood, OKABE_ITO["vermillion"]) == 0
    assert page.bars.accessibleDescription().startswith("No steps done")
    assert not page.next_button.isEnabled()
    assert "quiet week" in page.summary.text().lower()


# --- what Wise has learned ----------------------------------------------------------------------


@pytest.fixture
def memories(seeded, wise, wise_home: Path) -> None:
    """A day summary of yesterday and a helpful feedback note on today's reflection."""
    yesterday = today() - timedelta(days=1)
    now = stamp(local_now())
    sql(wise_home, "INSERT INTO summaries (kind, period_start, period_end, content, source, "
                   "created_at) VALUES ('day', ?, ?, 'Ran once; felt heavy afterwards.', "
                   "'plain', ?)", yesterday.isoformat(), yesterday.isoformat(), now)
    # The plain reflection on yesterday: something earlier to give feedback on.
    assert wise("reflect", "--date", yesterday.isoformat()).code == 0
    [(reflection_id,)] = sql(wise_home, "SELECT id FROM reflections")
    writer = RitualWriter(wise_home / "wise.db")
    try:
        writer.add_feedback(reflection_id, 1, "the small step idea helped")
    finally:
        writer.close()


def open_memory(qtbot, window: ReviewWindow) -> None:
    open_on_goals(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.page() == MEMORY
    qtbot.waitUntil(lambda: window.memory_page.loaded, timeout=10_000)


def memory_row(window: ReviewWindow, kind: str):
    [row] = [r for r in window.memory_page.rows if r.item.kind == kind]
    return row


def test_an_edited_summary_is_what_the_next_reflection_reads(
        qtbot, wise, memories, window, fake_openai, monkeypatch, wise_home) -> None:
    open_memory(qtbot, window)
    row = memory_row(window, "day summary")
    assert row.text.text() == "Ran once; felt heavy afterwards."
    qtbot.mouseClick(row.edit_button, Qt.MouseButton.LeftButton)
    dialog = window.memory_page.dialog
    dialog.editor.setPlainText("Ran once and felt proud; evenings suit me best.")
    dialog.accept()
    qtbot.waitUntil(lambda: memory_row(window, "day summary").text.text()
                    == "Ran once and felt proud; evenings suit me best.", timeout=10_000)
    assert sql(wise_home, "SELECT content FROM summaries") == [
        ("Ran once and felt proud; evenings suit me best.",)]

    connect_with_key(wise, fake_openai, monkeypatch)
    fake_openai.script(Reply(text=json.dumps(REFLECTION)))
    result = wise("reflect", "--json", timeout=180)
    assert result.code == 0, result.err
    [request] = fake_openai.requests
    sent = request.json["messages"][1]["content"]
    assert "Ran once and felt proud; evenings suit me best." in sent
    assert "felt heavy" not in sent


def test_an_edited_feedback_note_is_what_the_next_prompt_reads(
        qtbot, wise, memories, window, fake_openai, monkeypatch) -> None:
    open_memory(qtbot, window)
    row = memory_row(window, "feedback")
    assert row.text.text() == "the small step idea helped"
    window.memory_page.edit(row.item)
    window.memory_page.dialog.editor.setPlainText("two-minute steps help me start")
    window.memory_page.dialog.accept()
    qtbot.waitUntil(lambda: memory_row(window, "feedback").text.text()
                    == "two-minute steps help me start", timeout=10_000)
    connect_with_key(wise, fake_openai, monkeypatch)
    plan = wise("reflect", "--dry-run", "--json", timeout=120).json()
    sent = "".join(m["content"] for m in plan["messages"])
    assert "two-minute steps help me start" in sent and "small step idea" not in sent


def test_delete_removes_a_memory_after_asking(qtbot, memories, window, wise_home) -> None:
    open_memory(qtbot, window)
    assert len(window.memory_page.rows) == 2
    qtbot.mouseClick(memory_row(window, "day summary").delete_button,
                     Qt.MouseButton.LeftButton)
    click_button(qtbot, confirmation(window), "Keep it")
    settle(qtbot, window)
    assert len(sql(wise_home, "SELECT id FROM summaries WHERE content != ''")) == 1
    qtbot.mouseClick(memory_row(window, "day summary").delete_button,
                     Qt.MouseButton.LeftButton)
    click_button(qtbot, confirmation(window), "Delete")
    qtbot.waitUntil(lambda: len(window.memory_page.rows) == 1, timeout=10_000)
    # Forgotten: its text is gone (the row stays as a tombstone, so it is not re-made).
    assert sql(wise_home, "SELECT id FROM summaries WHERE content != ''") == []
    window.memory_page.delete(memory_row(window, "feedback").item)
    click_button(qtbot, confirmation(window), "Delete")
    qtbot.waitUntil(lambda: window.memory_page.rows == [], timeout=10_000)
    assert sql(wise_home, "SELECT id FROM feedback") == []
    assert window.memory_page.empty.isVisibleTo(window)


def test_feedback_is_exported_as_json_lines(qtbot, memories, window, tmp_path) -> None:
    open_memory(qtbot, window)
    target = tmp_path / "feedback.jsonl"
    with qtbot.waitSignal(window.memory_page.exporter.finished, timeout=CHILD_WAIT_MS):
        window.memory_page.export_feedback(target)
    [record] = [json.loads(line) for line in target.read_text().splitlines()]
    assert record["note"] == "the small step idea helped" and record["rating"] == 1
    assert "Exported 1 feedback record" in window.memory_page.status.text()


# --- everywhere --------------------------------------------------------------------------------


def test_keyboard_moves_between_pages_and_esc_closes(qtbot, seeded, window) -> None:
    open_on_goals(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.page() == GOALS  # no goal chosen yet
    first = window.goals_page.cards[0]
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert window.page() == GOAL
    for key, page in ((Qt.Key.Key_3, WEEK), (Qt.Key.Key_4, MEMORY), (Qt.Key.Key_2, GOAL),
                      (Qt.Key.Key_1, GOALS)):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.page() == page
    settle(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_every_button_has_an_accessible_name(qtbot, seeded, window) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit

    open_goal(qtbot, window, "Run a 5k")
    for page in (WEEK, MEMORY):
        window.show_page(page)
    settle(qtbot, window)
    controls = [w for kind in (QAbstractButton, QLineEdit, QPlainTextEdit)
                for w in window.findChildren(kind)]
    nameless = [w for w in controls if not w.accessibleName() and not (
        hasattr(w, "text") and callable(w.text) and w.text())]
    assert controls and nameless == []


def test_the_window_fits_a_small_laptop_screen(qtbot, empty_journal, window) -> None:
    room = window.screen().availableGeometry()
    assert window.width() <= max(1100, room.width())
    assert window.height() <= room.height()
    assert window.minimumWidth() <= 1366 and window.minimumHeight() <= 768


# --- a step the goal has open is not added twice ----------------------------------------------


def test_review_with_wise_does_not_offer_a_step_that_is_already_open(qtbot, seeded, window,
                                                                      wise_home) -> None:
    open_goal(qtbot, window, "Run a 5k")
    qtbot.mouseClick(window.goal_page.review_button, Qt.MouseButton.LeftButton)
    dialog = window.goal_page._dialog
    qtbot.waitUntil(lambda: len(dialog.suggestions) == 1, timeout=CHILD_WAIT_MS)
    [run] = dialog.suggestions
    assert run.next_step == "buy new running shoes"  # the smallest open step: already there
    assert "step" not in run.buttons
    words = " ".join(w.text() for w in run.findChildren(type(run.outcome)))
    assert "already one of its open steps" in words
    assert actions_of(wise_home, "run-a-5k").count(
        ("buy new running shoes", 15, "open")) == 1


def test_steps_already_open_are_named_not_added_again(qtbot, seeded, window,
                                                      wise_home) -> None:
    open_goal(qtbot, window, "Run a 5k")
    window.goal_page.step_edit.setText("Buy new running shoes.")
    qtbot.keyClick(window.goal_page.step_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "already one of this goal's open steps"
                    in window.goal_page.status_line.text(), timeout=10_000)
    window.goal_page.break_down_goal()
    dialog = window.goal_page._dialog
    for title in ("lace the new shoes", "buy new  running shoes"):
        dialog.hand_edit.setText(title)
        qtbot.keyClick(dialog.hand_edit, Qt.Key.Key_Return)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Added 1 step" in dialog.status.text(), timeout=10_000)
    assert "“buy new running shoes” is already one of this goal's open steps" in (
        dialog.status.text())
    assert [t for t, _m, status in actions_of(wise_home, "run-a-5k") if status == "open"] == [
        "buy new running shoes", "lace the new shoes"]


# --- a #tag used before its goal existed ------------------------------------------------------


def test_a_new_goal_offers_to_link_what_carried_its_tag_before(qtbot, wise, window,
                                                              wise_home) -> None:
    assert wise("capture", "[ ] call mum about the trip #family").code == 0
    assert wise("capture", "dinner with the kids #family #happy").code == 0
    open_on_goals(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.dialog.title_edit, "Family")
    qtbot.mouseClick(window.dialog.ok_button, Qt.MouseButton.LeftButton)
    page = window.goal_page
    qtbot.waitUntil(lambda: page.link_banner.isVisibleTo(window), timeout=10_000)
    assert page.link_label.text().startswith("2 earlier items carry #family but belong to "
                                             "no goal")
    assert page.open_steps == []
    qtbot.mouseClick(page.link_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.open_steps) == 1, timeout=10_000)
    assert page.status_line.text() == ("Linked 1 to-do and 1 note to this goal: “call mum "
                                       "about the trip”, “dinner with the kids”.")
    assert not page.link_banner.isVisibleTo(window)
    assert sql(wise_home, "SELECT count(*) FROM entries WHERE goal_id = 1") == [(1,)]


def test_the_suggestions_taken_or_declined_teach_the_review_its_way(
        qtbot, wise, seeded, window, fake_openai, monkeypatch, wise_home) -> None:
    from app.variant_outcomes import outcomes

    connect_with_key(wise, fake_openai, monkeypatch)
    fake_openai.script(Reply(text=json.dumps({"goals": [
        {"slug": "run-a-5k", "alive": True, "observation": "You ran to the park this week.",
         "suggestion": "smaller_step", "next_step": "Lay out the running shoes"},
        {"slug": "learn-spanish", "alive": False,
         "observation": "No Spanish lessons were noted lately.", "suggestion": "pause",
         "next_step": None}]})))
    open_on_goals(qtbot, window)
    qtbot.mouseClick(window.goals_page.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.dialog is not None, timeout=10_000)
    dialog = window.dialog
    qtbot.waitUntil(lambda: len(dialog.suggestions) == 2, timeout=CHILD_WAIT_MS)
    assert dialog.variant in {"warm", "brief"}, dialog.note.text()
    [spanish] = [s for s in dialog.suggestions if s.title == "Learn Spanish"]
    [run] = [s for s in dialog.suggestions if s.title == "Run a 5k"]
    qtbot.mouseClick(spanish.buttons["keep"], Qt.MouseButton.LeftButton)  # declines a pause
    qtbot.mouseClick(run.buttons["step"], Qt.MouseButton.LeftButton)  # takes the step
    qtbot.waitUntil(lambda: len(outcomes(wise_home)) == 2, timeout=10_000)
    assert sorted((o.purpose, o.variant, o.kept, o.offered) for o in outcomes(wise_home)) == [
        ("goal_review", dialog.variant, 0, 1), ("goal_review", dialog.variant, 1, 1)]
    learned = wise("nudge", "--learned", "--json").json()
    assert "1 of 2 suggestions taken" in learned["goal_reviews"]
    assert learned["goal_reviews"] in learned["description"]
