"""The daily reflection window on real journals: real widgets (offscreen), the real journal
writer thread, the real `wise` children and, for the model, the fake OpenAI server."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QWidget,
)

from app.daytime import journal_day, local_now
from storage.engine import Journal
from storage.models import Action, DayWords, Feedback, Reflection
from storage.ritual_writes import RitualWriter
from tests.fake_openai import Gate, Reply
from tests.helpers import GOOD_REFLECTION, connect_model
from ui.reflection.tomorrow_pane import ID_ROLE, TOO_MANY
from ui.reflection_window import AUTOSAVE_DELAY_MS, ReflectionWindow
from ui.tasks import Background

CHILD_S = 120  # a `wise` child imports litellm: slow on a small, busy machine
GOOD = GOOD_REFLECTION


def today() -> date:
    return journal_day(local_now(), 4)


@pytest.fixture
def db(wise, wise_home: Path) -> Path:
    """A real, migrated journal in WISE_HOME (where the `wise` children look too)."""
    assert wise("today").code == 0
    return wise_home / "wise.db"


@pytest.fixture
def seeded(wise, db: Path) -> Path:
    assert wise("goals", "add", "Family", "--why", "I want to be there for them").code == 0
    for text in ("+ went for a walk ~20m", "+ called the bank", "+ answered Sam ~5m",
                 "note: felt scattered after lunch", "[ ] call mum about the trip #family",
                 "[ ] book the dentist ~5m"):
        assert wise("capture", text).code == 0, text
    return db


class WriterThread:
    """The tray's journal-writer thread as WiseApp gives it to the window."""

    def __init__(self, db: Path) -> None:
        self.background = Background(threads=1)
        self._db = db
        self._writer: RitualWriter | None = None

    def run(self, fn: Callable, on_success: Callable, on_error: Callable) -> None:
        def work():
            if self._writer is None:
                self._writer = RitualWriter(self._db)  # made and used on its own thread
            return fn(self._writer)

        self.background.run(work, on_success=on_success, on_error=on_error)

    def settle(self, qtbot) -> None:
        """Every queued write committed, and its callback delivered."""
        assert self.background.wait(10_000)
        qtbot.wait(20)

    def close(self) -> None:
        def close() -> None:
            if self._writer is not None:
                self._writer.close()

        self.background.run(close, on_success=lambda _r: None, on_error=lambda _e: None)
        self.background.wait(10_000)


@pytest.fixture
def writer(db: Path) -> Iterator[WriterThread]:
    thread = WriterThread(db)
    yield thread
    thread.close()


@pytest.fixture
def make_window(qtbot, db: Path, writer: WriterThread):
    made: list[ReflectionWindow] = []

    def make(day: date | None = None) -> ReflectionWindow:
        window = ReflectionWindow(db, writer.run, lambda: 4,
                                  lambda: [sys.executable, "-m", "app.cli.main"])
        qtbot.addWidget(window)
        made.append(window)
        with qtbot.waitSignal(window.day_loaded, timeout=10_000):
            window.open_day(day)
        return window

    yield make
    for window in made:
        assert window.wait_for_children(CHILD_S * 1000)


def shown_texts(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel)
            if not label.isHidden() and label.text()]


def utc_text(day: date, hour: int) -> str:
    moment = datetime.combine(day, time(hour)).astimezone().astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def add_entry(db: Path, day: date, text: str) -> None:
    stamp = utc_text(day, 12)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO entries (uid, text, kind, source, created_at, updated_at) "
                 "VALUES (?, ?, 'note', 'import', ?, ?)", (f"seed-{text}", text, stamp, stamp))
    conn.commit()
    conn.close()


def add_reflection(db: Path, day: date, content: str) -> int:
    journal = Journal(db)
    try:
        with journal.write() as session:
            row = Reflection(kind="daily", period=day, prompt_name="daily_reflection",
                             prompt_version="1", model="openai/test-model", content=content)
            session.add(row)
            session.flush()
            return row.id
    finally:
        journal.close()


