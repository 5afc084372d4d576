""""Tomorrow": at most three open actions picked for the next day, or new ones typed in
the capture language; and one tiny first step Wise suggests."""

from __future__ import annotations

import re
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.focus import calibration_hint
from ui.bidi import reads_right_to_left
from ui.focus_start import EstimateHint, add_start_choices, start_words
from ui.reflection.style import hint_label, section_heading, status_label
from ui.reflection.today_pane import action_details

MAX_PICKS = 3
ROWS_SHOWN = 6
TOO_MANY = "Three is plenty for one day. Untick one to choose another."
ID_ROLE = Qt.ItemDataRole.UserRole
ESTIMATE_ROLE = Qt.ItemDataRole.UserRole + 1  # the step's estimate in minutes, or None
# The line a reflection ends with: "Next step for #family (2 min): ..." (a model's, stored),
# "One tiny next step: ..." (a model's, as it streams) or "One small next step: ..." (plain).
NEXT_STEP = re.compile(r"^\s*(?:\*\*)?(?:One (?:tiny|small) next step|Next step)\b[^:\n]*:"
                       r"(?:\*\*)?\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def suggested_step(reflection_text: str | None, open_actions) -> str | None:
    """The reflection's next step when it has one, else the smallest open action."""
    if reflection_text:
        match = NEXT_STEP.search(reflection_text)
        if match:
            return match.group(1).rstrip(".")
    if not open_actions:
        return None
    smallest = min(open_actions, key=lambda a: (a.estimate_minutes or 15, -a.id))
    estimate = f" (~{smallest.estimate_minutes} min)" if smallest.estimate_minutes else ""
    return smallest.title + estimate


class TomorrowPane(QWidget):
    """Emits `plan(ids, day)` and `add(text)`; the window does the work off the GUI thread."""

    plan = Signal(list, object)
    add = Signal(str)
    start = Signal(int, object)  # start a step now: its id, minutes (None: its estimate)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._day: date | None = None
        self._planned: set[int] = set()
        self._tick_after_load: set[int] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.heading = section_heading("Tomorrow", self)
        layout.addWidget(self.heading)
        self.suggestion = hint_label("", self)
        self.suggestion.setAccessibleName("Wise suggests one tiny first step")
        self.suggestion.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.suggestion)
        list_label = QLabel("P&ick up to three open actions", self)
        self.picks = QListWidget(self)
        self.picks.setAccessibleName("Open actions to pick for tomorrow, at most three")
        self.picks.setUniformItemSizes(True)
        self.picks.setSpacing(2)
        # One line per step, cut with "…" (whole in its tooltip): never sideways scrolling.
        self.picks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.picks.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.picks.itemChanged.connect(self._item_changed)
        list_label.setBuddy(self.picks)
        layout.addWidget(list_label)
        layout.addWidget(self.picks)
        self.gentle = status_label(self)
        self.gentle.setAccessibleName("Picking status")
        layout.addLayout(self._start_row(self.gentle))

        add_row = QHBoxLayout()
        add_row.setSpacing(8)
        self.new_action = QLineEdit(self)
        self.new_action.setPlaceholderText("e.g. call mum ~5m #family")
        self.new_action.setAccessibleName("A new action for tomorrow")
        self.new_action.returnPressed.connect(self._add_clicked)
        add_label = QLabel("&Type a new one", self)
        add_label.setBuddy(self.new_action)
        self.add_button = QPushButton("A&dd", self)
        self.add_button.setAccessibleName("Add this action")
        self.add_button.clicked.connect(self._add_clicked)
        add_row.addWidget(add_label)
        add_row.addWidget(self.new_action, 1)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)
        layout.addWidget(self._estimate_hint())

        plan_row = QHBoxLayout()
        self.plan_button = QPushButton("Plan these for tomorrow", self)
        self.plan_button.setAccessibleName("Plan the picked actions for tomorrow")
        self.plan_button.clicked.connect(self._plan_clicked)
        self.status = status_label(self, lines=2)  # beside the button: no taller than it
        self.status.setAccessibleName("Planning status")
        plan_row.addWidget(self.plan_button)
        plan_row.addWidget(self.status, 1)
        layout.addLayout(plan_row)

    # -- showing -----------------------------------------------------------------------

    def show_view(self, view, *, today: date) -> None:
        same_day = view.day == self._day
        self._day = view.day
        tomorrow = view.day + timedelta(days=1)
        from app.daytime import short_day

        self.heading.setText(f"Tomorrow, {short_day(tomorrow)}" if view.day == today
                             else f"The day after: {short_day(tomorrow)}")
        keep = self.picked_ids() if same_day else []  # picks in progress survive a re-read
        self._planned = {a.id for a in view.planned}
        tick = set(keep) | self._tick_after_load
        if not keep and len(self._planned) <= MAX_PICKS:
            tick |= self._planned
        self._tick_after_load = set()
        self.picks.blockSignals(True)
        self.picks.clear()
        seen: set[int] = set()
        for action in [*view.planned, *view.open_actions]:
            if action.id in seen:
                continue
            seen.add(action.id)
            details = action_details(action, today=today)
            planned = " \u00b7 planned" if action.id in self._planned else ""
            item = QListWidgetItem(action.title + (f"   ({details}{planned})"
                                                   if details or planned else ""))
            item.setToolTip(item.text())  # whole, where the list cuts a long one short
            if reads_right_to_left(action.title):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(ID_ROLE, action.id)
            item.setData(ESTIMATE_ROLE, action.estimate_minutes)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = action.id in tick and len([i for i in seen if i in tick]) <= MAX_PICKS
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.picks.addItem(item)
        self.picks.blockSignals(False)
        self._follow_current()
        self._fit_list()
        empty = self.picks.count() == 0
        self.picks.setVisible(not empty)
        self.gentle.setText("Nothing open to pick. Type a new one below if something comes "
                            "to mind." if empty else "")
        step = suggested_step(view.reflection.content if view.reflection else None,
                              view.open_actions)
        self.suggestion.setText(f"Wise suggests one tiny first step: {step}" if step else
                                "Wise suggests one tiny first step: whatever takes two "
                                "minutes and moves something you care about.")
        self._update_plan_button()

    # -- starting a step now (focus) ------------------------------------------------------

    def _start_row(self, status: QLabel) -> QHBoxLayout:
        """Under the list, beside its status line: ▶ Start for the highlighted step
        (right-click a step for its estimate or just two minutes)."""
        row = QHBoxLayout()
        row.addWidget(status, 1)
        self.start_button = QPushButton(f"▶ {start_words(None)}", self)
        self.start_button.setAccessibleName("Start the highlighted step now")
        self.start_button.clicked.connect(lambda _c=False: self._start_current(None))
        self.start_button.setEnabled(False)
        row.addWidget(self.start_button)
        self.picks.currentItemChanged.connect(lambda *_items: self._follow_current())
        self.picks.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.picks.customContextMenuRequested.connect(self._start_menu)
        return row

    def _current(self) -> QListWidgetItem | None:
        return self.picks.currentItem() or (self.picks.item(0) if self.picks.count() else None)

    def _follow_current(self) -> None:
        item = self._current()
        self.start_button.setEnabled(item is not None)
        estimate = item.data(ESTIMATE_ROLE) if item is not None else None
        self.start_button.setText(f"▶ {start_words(estimate)}")
        if item is None:
            self.start_button.setToolTip("Nothing open to start")
            return
        title = item.text() if len(item.text()) <= 80 else item.text()[:79] + "…"
        hint = calibration_hint(estimate, self.calibrations)
        self.start_button.setToolTip(f"Start now: {title}" + (f"\n({hint})" if hint else ""))

    def _start_current(self, minutes: int | None) -> None:
        item = self._current()
        if item is not None:
            self.start.emit(item.data(ID_ROLE), minutes)

    def _start_menu(self, where) -> None:
        item = self.picks.itemAt(where)
        if item is None:
            return
        self.picks.setCurrentItem(item)
        menu = QMenu(self)
        add_start_choices(menu, item.data(ESTIMATE_ROLE), self._start_current)
        self.start_menu_shown = menu
        menu.popup(self.picks.viewport().mapToGlobal(where))

    # -- a quiet word on an estimate being typed (focus calibration) ---------------------

    def _estimate_hint(self) -> QLabel:
        self.calibrations: list = []
        self.estimate_hint = EstimateHint(self.new_action, self)
        return self.estimate_hint

    def set_calibrations(self, calibrations: list) -> None:
        self.calibrations = list(calibrations)
        self.estimate_hint.set_calibrations(self.calibrations)
        self._follow_current()

    def _fit_list(self) -> None:
        """As tall as its rows (up to six, then it scrolls): no empty box to look at, and
        room left for the day above it."""
        row = self.picks.sizeHintForRow(0) if self.picks.count() else 0
        rows = min(max(self.picks.count(), 3), ROWS_SHOWN)
        frame = self.picks.frameWidth() * 2 + 4
        self.picks.setFixedHeight(rows * (row + 2 * self.picks.spacing()) + frame)

    def picked_ids(self) -> list[int]:
        return [self.picks.item(i).data(ID_ROLE) for i in range(self.picks.count())
                if self.picks.item(i).checkState() == Qt.CheckState.Checked]

    def tick_when_shown(self, action_id: int) -> None:
        """A new action was captured: tick it once the list is read again."""
        self._tick_after_load.add(action_id)

    def _item_changed(self, item: QListWidgetItem) -> None:
        if item.checkState() == Qt.CheckState.Checked and len(self.picked_ids()) > MAX_PICKS:
            self.picks.blockSignals(True)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.picks.blockSignals(False)
            self.gentle.setText(TOO_MANY)
        else:
            self.gentle.setText("")
        self.status.setText("")
        self._update_plan_button()

    def _update_plan_button(self) -> None:
        count = len(self.picked_ids())
        self.plan_button.setEnabled(count > 0)
        self.plan_button.setText("&Plan these for tomorrow" if count != 1
                                 else "&Plan this for tomorrow")

    # -- asking ------------------------------------------------------------------------

    def _plan_clicked(self) -> None:
        if self._day is not None and self.picked_ids():
            self.status.setText("Planning\u2026")
            self.plan.emit(self.picked_ids(), self._day + timedelta(days=1))

    def _add_clicked(self) -> None:
        text = self.new_action.text().strip()
        if not text:
            self.gentle.setText("Type the action first, for example: water the plants ~5m")
            return
        if len(self.picked_ids()) >= MAX_PICKS:
            self.gentle.setText(TOO_MANY)
            return
        self.new_action.setEnabled(False)
        self.add_button.setEnabled(False)
        self.gentle.setText("Adding\u2026")
        self.add.emit(text)

    def added(self, action_id: int | None, message: str) -> None:
        self.new_action.setEnabled(True)
        self.add_button.setEnabled(True)
        if action_id is not None:
            self.new_action.clear()
            self.tick_when_shown(action_id)
        self.gentle.setText(message)
        self.new_action.setFocus()
