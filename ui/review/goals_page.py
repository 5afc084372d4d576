"""The Goals page: every goal as a card (its why first, then its rhythm against the last
four weeks, its last progress and a 12-week heatmap), with a status filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.charts.heatmap import MINUTES, STEPS
from ui.focus_start import short_title
from ui.review.context import ReviewContext
from ui.review.focus_parts import StartButton, UnitToggle, calibration_words
from ui.review.look import (
    STATUS_WORDS,
    button,
    label,
    plural,
    rhythm_words,
    scrolling_page,
    since,
)

FILTERS = [("Active", ("active",)), ("Paused", ("paused",)), ("Done", ("done",)),
           ("Archived", ("archived",)), ("All", None)]
PAGE_MARGIN = 32
SCROLLBAR_ROOM = 16
TEXT_CHARS = 42  # the text beside a chart needs about this many characters of room
NEXT_STEP_CHARS = 60  # a goal card's "Next: …" step, then "…" (the whole on hover)
EMPTY_WORDS = {
    "Active": "No active goals right now.",
    "Paused": "No paused goals. Resting a goal is allowed whenever you need it.",
    "Done": "No finished goals yet. They will gather here, worth looking back on.",
    "Archived": "No retired goals. Letting one go, when you no longer want it, is wise.",
    "All": "No goals yet.",
}


def fit_beside(row: QBoxLayout, width: int, chart: QWidget) -> None:
    """The chart beside the text when there is room for both, else below it (a small
    screen or a narrow window)."""
    margins = row.contentsMargins()
    items = [item for i in range(row.count()) if (item := row.itemAt(i)) is not None]
    text = max([chart.fontMetrics().averageCharWidth() * TEXT_CHARS]
               + [item.minimumSize().width() for item in items if item.widget() is not chart])
    room = (width - margins.left() - margins.right() - row.spacing()
            - chart.sizeHint().width() - text)
    direction = (QBoxLayout.Direction.LeftToRight if room >= 0
                 else QBoxLayout.Direction.TopToBottom)
    if row.direction() != direction:
        row.setDirection(direction)
        row.setAlignment(chart, Qt.AlignmentFlag.AlignVCenter if room >= 0
                         else Qt.AlignmentFlag.AlignLeft)


class ChartCard(QFrame):
    """A card with text and a chart in `row`, side by side or stacked, as room allows."""

    def __init__(self, name: str = "card") -> None:
        super().__init__()
        self.setObjectName(name)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.chart: QWidget | None = None

    def fit(self, width: int) -> None:
        """Lay out for `width`, the room the page has (the card itself cannot be narrower
        than its side-by-side minimum, so its own width cannot tell)."""
        if self.chart is not None:
            fit_beside(self.row, width, self.chart)


def page_room(page: QWidget) -> int:
    """The width a card gets on a page: less the page margins and a scroll bar."""
    return page.width() - 2 * PAGE_MARGIN - SCROLLBAR_ROOM


def status_chip(status: str) -> QLabel:
    chip = label(STATUS_WORDS.get(status, status.capitalize()), "chip")
    chip.setProperty("status", status)
    chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return chip


def why_label(why: str, *, prominent: bool = True) -> QLabel:
    text = f"“{why}”" if why else "No why yet: what makes this goal matter to you?"
    widget = label(text, "goalWhy", wrap=True)
    widget.setProperty("empty", not why)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if not prominent:
        widget.setProperty("empty", True)
    return widget


class GoalCardWidget(ChartCard):
    """One goal at a glance. Click, Enter or Space opens its page."""

    activated = Signal(int)

    def __init__(self, card: Any, context: ReviewContext, next_step: Any = None,
                 start: Callable[[int, int | None], None] | None = None,
                 calibrations: list | None = None) -> None:
        super().__init__("goalCard")
        from ui.charts import HeatmapChart

        self.card = card
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        row = self.row
        row.setContentsMargins(18, 14, 18, 14)
        row.setSpacing(20)

        text = QVBoxLayout()
        text.setSpacing(6)
        head = QHBoxLayout()
        head.setSpacing(10)
        self.title = label(card.title, "goalTitle", wrap=True)
        head.addWidget(self.title, 1)
        head.addWidget(status_chip(card.status), 0, Qt.AlignmentFlag.AlignTop)
        text.addLayout(head)
        self.why = why_label(card.why)
        text.addWidget(self.why)
        self.context = context
        self.meta = label("", "meta", wrap=True)
        self.show_unit(STEPS, [])
        text.addWidget(self.meta)
        self.start_button: StartButton | None = None
        if next_step is not None and start is not None:
            text.addLayout(self._next_step_row(next_step, start, calibrations or []))
        row.addLayout(text, 1)
        row.setAlignment(text, Qt.AlignmentFlag.AlignVCenter)

        self.heatmap = self.chart = HeatmapChart()
        self.heatmap.set_data(list(card.heatmap), card.heatmap_start, context.today())
        self.heatmap.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(self.heatmap, 0, Qt.AlignmentFlag.AlignVCenter)

        self.setAccessibleName(f"Goal: {card.title}, {STATUS_WORDS.get(card.status, '')}")

    def _next_step_row(self, step: Any, start: Callable[[int, int | None], None],
                       calibrations: list) -> QHBoxLayout:
        """"Next: call the school  ▶ Start · ~10 min": the goal's next open step (the
        first its page lists), started from here as from that page."""
        row = QHBoxLayout()
        row.setSpacing(8)
        words = label(f"Next: {short_title(step.title, NEXT_STEP_CHARS)}", "meta", wrap=True)
        words.setTextFormat(Qt.TextFormat.PlainText)
        words.setToolTip(step.title[:500])
        row.addWidget(words, 1)  # wraps rather than widen the card; Start ends the row
        self.start_button = StartButton(step.title, step.estimate_minutes,
                                        lambda minutes: start(step.id, minutes), calibrations)
        row.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignVCenter)
        return row

    def show_unit(self, unit: str, minutes: list[int]) -> None:
        """The card's facts, its month counted in the heatmaps' unit."""
        card = self.card
        rhythm, tip = rhythm_words(card, unit, minutes, self.context.today())
        # Last progress (a step done or a note; storage.repo.goal_activity), not any touch.
        facts = [rhythm, f"last progress {since(card.last_progress, self.context.now())}"
                 if card.last_progress else "no progress yet"]
        if card.open_count:
            facts.append(plural(card.open_count, "open step"))
        self.meta.setText("  ·  ".join(facts))
        self.meta.setToolTip(tip)
        self.setAccessibleDescription(
            f"Why: {card.why or 'not written yet'}. {'. '.join(facts)}. Press Enter to open.")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()  # so the release comes here too, wherever on the card it was

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.activated.emit(self.card.id)
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.card.id)
            return
        super().keyPressEvent(event)


class GoalsPage(QWidget):
    """Signals: `open_goal(id)`, `new_goal()`, `review_all()`."""

    open_goal = Signal(int)
    new_goal = Signal()
    review_all = Signal()
    unit_chosen = Signal(str)  # "steps" or "minutes": the window applies and remembers it
    start_step = Signal(int, object)  # a goal card's Start: its next step's id, and minutes

    def __init__(self, context: ReviewContext) -> None:
        super().__init__()
        self.setObjectName("page")
        self.context = context
        self.cards: list[GoalCardWidget] = []
        self.loaded = False
        self._request = 0
        self.unit = STEPS  # what the heatmaps count (the window remembers the choice)
        self.minutes: dict[int, list[int]] = {}  # goal -> minutes given per heatmap day
        self.next_steps: dict[int, Any] = {}  # goal -> its next open step (Start on a card)
        self.calibrations: list = []  # how long estimated steps really take (app.focus)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        header = QVBoxLayout()
        header.setContentsMargins(32, 26, 32, 10)
        header.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(label("Your goals", "pageTitle"), 1)
        self.review_button = button("Review with Wise…", accessible="Review all goals with Wise",
                                    tip="Wise looks at each active goal: is it alive, is it "
                                        "still wanted, what is the next small step?")
        self.review_button.clicked.connect(self.review_all)
        self.new_button = button("New goal…", "primary", accessible="New goal",
                                 tip="Add a goal with its why (Ctrl+N)")
        self.new_button.clicked.connect(self.new_goal)
        top.addWidget(self.review_button)
        top.addWidget(self.new_button)
        header.addLayout(top)
        header.addWidget(label("Why, what, how: each goal with the reason it matters to you.",
                               "pageIntro", wrap=True))
        header.addWidget(self._calibration_line())
        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.setContentsMargins(0, 10, 0, 0)
        self.filter_group = QButtonGroup(self)
        self.filter_buttons: dict[str, Any] = {}
        for index, (name, _statuses) in enumerate(FILTERS):
            choice = button(name, "filterButton", accessible=f"Show {name.lower()} goals")
            choice.setCheckable(True)
            self.filter_group.addButton(choice, index)
            self.filter_buttons[name] = choice
            filters.addWidget(choice)
        filters.addStretch(1)
        filters.addWidget(self._unit_toggle())
        self.filter_buttons["Active"].setChecked(True)
        self.filter_group.idClicked.connect(lambda _id: self.reload())
        header.addLayout(filters)
        outer.addLayout(header)

        self.scroll_area, self.body, self.list = scrolling_page((PAGE_MARGIN, 8, PAGE_MARGIN, 28),
                                                           spacing=12)
        self.empty = label("", "empty", wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.list.addWidget(self.empty)
        self.list.addStretch(1)
        outer.addWidget(self.scroll_area, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for widget in self.cards:
            widget.fit(page_room(self))

    def filter_name(self) -> str:
        return FILTERS[self.filter_group.checkedId()][0]

    def set_filter(self, name: str) -> None:
        self.filter_buttons[name].setChecked(True)
        self.reload()

    def reload(self) -> None:
        from app.focus import estimate_calibrations, goal_minutes
        from app.ritual_data import goal_cards, next_open_steps

        self._request += 1
        request = self._request
        name, statuses = FILTERS[self.filter_group.checkedId()]
        db, today, hour = self.context.db, self.context.today(), self.context.start_hour

        def read(_writer) -> tuple:
            cards = goal_cards(db, today, hour, statuses)
            return (cards, goal_minutes(db, today, hour), estimate_calibrations(db),
                    next_open_steps(db, [card.id for card in cards], today, hour))

        self.context.run(read, lambda found: self._show_with_focus(request, name, *found),
                         owner=self, doing="read your goals")

    # --- focus: minutes in the heatmaps, estimate calibration -----------------------------

    def _unit_toggle(self) -> UnitToggle:
        self.unit_toggle = UnitToggle()
        self.unit_toggle.chosen.connect(self.unit_chosen)
        return self.unit_toggle

    def _calibration_line(self) -> QLabel:
        self.calibration_label = label("", "meta", wrap=True)
        self.calibration_label.setAccessibleName("How long your estimated steps really take")
        self.calibration_label.hide()
        return self.calibration_label

    def _show_with_focus(self, request: int, name: str, cards: list,
                         minutes: dict[int, list[int]], calibrations: list,
                         next_steps: dict[int, Any]) -> None:
        if request != self._request:
            return
        self.minutes = minutes
        self.next_steps, self.calibrations = next_steps, calibrations
        self._show(request, name, cards)
        self.show_unit(self.unit)
        self.calibration_label.setText(calibration_words(calibrations))
        self.calibration_label.setVisible(True)

    def show_unit(self, unit: str) -> None:
        """The heatmaps count steps done or minutes given (no journal read: both are in)."""
        self.unit = unit
        self.unit_toggle.set_unit(unit)
        today = self.context.today()
        for widget in self.cards:
            card = widget.card
            given = self.minutes.get(card.id, [0] * len(card.heatmap))
            values = given if unit == MINUTES else card.heatmap
            widget.heatmap.set_data(list(values), card.heatmap_start, today, unit)
            widget.show_unit(unit, given)

    def _show(self, request: int, name: str, cards: list) -> None:
        if request != self._request:
            return  # a newer filter was chosen meanwhile
        self.loaded = True
        focused = self.focusWidget()
        had_focus = isinstance(focused, GoalCardWidget)
        for widget in self.cards:
            self.list.removeWidget(widget)
            widget.deleteLater()
        self.cards = []
        for index, card in enumerate(cards):
            widget = GoalCardWidget(card, self.context, self.next_steps.get(card.id),
                                    self.start_step.emit, self.calibrations)
            widget.activated.connect(self.open_goal)
            widget.fit(page_room(self))
            self.list.insertWidget(index, widget)
            self.cards.append(widget)
        if cards:
            self.empty.hide()
        else:
            hint = ("Add one with “New goal…” (Ctrl+N): a few words for the what, and a "
                    "sentence for the why.")
            self.empty.setText(f"{EMPTY_WORDS[name]}\n\n{hint}" if name in ("Active", "All")
                               else EMPTY_WORDS[name])
            self.empty.show()
        if had_focus and self.cards:
            self.cards[0].setFocus()