def read_rows(db: Path, model: type) -> list:
    """Read back through the ORM what the window's sqlite3 writer stored."""
    journal = Journal(db)
    try:
        with journal.read() as session:
            rows = session.query(model).order_by(model.id).all()
            session.expunge_all()
            return rows
    finally:
        journal.close()


def stored_reflections(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id, model, content FROM reflections").fetchall()
    finally:
        conn.close()


def wait_for_reflection(qtbot, window: ReflectionWindow) -> None:
    qtbot.waitUntil(lambda: not window.reflection.is_busy(), timeout=CHILD_S * 1000)
    qtbot.waitUntil(lambda: window.loaded_day() == window.current_day(), timeout=10_000)


# ------------------------------------------------------------------------- the day


def test_it_opens_today_with_the_wins_first(make_window, seeded: Path) -> None:
    window = make_window()
    assert window.current_day() == today()
    assert window.title.text().startswith(f"{today():%A} {today().day} {today():%B}")
    texts = shown_texts(window.today)
    assert "\u2713 3 things done \u2014 that counts." in texts
    wins = [t for t in texts if t.startswith("\u2713  ")]
    assert wins == ["\u2713  went for a walk", "\u2713  called the bank", "\u2713  answered Sam"]
    assert "felt scattered after lunch" in texts
    order = [texts.index(t) for t in ("\u2713  went for a walk", "felt scattered after lunch",
                                      "2 steps, in Tomorrow's list below.")]
    assert order == sorted(order)  # done first, then written, then how much is open
    picks = window.tomorrow.picks  # the open steps themselves, listed once
    assert sorted(picks.item(i).text().split("   ")[0] for i in range(picks.count())) == [
        "book the dentist", "call mum about the trip"]
    assert window.reflection.reflect_button.text() == "&Reflect"
    assert not window.feedback.helpful.isEnabled()  # nothing to rate yet


def test_today_shows_the_time_given_in_focus_sessions(make_window, wise, db: Path) -> None:
    assert wise("capture", "[ ] write the intro ~10m").code == 0
    assert wise("focus", "start", "1").code == 0
    assert wise("focus", "stop").code == 0
    texts = shown_texts(make_window().today)
    assert "Time given \u00b7 <1 min" in texts and "write the intro" in texts


def test_the_journal_s_today_needs_no_year_just_after_new_year(make_window, db: Path,
                                                               clock_at) -> None:
    clock_at(datetime(2030, 1, 1, 0, 30).astimezone())  # 31 December 2029 by the journal
    window = make_window()
    assert window.current_day() == date(2029, 12, 31)
    assert window.title.text() == "Monday 31 December"


def test_an_empty_journal_is_met_kindly(make_window, db: Path) -> None:
    window = make_window()
    texts = " ".join(shown_texts(window))
    assert "Getting through a day counts too" in texts
    assert "Nothing open" in texts and "Nothing ticked off yet" in texts
    assert window.reflection.view.toPlainText() == ""
    assert window.reflection.view.placeholderText().startswith("No reflection for this day")
    assert window.tomorrow.picks.isHidden()


def test_earlier_days_by_keys_buttons_and_the_date_picker(qtbot, make_window, seeded: Path,
                                                          db: Path) -> None:
    three_ago = today() - timedelta(days=3)
    add_entry(db, three_ago, "a quiet day, three days ago")
    add_entry(db, today() - timedelta(days=1), "yesterday's note")
    window = make_window()
    assert window.date_edit.minimumDate().toPython() == three_ago
    assert window.date_edit.maximumDate().toPython() == today()
    assert not window.next_button.isEnabled()  # no days from the future

    with qtbot.waitSignal(window.day_loaded, timeout=10_000) as loaded:
        qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert loaded.args == [today() - timedelta(days=1)]
    assert "yesterday's note" in shown_texts(window.today)
    assert window.subtitle.text() == "Yesterday"

    with qtbot.waitSignal(window.day_loaded, timeout=10_000) as loaded:
        window.date_edit.setDate(three_ago)
    assert loaded.args == [three_ago]
    assert "a quiet day, three days ago" in shown_texts(window.today)
    assert not window.previous_button.isEnabled()  # the journal starts here

    with qtbot.waitSignal(window.day_loaded, timeout=10_000) as loaded:
        qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert loaded.args == [three_ago + timedelta(days=1)]
    with qtbot.waitSignal(window.day_loaded, timeout=10_000) as loaded:
        window.open_day(today() + timedelta(days=5))  # the future is not a journal day yet
    assert loaded.args == [today()]


def test_the_window_fits_the_screen(make_window, db: Path) -> None:
    window = make_window()
    room = window.screen().availableGeometry()
    assert window.width() <= room.width() and window.height() <= room.height()


def test_every_control_has_an_accessible_name(make_window, db: Path) -> None:
    window = make_window()
    focusable = [w for w in window.findChildren(QWidget)
                 if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.isVisibleTo(window)
                 and w.focusProxy() is None and w.parent() is not None
                 and not w.parent().inherits("QAbstractSpinBox")
                 and not w.inherits("QScrollBar")]
    assert focusable
    unnamed = [w for w in focusable if not w.accessibleName()]
    assert unnamed == [], [type(w).__name__ for w in unnamed]


def test_mnemonics_do_not_clash(make_window, db: Path) -> None:
    window = make_window()
    texts = [w.text() for w in window.findChildren(QLabel) + window.findChildren(QAbstractButton)
             if "&" in w.text()]
    letters = [text[text.index("&") + 1].lower() for text in texts]
    assert len(letters) >= 12
    assert len(letters) == len(set(letters)), sorted(zip(letters, texts, strict=True))


# ------------------------------------------------------------------------- your words


def test_words_autosave_and_survive_closing_the_window(qtbot, make_window, writer, db: Path
                                                       ) -> None:
    window = make_window()
    qtbot.keyClicks(window.words.how, "Slow start, then the walk helped.")
    qtbot.waitUntil(lambda: window.words.status.text() == "Saved",
                    timeout=AUTOSAVE_DELAY_MS + 5000)
    [row] = read_rows(db, DayWords)
    assert row.day == today() and row.how_it_went == "Slow start, then the walk helped."

    qtbot.keyClicks(window.words.in_the_way, "the heat")
    qtbot.mouseClick(window.words.mood.buttons[3], Qt.MouseButton.LeftButton)
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # closes at once: no waiting for the timer
    assert not window.isVisible()
    writer.settle(qtbot)
    [row] = read_rows(db, DayWords)
    assert (row.in_the_way, row.mood, row.energy) == ("the heat", 4, None)

    again = make_window()
    assert again.words.words().how_it_went == "Slow start, then the walk helped."
    assert again.words.words().in_the_way == "the heat"
    assert again.words.mood.value() == 4 and again.words.mood.meaning.text() == "good"


def test_a_reload_read_before_the_save_never_puts_older_words_back(qtbot, make_window, writer,
                                                                   db: Path) -> None:
    # A reload (e.g. after a reflection) asked for while words were unsaved, then the
    # autosave: the reload's result is older than the screen and must not replace it.
    window = make_window()
    qtbot.keyClicks(window.words.how, "first words")
    qtbot.mouseClick(window.words.mood.buttons[1], Qt.MouseButton.LeftButton)
    window._load(today())  # the race: a read queued while the words are unsaved
    window.save_words_now()
    writer.settle(qtbot)
    qtbot.wait(50)
    assert window.words.words().how_it_went == "first words"
    assert window.words.mood.value() == 2
    [row] = read_rows(db, DayWords)
    assert (row.how_it_went, row.mood) == ("first words", 2)


def test_changing_the_day_saves_the_words_to_their_own_day(qtbot, make_window, writer,
                                                          db: Path) -> None:
    window = make_window()
    qtbot.keyClicks(window.words.how, "today's words")
    with qtbot.waitSignal(window.day_loaded, timeout=10_000):
        window.open_day(today() - timedelta(days=1))
    assert window.words.words().how_it_went == ""
    writer.settle(qtbot)
    assert [(r.day, r.how_it_went) for r in read_rows(db, DayWords)] == [
        (today(), "today's words")]


# ------------------------------------------------------------------------- reflection


def test_the_reflection_streams_in_from_the_model(qtbot, make_window, seeded: Path, wise,
                                                  fake_openai, db: Path) -> None:
    connect_model(wise, fake_openai)
    reply = json.dumps(GOOD)
    cuts = [0, reply.index("walk, and"), reply.index("family seems"), len(reply)]
    chunks = [reply[a:b] for a, b in pairwise(cuts)]  # prose in each
    # The server holds each chunk until the window has shown the one before: the text
    # must appear while the stream is still open, and no two chunks arrive together.
    gate = Gate()
    fake_openai.script(Reply(chunks=chunks, gate=gate))
    window = make_window()
    qtbot.keyClicks(window.words.how, "Tired, but the walk helped.")
    qtbot.mouseClick(window.words.energy.buttons[1], Qt.MouseButton.LeftButton)
    seen: list[str] = []

    def shown() -> None:
        text = window.reflection.view.toPlainText()
        if text and text not in seen:
            seen.append(text)
            gate.open()

    window.reflection.view.textChanged.connect(shown)
    with qtbot.waitSignal(window.reflection_done, timeout=CHILD_S * 1000) as done:
        qtbot.keyClick(window.words.how, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert window.reflection.stop_button.isEnabled()
    assert done.args == [today()]
    wait_for_reflection(qtbot, window)

    # It arrived in steps, not all at once: each chunk was on screen before the next left.
    assert gate.opened >= len(chunks) - 1
    assert seen[0].startswith("You went for a") and "Being there" not in seen[0]
    assert "You went for a walk" in seen[1] and "Open mum" not in seen[1]
    shown = window.reflection.view.toPlainText()
    assert "You went for a walk" in shown and "Open mum's contact after lunch" in shown
    assert "{" not in shown  # prose, not JSON
    [request] = fake_openai.requests
    user = request.json["messages"][1]["content"]
    assert "Tired, but the walk helped." in user and "energy was 2 of 5" in user
    [(reflection_id, model, content)] = stored_reflections(db)
    assert "test-model" in model and "You went for a walk" in content
    assert window.reflection.reflect_button.text() == "&Regenerate"
    assert window.feedback.helpful.isEnabled()
    assert "Open mum's contact after lunch and press call" in window.tomorrow.suggestion.text()
    assert window.words.words().how_it_went == "Tired, but the walk helped."
    assert reflection_id


def test_stop_cancels_the_model_call_and_keeps_what_arrived(qtbot, make_window, seeded: Path,
                                                            wise, fake_openai,
                                                            db: Path) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(chunks=['{"celebrate": "Walking ', "slowly ", "forward "],
                             endless=True, chunk_delay=0.05))
    window = make_window()
    qtbot.mouseClick(window.reflection.reflect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "slowly" in window.reflection.view.toPlainText(),
                    timeout=CHILD_S * 1000)
    qtbot.mouseClick(window.reflection.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.reflection.is_busy(), timeout=10_000)
    assert window.reflection.status.text().startswith("Stopped.")
    assert "Walking slowly" in window.reflection.view.toPlainText()
    assert fake_openai.wait_for_disconnects(1, timeout=10)
    assert stored_reflections(db) == []
    assert window.reflection.reflect_button.isEnabled()


def test_a_model_error_gives_the_plain_reflection_one_line_and_the_words_stay(
        qtbot, make_window, seeded: Path, wise, fake_openai) -> None:
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(status=404))
    window = make_window()
    qtbot.keyClicks(window.words.how, "a long day")
    with qtbot.waitSignal(window.reflection_done, timeout=CHILD_S * 1000):
        qtbot.mouseClick(window.reflection.reflect_button, Qt.MouseButton.LeftButton)
    wait_for_reflection(qtbot, window)
    assert "You did 3 things" in window.reflection.view.toPlainText()
    assert window.reflection.hint.text().startswith(
        "The model was not found, so this is the plain reflection from your data")
    assert window.reflection.caption.text().startswith("A plain reflection")
    assert window.words.words().how_it_went == "a long day"


