""""Today": what was done first (celebrated), then the day's entries, then how much is still
open (the open steps themselves are listed once, in Tomorrow's picks)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.focus import length_words
from ui.reflection.style import hint_label, section_heading, sub_heading
from ui.reflection.wrapped_text import WrappedText

CHECK = "\u2713"
TITLE_LINES = 3  # a step's title, then "…" and "Show all"
NOTE_LINES = 6  # a note's first lines, then "…" and "Show all"
SHOW_ALL, SHOW_LESS = "Show all", "Show less"
SHOW_ALL_STYLE = """
QPushButton#showAll { border: none; margin: 0; padding: 0 0 2px 0; color: palette(link);
                      background: transparent; }
QPushButton#showAll:hover, QPushButton#showAll:focus { text-decoration: underline; }
"""


def wins_line(count: int, *, is_today: bool = True) -> str:
    if count == 0:
        return ("Nothing ticked off yet. Getting through a day counts too." if is_today
                else "Nothing ticked off that day. Getting through a day counts too.")
    things = "1 thing" if count == 1 else f"{count} things"
    return f"{things} done \u2014 that counts."


def still_open_line(count: int) -> str:
    if count == 0:
        return "Nothing open. A clear slate is a fine place to be."
    things = "1 step" if count == 1 else f"{count} steps"
    return f"{things}, in Tomorrow's list below."


def action_details(action, *, today: date | None = None) -> str:
    """ "~20 min · Family · due Fri 27 Nov": the quiet facts after a title."""
    from app.daytime import short_day

    bits = []
    if action.estimate_minutes:
        bits.append(f"~{action.estimate_minutes} min")
    if action.goal_title:
        bits.append(action.goal_title)
    if action.due_on:
        bits.append(f"due {short_day(action.due_on, today)}")
    return " \u00b7 ".join(bits)


class TodayPane(QScrollArea):
    """Read-only; rebuilt from a DayView whenever a day is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        # Everything wraps to the pane's width: sideways scrolling would hide line ends.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QScrollArea.Shape.StyledPanel)
        self.setAccessibleName("Today: what was done, written and still open")
        self._inner = QWidget(self)
        self._layout = QVBoxLayout(self._inner)
        spacing = self.fontMetrics().height()
        self._layout.setContentsMargins(spacing, spacing, spacing, spacing)
        self._layout.setSpacing(spacing // 3)
        self.setWidget(self._inner)
        self._inner.setStyleSheet(SHOW_ALL_STYLE)
        self.heading = section_heading("Today", self._inner)
        self._layout.addWidget(self.heading)
        self._rows: list[QWidget] = []
        self.win_summary = ""
        self.show_loading()

    def show_loading(self) -> None:
        self._clear()
        self._add(hint_label("Opening the day\u2026", self._inner))

    def show_view(self, view, *, today: date) -> None:
        self.heading.setText("Today" if view.day == today else f"{view.day:%A}")
        self._clear()
        self.win_summary = wins_line(len(view.wins), is_today=view.day == today)
        summary = sub_heading(self.win_summary if not view.wins
                              else f"{CHECK} {self.win_summary}", self._inner)
        summary.setWordWrap(True)
        summary.setAccessibleName(self.win_summary)
        self._add(summary)
        for win in view.wins:
            details = action_details(win)
            self._add(self._item(f"{CHECK}  {win.title}", details))
        self._space()

        if view.focus:
            total = sum(seconds for _title, seconds in view.focus)
            self._add(sub_heading(f"Time given \u00b7 {length_words(total)}", self._inner))
            for title, seconds in view.focus:
                self._add(self._item(title, length_words(seconds)))
            self._space()

        self._add(sub_heading("Written", self._inner))
        if not view.entries:
            self._add(hint_label("No notes this day. Your words on the right are enough.",
                                 self._inner))
        for entry in view.entries:
            stamp = f"{entry.created_at:%H:%M}"
            goal = f" \u00b7 {entry.goal_title}" if entry.goal_title else ""
            self._add(self._item(entry.text, stamp + goal, lines=NOTE_LINES))
        self._space()

        # What is still open is listed once, in Tomorrow's picks right below this pane.
        self._add(sub_heading("Still open", self._inner))
        self._add(hint_label(still_open_line(len(view.open_actions)), self._inner))

    def _item(self, title: str, details: str, *, lines: int = TITLE_LINES) -> QWidget:
        box = QWidget(self._inner)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 2, 0, 2)
        column.setSpacing(0)
        text = WrappedText(title, box, max_lines=lines)
        column.addWidget(text)
        more = QPushButton(SHOW_ALL, box)
        more.setObjectName("showAll")
        more.setFlat(True)
        more.setCursor(Qt.CursorShape.PointingHandCursor)
        more.setAccessibleName(f"Show all of: {title[:60]}")
        more.hide()
        more.clicked.connect(lambda: self._expand(text, more))
        text.clipped_changed.connect(
            lambda clipped: more.setVisible(clipped or text.is_expanded()))
        column.addWidget(more, 0, Qt.AlignmentFlag.AlignRight if text.reads_right_to_left()
                         else Qt.AlignmentFlag.AlignLeft)
        if details:
            facts = WrappedText(details, box, max_lines=2,
                                right_to_left=text.reads_right_to_left())
            facts.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            column.addWidget(facts)
        box.setAccessibleName(f"{title}. {details}" if details else title)
        return box

    @staticmethod
    def _expand(text: WrappedText, more: QPushButton) -> None:
        text.set_expanded(not text.is_expanded())
        more.setText(SHOW_LESS if text.is_expanded() else SHOW_ALL)

    def _space(self) -> None:
        spacer = QLabel("", self._inner)
        spacer.setFixedHeight(self.fontMetrics().height() // 2)
        self._add(spacer)

    def _add(self, widget: QWidget) -> None:
        self._layout.insertWidget(self._layout.count() - 1, widget)  # above the stretch
        widget.show()  # now, not on the next turn of the event loop
        self._rows.append(widget)

    def _clear(self) -> None:
        for widget in self._rows:
            self._layout.removeWidget(widget)
            widget.hide()  # gone from the screen now, deleted once the event loop is free
            widget.deleteLater()
        self._rows = []
        # Keep everything packed at the top however tall the window is.
        for index in reversed(range(self._layout.count())):
            item = self._layout.itemAt(index)
            if item is not None and item.spacerItem() is not None:
                self._layout.takeAt(index)
        self._layout.addStretch(1)
