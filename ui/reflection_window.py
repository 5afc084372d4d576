"""The daily reflection window: the done-list, the user's own words, Wise's reflection as
it streams in, at most three picks for tomorrow, and feedback. Calm, five minutes.

Reads and writes run on the tray's journal-writer thread (`writer_run`), model work in
`wise` children (ui/children.py): the window never waits on either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.capture.ack import CaptureAck
from ui.palette import PaletteStyle, Tokens, indicator_rules
from ui.reflection.feedback_pane import FeedbackPane
from ui.reflection.reflection_pane import ReflectionPane
from ui.reflection.style import Card, ColumnScroll, hint_label, section_heading
from ui.reflection.today_pane import TodayPane
from ui.reflection.tomorrow_pane import MAX_PICKS, TomorrowPane
from ui.reflection.words_pane import Words, WordsPane
from ui.sync_conflicts import ConflictsBox

log = logging.getLogger(__name__)

AUTOSAVE_DELAY_MS = 600
DEFAULT_SIZE = QSize(1000, 700)
# Room asked for beyond what the right column needs at least: a reflection is often longer
# than the few lines its box keeps, and the hint on how to connect a model takes three.
REFLECTION_ROOM_LINES = 8


def day_title(day: date, today: date) -> str:
    """'Thursday 26 November' (with the year when it is not the year of the journal's
    today: at 00:30 on 1 January, 31 December is still today, and needs no year)."""
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(qdate: QDate) -> date:
    # QDate.toPython() gives the same date, but typed as object by PySide6's stubs.
    return date(qdate.year(), qdate.month(), qdate.day())


class ReflectionWindow(QWidget):
    reflection_done = Signal(object)  # the day reflected on
    planned_changed = Signal(object)  # the day actions were planned for
    day_loaded = Signal(object)  # a day's view is on screen (tests, benchmarks)
    conflicts_shown = Signal(object)  # the day whose sync conflicts are now on screen
    conflicts_answered = Signal()  # a sync conflict was answered here (the tray recounts)
    start_step = Signal(int, object)  # Start on an open step: its id, minutes (None: estimate)

    def __init__(self, db: Path, writer_run: Callable, day_start_hour: Callable[[], int],
                 wise_command: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._db = Path(db)
        self._writer_run = writer_run
        self._day_start_hour = day_start_hour
        self._wise_command = wise_command
        self._day: date | None = None
        self._loaded_day: date | None = None
        self._load_token = 0
        self._dirty = False
        self._edits = 0  # counts edits, so a save finishing late knows it is not the last
        # Tomorrow's check boxes seen in the theme of the moment (the style's own are
        # invisible on a dark one).
        self._palette_style = PaletteStyle(self, lambda palette: indicator_rules(Tokens(palette)))
        self.setWindowTitle("Daily reflection")  # Qt appends " — Wise"
        self.setAccessibleName("Daily reflection")
        self._build()
        self._palette_style.restyle()
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.save_words_now)
        self._shortcuts()
        self._size_to_screen()

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        em = self.fontMetrics().height()
        outer = self._outer = QVBoxLayout(self)
        outer.setContentsMargins(em, em, em, em // 2)
        outer.setSpacing(em)
        outer.addLayout(self._header())

        # Two columns: on the left the day's facts and the plan (what was done and
        # written, then tomorrow's picks from what is still open); on the right the words
        # (yours, Wise's, your feedback). Both fit the default size without scrolling.
        body = QHBoxLayout()
        body.setSpacing(em)
        left = QVBoxLayout()
        left.setSpacing(em)
        self.today = TodayPane(self)
        left.addWidget(self.today, 1)
        self.tomorrow = TomorrowPane(self)
        self.tomorrow.plan.connect(self._plan)
        self.tomorrow.add.connect(self._add_action)
        self.tomorrow.start.connect(self.start_step)
        left.addWidget(self._card(self.tomorrow, self))
        body.addLayout(left, 2)

        right = self._column = QWidget(self)
        column = self._column_layout = QVBoxLayout(right)
        column.setContentsMargins(0, 0, em // 2, 0)
        column.setSpacing(em)
        self.words = WordsPane(right)
        self.words.edited.connect(self._words_edited)
        self.reflection = ReflectionPane(self._wise_command, self._words_for_model, right)
        self.reflection.done.connect(self._reflection_finished)
        self.feedback = FeedbackPane(right)
        self.feedback.rated.connect(self._save_feedback)
        words_card = self._card(self.words, right)
        self._build_conflicts(words_card)
        column.addWidget(words_card)
        # The reflection takes the height there is; its feedback stays right under it.
        column.addWidget(self._card(self.reflection, right, self.feedback), 1)
        self.right = ColumnScroll(self)  # scrolls only when the window is made very small
        self.right.setWidget(right)
        self.right.setAccessibleName("Your words, Wise's reflection and your feedback")
        body.addWidget(self.right, 3)
        outer.addLayout(body, 1)

        # Tab follows the evening's order, not the columns: your words, the reflection,
        # your feedback, then tomorrow.
        chain = [self.words.how, self.words.in_the_way, *self.words.mood.buttons,
                 *self.words.energy.buttons, self.reflection.reflect_button,
                 self.reflection.stop_button, self.reflection.sent_button,
                 self.reflection.view, self.feedback.helpful, self.feedback.not_quite,
                 self.feedback.note, self.tomorrow.picks, self.tomorrow.new_action,
                 self.tomorrow.add_button, self.tomorrow.plan_button]
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

    def _card(self, pane: QWidget, parent: QWidget, extra: QWidget | None = None) -> Card:
        card = Card(parent)
        card.body.addWidget(pane, 1)
        if extra is not None:
            card.body.addWidget(extra)
        return card

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.previous_button = QToolButton(self)
        self.previous_button.setText("\u2039")
        self.previous_button.setAccessibleName("Previous day")
        self.previous_button.setToolTip("The day before (Ctrl+Left)")
        self.previous_button.clicked.connect(self.previous_day)
        self.next_button = QToolButton(self)
        self.next_button.setText("\u203a")
        self.next_button.setAccessibleName("Next day")
        self.next_button.setToolTip("The day after (Ctrl+Right)")
        self.next_button.clicked.connect(self.next_day)
        em = self.fontMetrics().height()
        for button in (self.previous_button, self.next_button):
            arrow = button.font()
            arrow.setPointSizeF(arrow.pointSizeF() * 1.8)
            button.setFont(arrow)
            button.setFixedSize(QSize(em * 2, em * 2))  # grows with the font, like the rest
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title = section_heading("", self)
        font = self.title.font()
        font.setPointSizeF(self.font().pointSizeF() * 1.6)
        self.title.setFont(font)
        self.title.setAccessibleName("The day on show")
        self.subtitle = hint_label("", self)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setAccessibleName("Open another day")
        self.date_edit.setToolTip("Open any earlier day")
        self.date_edit.dateChanged.connect(self._date_picked)
        go_label = QLabel("&Go to", self)
        go_label.setBuddy(self.date_edit)
        row.addWidget(self.previous_button)
        row.addLayout(titles)
        row.addWidget(self.next_button)
        row.addStretch(1)
        row.addWidget(go_label)
        row.addWidget(self.date_edit)
        return row

    def _shortcuts(self) -> None:
        def bind(keys, slot) -> None:
            shortcut = QShortcut(QKeySequence(keys), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            bind(keys, self.reflection.reflect)
        bind(Qt.Key.Key_Escape, self.close)
        bind("Ctrl+Left", self.previous_day)
        bind("Ctrl+Right", self.next_day)
        bind("Alt+Left", self.previous_day)  # Ctrl+arrows move by words inside a text field
        bind("Alt+Right", self.next_day)

    def _size_to_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else QRect(0, 0, 1920, 1080)
        # No fixed minimum: the layout's own keeps Tomorrow's card whole (it does not
        # scroll) and the right column's fields uncut, and follows them as they grow.
        self.today.setMinimumWidth(self.fontMetrics().height() * 14)
        self.resize(self.default_size(room))

    def default_size(self, room: QRect) -> QSize:
        """At least 1000×700 (more with a larger font), and tall enough that the right
        column shows everything (words, a reflection of some lines with its hint, the
        feedback) without scrolling; never more than the screen's free area `room`. (It
        lays the window out at that width to measure.)"""
        em = self.fontMetrics().height()  # grows with the font, so 4K screens scale too
        spare = em * 3  # the window frame and a little air around it
        width = min(max(DEFAULT_SIZE.width(), em * 58), room.width() - spare)
        # Lay the window out at that width to learn what the right column needs there.
        self.resize(width, room.height())
        self._outer.activate()
        self._column_layout.activate()
        needed = (self.right.y() + self._column.heightForWidth(self.right.viewport().width())
                  + self._outer.contentsMargins().bottom()
                  + REFLECTION_ROOM_LINES * self.fontMetrics().lineSpacing())
        height = min(max(DEFAULT_SIZE.height(), needed), room.height() - spare)
        return QSize(width, height)

    # -- days --------------------------------------------------------------------------

    def journal_today(self) -> date:
        from app.daytime import journal_day, local_now

        return journal_day(local_now(), self._day_start_hour())

    def current_day(self) -> date | None:
        return self._day

    def loaded_day(self) -> date | None:
        return self._loaded_day

    def open_day(self, day: date | None = None) -> None:
        """Show the window on a day (today when None); the data follows a moment later."""
        today = self.journal_today()
        day = min(day or today, today)
        if day != self._day:
            self.save_words_now()  # the words belong to the day they were typed on
            self._day = day
            self._loaded_day = None
            self.words.set_words(Words())
            self.words.status.setText("")
            self.conflicts.show_conflicts([])
            self.today.show_loading()
        self._show_header(day, today)
        if not self.isVisible():
            self.show()
            self.words.how.setFocus()  # ready to write at once
        self.raise_()
        self.activateWindow()
        self._load(day)
        self._load_calibrations()

    def previous_day(self) -> None:
        if self._day is not None:
            earliest = _day(self.date_edit.minimumDate())
            if self._day > earliest:
                self.open_day(self._day - timedelta(days=1))

    def next_day(self) -> None:
        if self._day is not None and self._day < self.journal_today():
            self.open_day(self._day + timedelta(days=1))

    def _date_picked(self, qdate: QDate) -> None:
        picked = _day(qdate)
        if self._day is not None and picked != self._day:
            self.open_day(picked)

    def _show_header(self, day: date, today: date) -> None:
        self.title.setText(day_title(day, today))
        ago = (today - day).days
        self.subtitle.setText("Your look back at today" if ago == 0
                              else "Yesterday" if ago == 1 else f"{ago} days ago")
        self.date_edit.blockSignals(True)
        self.date_edit.setMaximumDate(_qdate(today))
        if _day(self.date_edit.minimumDate()) > day:
            self.date_edit.setMinimumDate(_qdate(day))
        self.date_edit.setDate(_qdate(day))
        self.date_edit.blockSignals(False)
        self.next_button.setEnabled(day < today)

    def _load(self, day: date) -> None:
        self._load_token += 1
        token, db, hour = self._load_token, self._db, self._day_start_hour()

        def read(_writer):
            from app.ritual_data import day_view, earliest_day

            return day_view(db, day, hour), earliest_day(db, hour)

        # The words on screen are newer than any read that was asked for while they were
        # unsaved, or that an edit followed: such a read must not put older words back.
        words_edits = None if self._dirty else self._edits

        def loaded(result: tuple[Any, date | None]) -> None:
            view, earliest = result
            self._loaded(token, view, earliest, words_edits)

        self._writer_run(read, loaded, lambda exc: self._load_failed(token, exc))
        self._load_conflicts(day)

    def _loaded(self, token: int, view, earliest: date | None,
                words_edits: int | None = None) -> None:
        if token != self._load_token:
            return  # the user already moved on to another day
        today = self.journal_today()
        self.date_edit.blockSignals(True)
        self.date_edit.setMinimumDate(_qdate(min(earliest or view.day, view.day)))
        self.date_edit.blockSignals(False)
        self.previous_button.setEnabled(view.day > _day(self.date_edit.minimumDate()))
        self.today.show_view(view, today=today)
        if not self._dirty and words_edits == self._edits:  # never overwrite newer words
            stored = view.words
            self.words.set_words(Words(stored.how_it_went, stored.in_the_way, stored.mood,
                                       stored.energy) if stored else Words())
        self.reflection.show_day(view.day, view.reflection)
        stored = view.reflection
        self.feedback.show_for(stored.id if stored else None,
                               stored.rating if stored else None,
                               stored.feedback_note if stored else None)
        self.tomorrow.show_view(view, today=today)
        self._loaded_day = view.day
        self.day_loaded.emit(view.day)

    def _load_calibrations(self) -> None:
        """How long estimated steps really take, for Tomorrow's quiet hint on an estimate
        being typed (never in the way: a failed read just leaves the hint out)."""
        from app.focus import estimate_calibrations

        db = self._db
        self._writer_run(lambda _writer: estimate_calibrations(db),
                         self.tomorrow.set_calibrations,
                         lambda exc: log.info("estimate calibration unread: %s", exc))

    def _load_failed(self, token: int, exc: Exception) -> None:
        if token == self._load_token:
            log.error("the reflection window could not read the journal: %s", exc)
            self.today.show_loading()
            self.words.status.setText(f"Your journal could not be read: {exc}")

    # -- your words (autosave) ---------------------------------------------------------

    def _words_edited(self) -> None:
        self._dirty = True
        self._edits += 1
        self.words.status.setText("")
        self._autosave.start()

    def save_words_now(self) -> None:
        """Hand the words to the writer thread now (autosave, close, day change)."""
        self._autosave.stop()
        if not self._dirty or self._day is None:
            return
        day, words, edits = self._day, self.words.words(), self._edits
        self._dirty = False

        def save(writer) -> None:
            writer.save_day_words(day, how_it_went=words.how_it_went,
                                  in_the_way=words.in_the_way, mood=words.mood,
                                  energy=words.energy)

        def saved(_result) -> None:
            if day == self._day and edits == self._edits:
                self.words.status.setText("Saved")

        def failed(exc: Exception) -> None:
            log.error("the day's words could not be saved: %s", exc)
            if day == self._day:
                self._dirty = True  # tried again on the next edit, close or day change
                self.words.status.setText(f"Not saved yet: {exc}. Your words are still here.")

        self._writer_run(save, saved, failed)

    def _words_for_model(self) -> str:
        return self.words.words().for_the_model()

    # -- sync conflicts on the day's words ---------------------------------------------

    def _build_conflicts(self, card: Card) -> None:
        """Under the words: their sync conflicts, if any (ui/sync_conflicts.py)."""
        self.conflicts = ConflictsBox(self._words_field_text, card)
        self.conflicts.answered.connect(self._answer_conflict)
        card.body.addWidget(self.conflicts)

    def _words_field_text(self, field: str) -> str:
        editor = self.words.in_the_way if field == "in_the_way" else self.words.how
        return editor.toPlainText()

    def refresh_conflicts(self) -> None:
        """Read the day's conflicts again (a sync may have brought some)."""
        if self._day is not None:
            self._load_conflicts(self._day)

    def _load_conflicts(self, day: date) -> None:
        db = self._db

        def read(_writer):
            from app.sync.conflicts import day_conflicts

            return day_conflicts(db, day)

        def failed(exc: Exception) -> None:
            log.warning("the day's sync conflicts could not be read: %s", exc)

        self._writer_run(read, lambda found: self._show_conflicts(day, found), failed)

    def _show_conflicts(self, day: date, found: list) -> None:
        if day == self._day:
            self.conflicts.show_conflicts(found)
            self.conflicts_shown.emit(day)

    def _answer_conflict(self, conflict_id: int, keep: str, text: str | None) -> None:
        """As `wise sync resolve` does, on the writer thread, after any unsaved words (so
        the version kept is the one on screen); then the words are read again."""
        self.save_words_now()
        card = self.conflicts.card(conflict_id)
        if card is not None:
            card.set_busy(True)
        db = self._db

        def answer(_writer):
            from app.sync.conflicts import resolve_conflict

            return resolve_conflict(db, conflict_id, keep, text)

        def answered(_conflict) -> None:
            self.conflicts_answered.emit()
            if self._day is not None:
                self._load(self._day)

        def failed(exc: Exception) -> None:
            # A ValueError is a sentence for the user (a merge too long): no fault of Wise's.
            log.log(logging.INFO if isinstance(exc, ValueError) else logging.WARNING,
                    "a sync conflict could not be answered: %s", exc)
            if card is not None and self.conflicts.card(conflict_id) is card:
                card.set_busy(False)
                card.show_problem(f"Not answered: {exc}. Both versions are still kept.")

        self._writer_run(answer, answered, failed)

    # -- reflection and feedback -------------------------------------------------------

    def _reflection_finished(self, day: date, _event: dict) -> None:
        self.reflection_done.emit(day)
        if day == self._day:
            self._load(day)  # the stored reflection, its id for feedback, the next step

    def _save_feedback(self, reflection_id: int, rating: int, note: str) -> None:
        def saved(_result) -> None:
            self.feedback.show_saved()

        def failed(exc: Exception) -> None:
            log.error("feedback could not be saved: %s", exc)
            self.feedback.show_failed(str(exc))

        self._writer_run(lambda writer: writer.add_feedback(reflection_id, rating, note or None),
                         saved, failed)

    # -- tomorrow ----------------------------------------------------------------------

    def _plan(self, ids: list[int], day: date) -> None:
        def planned(_result) -> None:
            count = len(ids)
            self.tomorrow.status.setText(
                f"Planned {'1 action' if count == 1 else f'{count} actions'}. "
                "One at a time is plenty.")
            self.planned_changed.emit(day)
            if self._day is not None:
                self._load(self._day)

        def failed(exc: Exception) -> None:
            self.tomorrow.status.setText(f"Could not plan them: {exc}")

        self._writer_run(lambda writer: writer.plan_for_day(ids[:MAX_PICKS], day), planned,
                         failed)

    def _add_action(self, text: str) -> None:
        """Through the capture language, as the quick-capture window's captures are (unmarked
        text is an action here), in this process on the journal-writer thread: never a
        `wise capture` child, which would hand the text back to this same tray's socket."""

        def capture_it(_writer) -> CaptureAck:
            from app.capture.service import capture_step
            from app.journal import Context

            return capture_step(Context.from_environment(), text).ack()

        self._writer_run(capture_it, self._action_added, self._action_not_added)

    def _action_added(self, result: CaptureAck) -> None:
        if result.table != "actions":  # it said it was a note: saved as one
            self.tomorrow.new_action.clear()
            self.tomorrow.added(None, f"Saved as a {result.kind}, not a step.")
            return
        self.tomorrow.added(result.id, "Added and ticked.")
        if self._day is not None:
            self._load(self._day)

    def _action_not_added(self, exc: Exception) -> None:
        # The text stays in the box; a journal that refused it also kept it on disk
        # (unsaved-captures.txt), as every capture path does.
        log.info("an action from the reflection window was not added: %s", exc)
        reason = (str(exc).splitlines() or ["it was refused"])[0].rstrip(".")
        self.tomorrow.added(None, f"Could not add it: {reason}. Your text is still in the box.")

    # -- closing -----------------------------------------------------------------------

    def hideEvent(self, event: QHideEvent) -> None:
        self.save_words_now()
        self.feedback.flush()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Nothing typed is lost; a reflection being written goes on and is stored.
        self.save_words_now()
        self.feedback.flush()
        super().closeEvent(event)

    def shutdown(self, msecs: int = 5000) -> None:
        """At quit: save, stop any `wise` child (a reflection not finished is not stored)
        and let it end, so no child outlives the tray."""
        self.save_words_now()
        self.feedback.flush()
        self.reflection.stop()
        self.wait_for_children(msecs)

    def wait_for_children(self, msecs: int = 30_000) -> bool:
        """Until every `wise` child this window started has ended (tests, shutdown)."""
        return self.reflection.wait(msecs)