def test_regenerate_keeps_the_reflection_until_a_new_one_arrives(
        qtbot, make_window, seeded: Path, wise, fake_openai) -> None:
    window = make_window()
    with qtbot.waitSignal(window.reflection_done, timeout=CHILD_S * 1000):
        qtbot.mouseClick(window.reflection.reflect_button, Qt.MouseButton.LeftButton)
    wait_for_reflection(qtbot, window)
    before = window.reflection.view.toPlainText()
    assert "You did 3 things" in before
    connect_model(wise, fake_openai)
    fake_openai.script(Reply(text=json.dumps(GOOD), first_token_delay=30))
    qtbot.mouseClick(window.reflection.reflect_button, Qt.MouseButton.LeftButton)
    assert fake_openai.wait_for_requests(1, timeout=CHILD_S)
    assert window.reflection.view.toPlainText() == before  # nothing new yet: still there
    assert window.feedback.helpful.isEnabled()  # and its feedback with it
    qtbot.mouseClick(window.reflection.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.reflection.is_busy(), timeout=20_000)
    assert window.reflection.view.toPlainText() == before
    assert window.reflection.status.text() == ("Stopped. The reflection that was there is "
                                               "kept.")


def test_without_a_model_the_plain_reflection_and_a_quiet_hint(qtbot, make_window,
                                                               seeded: Path) -> None:
    window = make_window()
    with qtbot.waitSignal(window.reflection_done, timeout=CHILD_S * 1000):
        qtbot.mouseClick(window.reflection.reflect_button, Qt.MouseButton.LeftButton)
    wait_for_reflection(qtbot, window)
    assert "You did 3 things" in window.reflection.view.toPlainText()
    assert not window.reflection.hint.isHidden()
    assert "wise config set llm.model" in window.reflection.hint.text()
    assert window.reflection.caption.text().startswith("A plain reflection")
    assert "book the dentist" in window.tomorrow.suggestion.text()  # its next step line


def test_what_was_sent_shows_the_exact_messages(qtbot, make_window, seeded: Path) -> None:
    window = make_window()
    qtbot.keyClicks(window.words.how, "my own words")
    qtbot.mouseClick(window.reflection.sent_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.reflection.dialog is not None, timeout=CHILD_S * 1000)
    text = window.reflection.dialog.messages.toPlainText()
    assert "SYSTEM" in text and "USER" in text and "my own words" in text
    assert window.reflection.dialog.messages.isReadOnly()
    window.reflection.dialog.close()


def test_very_long_words_are_saved_whole_and_still_reflected_on(qtbot, make_window, writer,
                                                                 seeded: Path, db: Path) -> None:
    # The reflection child takes at most 10,000 characters of words; a long evening entry
    # must neither be cut in the journal nor stop the reflection.
    long = "It began slowly. " + "Then a lot happened, one thing after another. " * 500 \
        + "In the end I slept well."
    window = make_window()
    window.words.how.setPlainText(long)
    window.save_words_now()
    writer.settle(qtbot)
    [row] = read_rows(db, DayWords)
    assert row.how_it_went == long.strip()
    with qtbot.waitSignal(window.reflection_done, timeout=CHILD_S * 1000):
        qtbot.mouseClick(window.reflection.reflect_button, Qt.MouseButton.LeftButton)
    wait_for_reflection(qtbot, window)
    assert "You did 3 things" in window.reflection.view.toPlainText()
    sent = window.words.words().for_the_model()
    assert len(sent) < 10_000
    assert sent.startswith("How the day went: It began slowly.") and "[…]" in sent
    assert sent.endswith("In the end I slept well.")


class UrlOpener(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_links_are_not_followed_and_html_stays_text(qtbot, make_window, db: Path) -> None:
    add_reflection(db, today(), "Read [this page](https://example.com/page) when rested.\n\n"
                   "<b>not bold</b> <a href='https://evil.example/'>click me</a>")
    opener = UrlOpener()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, opener, "open")
    try:
        window = make_window()
        view = window.reflection.view
        plain = view.toPlainText()
        assert "<b>not bold</b>" in plain and "<a href='https://evil.example/'>" in plain
        assert "evil.example" not in view.document().toHtml().replace(
            "&lt;a href='https://evil.example/'&gt;", "")  # never an anchor
        cursor = view.document().find("this page")
        middle = QTextCursor(cursor)
        middle.setPosition(cursor.selectionStart() + 2)
        point = view.cursorRect(middle).center()
        with qtbot.waitSignal(view.anchorClicked, timeout=2000) as clicked:
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
        assert clicked.args[0].toString() == "https://example.com/page"
        qtbot.wait(100)
        assert opener.opened == [] and view.source().isEmpty()
        assert "https://example.com/page" in window.reflection.status.text()
        assert view.toPlainText() == plain  # still the reflection, not a page
    finally:
        for scheme in ("http", "https"):
            QDesktopServices.unsetUrlHandler(scheme)


# ------------------------------------------------------------------------- feedback


def test_feedback_is_stored_and_shown_again(qtbot, make_window, writer, db: Path) -> None:
    reflection_id = add_reflection(db, today(), "You showed up. That counts.")
    window = make_window()
    assert window.reflection.reflect_button.text() == "&Regenerate"
    qtbot.mouseClick(window.feedback.not_quite, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(window.feedback.note, "too long")
    qtbot.keyClick(window.feedback.note, Qt.Key.Key_Return)
    writer.settle(qtbot)
    qtbot.mouseClick(window.feedback.helpful, Qt.MouseButton.LeftButton)  # a change of mind
    writer.settle(qtbot)
    assert window.feedback.status.text().startswith("Thank you")
    [row] = read_rows(db, Feedback)
    assert (row.target_kind, row.target_id, row.rating, row.note) == (
        "reflection", reflection_id, 1, "too long")
    window.close()
    again = make_window()
    assert again.feedback.helpful.isChecked() and not again.feedback.not_quite.isChecked()
    assert again.feedback.note.text() == "too long"


# ------------------------------------------------------------------------- tomorrow


def test_three_picks_become_planned_actions_and_a_fourth_is_refused(
        qtbot, make_window, writer, wise, db: Path) -> None:
    for text in ("[ ] one ~5m", "[ ] two", "[ ] three ~30m", "[ ] four"):
        assert wise("capture", text).code == 0
    window = make_window()
    picks = window.tomorrow.picks
    items = {picks.item(i).text().split("   ")[0]: picks.item(i) for i in range(picks.count())}
    for title in ("one", "two", "three"):
        items[title].setCheckState(Qt.CheckState.Checked)
    items["four"].setCheckState(Qt.CheckState.Checked)
    assert items["four"].checkState() == Qt.CheckState.Unchecked
    assert window.tomorrow.gentle.text() == TOO_MANY
    with qtbot.waitSignal(window.planned_changed, timeout=10_000) as planned:
        qtbot.mouseClick(window.tomorrow.plan_button, Qt.MouseButton.LeftButton)
    tomorrow = today() + timedelta(days=1)
    assert planned.args == [tomorrow]
    writer.settle(qtbot)
    due = {a.title: a.due_on for a in read_rows(db, Action)}
    assert due == {"one": tomorrow, "two": tomorrow, "three": tomorrow, "four": None}
    qtbot.waitUntil(lambda: window.loaded_day() == today(), timeout=5000)
    labels = [picks.item(i).text() for i in range(picks.count())]
    assert sum("planned" in label for label in labels) == 3
    assert "one" in window.tomorrow.suggestion.text()  # the smallest open action


def test_a_new_action_goes_through_the_capture_language_and_is_ticked(
        qtbot, make_window, db: Path) -> None:
    window = make_window()
    qtbot.keyClicks(window.tomorrow.new_action, "water the plants ~5m")
    qtbot.keyClick(window.tomorrow.new_action, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.tomorrow.picked_ids()), timeout=CHILD_S * 1000)
    [picked] = window.tomorrow.picked_ids()
    [action] = [a for a in read_rows(db, Action) if a.id == picked]
    assert (action.title, action.estimate_minutes, action.status) == (
        "water the plants", 5, "open")
    assert window.tomorrow.new_action.text() == ""
    assert window.tomorrow.picks.item(0).data(ID_ROLE) == picked



# ------------------------------------------------------------------------- layout

LONG_URL = "https://example.com/watch?v=" + "dQw4w9WgXcQ" * 25  # nowhere to break a line
ARABIC_NOTE = "اليوم كان يوما طويلا، لكن المشي في المساء ساعدني كثيرا على التفكير"
HEBREW_STEP = "להתקשר לאמא לגבי הטיול"
TEN_THOUSAND = ("A long brain dump about the week, one thought after another. " * 170)[:10_000]
# The screens the window must suit, less a desktop panel: (x, y, width, height).
SCREENS = {"1366x768": (0, 32, 1366, 736), "1280x800": (0, 32, 1280, 768),
           "1920x1080": (0, 32, 1920, 1048)}


def settle_layout() -> None:
    """Every pending layout run now (they are posted events), so geometry is final."""
    for _ in range(4):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.processEvents()


def in_view(widget: QWidget) -> bool:
    """Wholly on screen: inside the window and inside every scroll area it sits in."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not widget.isVisible() or not window.rect().contains(rect):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) \
                and parent is parent.parentWidget().viewport():
            port = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
            if not port.contains(rect):
                return False
        parent = parent.parentWidget()
    return True


def ink(widget: QWidget) -> tuple[int, int] | None:
    """The leftmost and rightmost columns where the widget drew text, or None if blank."""
    image = widget.grab().toImage()
    paper = image.pixelColor(0, 0).lightness()
    columns = [x for x in range(image.width())
               if any(abs(image.pixelColor(x, y).lightness() - paper) > 80
                      for y in range(0, image.height(), 2))]
    return (columns[0], columns[-1]) if columns else None


def today_label(window: ReflectionWindow, text: str) -> QLabel:
    [label] = [lb for lb in window.today.findChildren(QLabel) if lb.text() == text]
    return label


def test_long_and_right_to_left_lines_fit_the_today_pane(qtbot, make_window, wise,
                                                         db: Path) -> None:
    for text in (f"+ {LONG_URL}", f"[ ] {HEBREW_STEP}"):
        assert wise("capture", text).code == 0
    add_entry(db, today(), ARABIC_NOTE)
    add_entry(db, today(), TEN_THOUSAND)
    window = make_window()
    window.resize(1000, 700)
    with qtbot.waitSignal(window.day_loaded, timeout=10_000):
        window._load(today())  # read again at this size, as a window opened at it would
    settle_layout()
    pane = window.today
    assert pane.horizontalScrollBar().maximum() == 0  # nothing wider than the pane
    assert not pane.horizontalScrollBar().isVisible()
    width = pane.viewport().width()
    for text in (f"\u2713  {LONG_URL}", ARABIC_NOTE, TEN_THOUSAND):
        label = today_label(window, text)
        assert label.mapTo(pane.viewport(), QPoint(label.width(), 0)).x() <= width, text[:20]
        assert ink(label) is not None, text[:20]  # never blank
    # A right-to-left line ends at the pane's right edge.
    arabic = today_label(window, ARABIC_NOTE)
    left, right = ink(arabic)
    assert right > arabic.width() - arabic.fontMetrics().height() and left > 20
    # The 10,000 characters are a few lines and a way to read them all.
    note = today_label(window, TEN_THOUSAND)
    assert note.height() < 8 * note.fontMetrics().lineSpacing()
    [more] = [b for b in note.parentWidget().findChildren(QAbstractButton) if b.isVisible()]
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    settle_layout()
    assert note.height() > 40 * note.fontMetrics().lineSpacing()
    assert pane.horizontalScrollBar().maximum() == 0


def fits(window: ReflectionWindow) -> list[str]:
    """The controls that are not wholly in view (none, when the layout fits)."""
    controls = {"how": window.words.how, "energy": window.words.energy.buttons[4],
                "reflect": window.reflection.reflect_button, "hint": window.reflection.hint,
                "helpful": window.feedback.helpful, "note": window.feedback.note,
                "tomorrow": window.tomorrow.heading, "picks": window.tomorrow.picks,
                "plan": window.tomorrow.plan_button}
    settle_layout()
    return [name for name, widget in controls.items() if not in_view(widget)]


def test_at_its_default_size_the_feedback_and_tomorrow_are_in_view(qtbot, make_window,
                                                                    seeded: Path) -> None:
    window = make_window()
    with qtbot.waitSignal(window.reflection_done, timeout=CHILD_S * 1000):
        qtbot.mouseClick(window.reflection.reflect_button, Qt.MouseButton.LeftButton)
    wait_for_reflection(qtbot, window)  # the plain reflection and its hint: the tallest
    assert window.feedback.helpful.isEnabled()
    window.resize(1000, 700)
    assert fits(window) == []
    for screen, (x, y, w, h) in SCREENS.items():
        size = window.default_size(QRect(x, y, w, h))
        assert size.width() <= w and size.height() <= h, screen
        assert size.width() >= min(1000, w - 60) and size.height() >= min(700, h - 60), screen
        window.resize(size)
        assert fits(window) == [], screen
    # As small as it goes, Tomorrow's card (which does not scroll) is still whole, and the
    # right column scrolls rather than cutting its fields short at the side.
    window.resize(1, 1)
    settle_layout()
    assert all(in_view(w) for w in (window.tomorrow.picks, window.tomorrow.plan_button,
                                    window.tomorrow.new_action))
    assert window.right.widget().width() <= window.right.viewport().width()


def test_saved_and_thank_you_lines_move_nothing(qtbot, make_window, writer, wise,
                                                db: Path) -> None:
    assert wise("capture", "[ ] water the plants").code == 0
    add_reflection(db, today(), "You showed up. That counts.")
    window = make_window()
    window.resize(1000, 700)

    def places() -> dict[str, QPoint]:
        settle_layout()
        return {name: widget.mapTo(window, QPoint(0, 0)) for name, widget in (
            ("mood", window.words.mood.buttons[0]), ("reflect", window.reflection.reflect_button),
            ("helpful", window.feedback.helpful), ("note", window.feedback.note),
            ("plan", window.tomorrow.plan_button))}

    before = places()
    qtbot.keyClicks(window.words.how, "a good day")
    qtbot.waitUntil(lambda: window.words.status.text() == "Saved",
                    timeout=AUTOSAVE_DELAY_MS + 5000)
    assert places() == before
    qtbot.mouseClick(window.feedback.helpful, Qt.MouseButton.LeftButton)
    writer.settle(qtbot)
    qtbot.waitUntil(lambda: window.feedback.status.text().startswith("Thank you"),
                    timeout=5000)
    assert places() == before
    window.tomorrow.picks.item(0).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(window.planned_changed, timeout=10_000):
        qtbot.mouseClick(window.tomorrow.plan_button, Qt.MouseButton.LeftButton)
    assert window.tomorrow.status.text().startswith("Planned 1 action")
    assert places() == before


def test_a_new_action_is_captured_here_never_by_a_child_sent_back_to_the_tray(
        qtbot, writer: WriterThread, db: Path, tmp_path: Path) -> None:
    """A `wise capture` child would hand the text to this same tray's socket (and show it
    to `ps`): the window captures in this process, on the writer thread."""
    started = tmp_path / "started"
    probe = tmp_path / "wise_probe.py"
    probe.write_text(f"open({str(started)!r}, 'a').write('child')\n")
    window = ReflectionWindow(db, writer.run, lambda: 4, lambda: [sys.executable, str(probe)])
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.day_loaded, timeout=10_000):
        window.open_day(None)
    qtbot.keyClicks(window.tomorrow.new_action, "ask the doctor about the results ~5m")
    qtbot.keyClick(window.tomorrow.new_action, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.tomorrow.picked_ids()), timeout=10_000)
    assert not started.exists()
    [action] = [a for a in read_rows(db, Action) if a.title == "ask the doctor about the results"]
    assert (action.estimate_minutes, action.status, action.source) == (5, "open", "capture")


def test_an_action_the_journal_refuses_stays_in_the_box(qtbot, make_window) -> None:
    window = make_window()
    too_long = "a step that goes on " * 600  # beyond what a capture may hold
    window.tomorrow.new_action.setText(too_long)
    qtbot.mouseClick(window.tomorrow.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Could not add it" in window.tomorrow.gentle.text(),
                    timeout=10_000)
    assert window.tomorrow.new_action.text() == too_long
    assert "Your text is still in the box" in window.tomorrow.gentle.text()
