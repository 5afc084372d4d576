"""A goal's page: its title, why and rhythm (editable), its heatmap, its open and done
steps, and the choices about it: pause, resume, complete, or retire (a wise choice)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.focus import typed_step
from ui.charts.heatmap import MINUTES, STEPS
from ui.focus_start import EstimateHint
from ui.review.context import ReviewContext
from ui.review.dialogs import cadence_box, confirm_retire
from ui.review.focus_parts import StartButton, UnitToggle
from ui.review.goals_page import ChartCard, page_room, status_chip
from ui.review.look import (
    already_open_words,
    button,
    label,
    linked_words,
    plural,
    repolish,
    rhythm_words,
    scrolling_page,
    since,
)

DONE_SHOWN = 30  # done steps listed; the rest are counted
STATUS_BUTTONS = {  # status -> the choices offered, in order
    "active": ("pause", "complete", "retire"),
    "paused": ("resume", "complete", "retire"),
    "done": ("resume", "retire"),
    "archived": ("resume",),
}
CHOICES = {  # choice -> (button text, new status, what is said after)
    "pause": ("Pause", "paused", "Paused. It rests here until you want it again."),
    "resume": ("Resume", "active", "Active again. Welcome back."),
    "complete": ("Complete", "done", "Done. Well done: take a moment to enjoy that."),
    "retire": ("Retire…", "archived", "Retired. A good decision: it stays in your journal."),
}
CHOICE_TIPS = {
    "pause": "Rest this goal for a while, without guilt; nothing is lost.",
    "resume": "Make this goal active again.",
    "complete": "Mark this goal as achieved.",
    "retire": "Let this goal go. It stays in your journal, and you can bring it back.",
}


class StepTick(QCheckBox):
    """A step's tick with its words on one line, cut with "…" to the room there is (whole
    in the tooltip): a very long step never widens the page past its Start button."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.full_text = text
        self.setToolTip(text if len(text) <= 2000 else text[:2000] + "…")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text[:300])

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 12, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        style = self.style()
        room = (self.width() - style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
                - style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing) - 4)
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight,
                                              max(0, room))
        if shown != self.text():
            self.setText(shown)


class OpenStep(QWidget):
    """An open action: tick it done; or break it down further."""

    def __init__(self, action: Any, page: GoalPageView) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        minutes = f"  ·  ~{action.estimate_minutes} min" if action.estimate_minutes else ""
        self.tick = StepTick(f"{action.title}{minutes}")
        self.tick.setAccessibleName(f"Done: {action.title[:200]}")
        action_id = action.id

        def ticked(on: bool) -> None:
            if on:
                page.mark_done(action_id)

        self.tick.toggled.connect(ticked)
        row.addWidget(self.tick, 1)
        self.start = StartButton(action.title, action.estimate_minutes,
                                 lambda minutes: page.start_step.emit(action.id, minutes),
                                 page.calibrations)
        row.addWidget(self.start)
        self.smaller = button("Smaller steps…", "quiet",
                              accessible=f"Break down: {action.title}",
                              tip="Break this step into smaller ones")
        self.smaller.clicked.connect(lambda: page.break_down_action(action))
        row.addWidget(self.smaller)


class GoalPageView(QWidget):
    """Signals: `back()`; `title_changed(str)` for the window's navigation."""

    back = Signal()
    title_changed = Signal(str)
    conflicts_shown = Signal(int)  # the goal whose sync conflicts are now on screen
    conflicts_answered = Signal()  # a sync conflict on the why was answered here
    start_step = Signal(int, object)  # a step's id, and minutes (None: its estimate)
    unit_chosen = Signal(str)  # the heatmap's "Steps | Minutes" (the window remembers it)

    def __init__(self, context: ReviewContext) -> None:
        super().__init__()
        self.setObjectName("page")
        self.context = context
        self.goal_id: int | None = None
        self.page: Any = None
        self._filling = False
        self._dirty = False
        self._request = 0
        self._dialog: Any = None
        self.open_steps: list[OpenStep] = []
        self.unit = STEPS  # what the heatmap counts
        self.minutes: list[int] = []  # minutes given per heatmap day
        self.calibrations: list = []  # how long estimated steps really take (app.focus)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll, _body, self.body = scrolling_page((32, 18, 32, 28))
        outer.addWidget(scroll)
        self._build_head()
        self._build_steps()
        self.body.addStretch(1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)

    # --- building -----------------------------------------------------------------------

    def _build_head(self) -> None:
        top = QHBoxLayout()
        self.back_button = button("← All goals", "quiet", accessible="Back to all goals")
        self.back_button.clicked.connect(self.back)
        top.addWidget(self.back_button)
        top.addStretch(1)
        # Its #tag, as quick capture knows it: the way to file a thought under this goal.
        self.tag_label = label("", "goalTag")
        self.tag_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tag_label.setAccessibleName("This goal's tag")
        top.addWidget(self.tag_label)
        top.addSpacing(6)
        self.chip_slot = QHBoxLayout()
        top.addLayout(self.chip_slot)
        self.body.addLayout(top)

        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("titleEdit")
        self.title_edit.setAccessibleName("Goal title")
        self.title_edit.textEdited.connect(self._edited)
        self.body.addWidget(self.title_edit)
        self.body.addWidget(label("Why it matters to you", "sectionTitle"))
        self.why_edit = QPlainTextEdit()
        self.why_edit.setObjectName("whyEdit")
        self.why_edit.setAccessibleName("Why it matters")
        self.why_edit.setPlaceholderText("In your own words: what makes this goal matter?")
        self.why_edit.setTabChangesFocus(True)
        self.why_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 20)
        self.why_edit.textChanged.connect(self._edited)
        self.body.addWidget(self.why_edit)
        self._build_conflicts()
        # The answers that led to the why (the welcome's "why does that matter to you?").
        self.ladder_label = label("", "caption")
        self.ladder_label.setObjectName("whyLadder")
        self.ladder_label.setWordWrap(True)
        self.ladder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ladder_label.hide()
        self.body.addWidget(self.ladder_label)

        rhythm = QHBoxLayout()
        rhythm.setSpacing(10)
        rhythm.addWidget(label("Rhythm", "caption"))
        self.cadence = cadence_box()
        self.cadence.valueChanged.connect(self._edited)
        rhythm.addWidget(self.cadence)
        rhythm.addStretch(1)
        self.saved_label = label("", "caption")
        rhythm.addWidget(self.saved_label)
        self.save_button = button("Save changes", "primary", tip="Save title, why and "
                                                                 "rhythm (Ctrl+S)")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        rhythm.addWidget(self.save_button)
        self.body.addLayout(rhythm)

        card = self.card = ChartCard()
        grid = card.row
        grid.setContentsMargins(18, 14, 18, 14)
        grid.setSpacing(28)
        from ui.charts import HeatmapChart

        self.heatmap = card.chart = HeatmapChart()
        grid.addWidget(self.heatmap)
        facts = QVBoxLayout()
        facts.setSpacing(8)
        facts.addStretch(1)
        facts.addWidget(self._unit_toggle())
        self.rhythm_label = label("", "goalTitle", wrap=True)
        self.activity_label = label("", "meta", wrap=True)
        facts.addWidget(self.rhythm_label)
        facts.addWidget(self.activity_label)
        facts.addSpacing(8)
        choices = QHBoxLayout()
        choices.setSpacing(8)
        self.choice_buttons: dict[str, Any] = {}
        for choice, (text, _status, _said) in CHOICES.items():
            widget = button(text, "secondary", accessible=text.rstrip("…"),
                            tip=CHOICE_TIPS[choice])
            widget.clicked.connect(lambda _=False, c=choice: self.choose(c))
            self.choice_buttons[choice] = widget
            choices.addWidget(widget)
        choices.addStretch(1)
        facts.addLayout(choices)
        facts.addStretch(1)
        grid.addLayout(facts, 1)
        self.body.addWidget(card)
        self._build_link_banner()
        self.status_line = label("", "statusLine", wrap=True)
        self.status_line.hide()
        self.body.addWidget(self.status_line)

    def _build_link_banner(self) -> None:
        """Shown when items carry the goal's #tag from before the goal existed: one click
        links them (storage.goal_links), and the status line says which."""
        self.link_banner = QFrame()
        self.link_banner.setObjectName("card")
        row = QHBoxLayout(self.link_banner)
        row.setContentsMargins(16, 10, 12, 10)
        row.setSpacing(12)
        self.link_label = label("", wrap=True)
        row.addWidget(self.link_label, 1)
        self.link_button = button("Link them to this goal", "secondary",
                                  tip="They become this goal's steps and notes, as if the "
                                      "goal had existed when you wrote them")
        self.link_button.clicked.connect(self.link_tagged)
        row.addWidget(self.link_button)
        self.link_banner.hide()
        self.body.addWidget(self.link_banner)

    def _build_steps(self) -> None:
        head = QHBoxLayout()
        head.addWidget(label("Next steps", "sectionTitle"), 1)
        self.breakdown_button = button("Break it down…", "secondary",
                                       tip="Let Wise propose small steps (or find them "
                                           "yourself)")
        self.breakdown_button.clicked.connect(self.break_down_goal)
        self.review_button = button("Review with Wise…", "secondary",
                                    accessible="Review this goal with Wise",
                                    tip="Is it alive, is it still wanted, what comes next?")
        self.review_button.clicked.connect(self.review_with_wise)
        head.addWidget(self.breakdown_button)
        head.addWidget(self.review_button)
        self.body.addLayout(head)
        self.open_box = QVBoxLayout()
        self.open_box.setSpacing(4)
        self.body.addLayout(self.open_box)
        add = QHBoxLayout()
        self.step_edit = QLineEdit()
        self.step_edit.setPlaceholderText("Add a step by hand: what is the very first "
                                          "physical step?")
        self.step_edit.setAccessibleName("New step")
        self.step_edit.returnPressed.connect(self.add_step)
        add.addWidget(self.step_edit, 1)
        self.add_button = button("Add step", accessible="Add this step")
        self.add_button.clicked.connect(self.add_step)
        add.addWidget(self.add_button)
        self.body.addLayout(add)
        self.estimate_hint = EstimateHint(self.step_edit, name="hint")
        self.body.addWidget(self.estimate_hint)
        self.body.addWidget(label("Done", "sectionTitle"))
        self.done_label = label("", "meta", wrap=True)
        self.done_label.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.done_label)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.card.fit(page_room(self))

    # --- loading ------------------------------------------------------------------------

    def show_goal(self, goal_id: int) -> None:
        if goal_id != self.goal_id:
            self.save_if_changed()
            self.goal_id, self.page = goal_id, None
            self._dirty = False
            self._say("")
            self.conflicts.show_conflicts([])  # another goal's would be misleading
        self.reload()

    def reload(self) -> None:
        from app.focus import estimate_calibrations, goal_minutes
        from app.ritual_data import goal_page

        if self.goal_id is None:
            return
        self._request += 1
        request, goal_id = self._request, self.goal_id
        db, today, hour = self.context.db, self.context.today(), self.context.start_hour
        self.context.run(lambda _writer: (goal_page(db, goal_id, today, hour),
                                          goal_minutes(db, today, hour, [goal_id]),
                                          estimate_calibrations(db)),
                         lambda found: self._show_with_focus(request, *found), owner=self,
                         doing="read this goal")
        self._load_conflicts(goal_id)

    # --- focus: minutes in the heatmap, Start on each step --------------------------------

    def _unit_toggle(self) -> UnitToggle:
        self.unit_toggle = UnitToggle()
        self.unit_toggle.chosen.connect(self.unit_chosen)
        return self.unit_toggle

    def _show_with_focus(self, request: int, page: Any, minutes: dict[int, list[int]],
                         calibrations: list) -> None:
        if request != self._request:
            return
        self.calibrations = calibrations  # before the steps are made: their tooltips say it
        self.estimate_hint.set_calibrations(calibrations)
        self.minutes = minutes.get(self.goal_id or 0, [])
        self._show(request, page)
        self.show_unit(self.unit)

    def show_unit(self, unit: str) -> None:
        self.unit = unit
        self.unit_toggle.set_unit(unit)
        if self.page is None:
            return
        card = self.page.card
        values = (self.minutes or [0] * len(card.heatmap)) if unit == MINUTES else card.heatmap
        today = self.context.today()
        self.heatmap.set_data(list(values), card.heatmap_start, today, unit)
        text, tip = rhythm_words(card, unit, self.minutes, today)
        self.rhythm_label.setText(text)
        self.rhythm_label.setToolTip(tip)

    def _show(self, request: int, page: Any) -> None:
        if request != self._request:
            return
        if page is None:
            self._say("This goal is no longer in the journal.", problem=True)
            return
        self.page = page
        card = page.card
        self._filling = True
        try:
            if not self._dirty:  # never overwrite what the user is typing
                self.title_edit.setText(card.title)
                self.why_edit.setPlainText(card.why)
                self.cadence.setValue(card.cadence_per_week or 0)
        finally:
            self._filling = False
        self.title_changed.emit(card.title)
        self.ladder_label.setText(ladder_text(card.title, page.why_ladder))
        self.ladder_label.setVisible(bool(page.why_ladder))
        while (item := self.chip_slot.takeAt(0)) is not None:
            if (chip := item.widget()) is not None:
                chip.deleteLater()
        self.chip_slot.addWidget(status_chip(card.status))
        self.tag_label.setText(f"#{card.slug}")
        self.tag_label.setToolTip(f"Type #{card.slug} in quick capture or `wise capture` to "
                                  "file a thought, a to-do or a win under this goal.")
        self.heatmap.set_data(list(card.heatmap), card.heatmap_start, self.context.today())
        text, tip = rhythm_words(card, self.unit, self.minutes, self.context.today())
        self.rhythm_label.setText(text)
        self.rhythm_label.setToolTip(tip)
        activity = (f"Last progress {since(card.last_progress, self.context.now())}"
                    if card.last_progress else "No progress yet")
        self.activity_label.setText(f"{activity}  ·  {plural(card.open_count, 'open step')}")
        offered = STATUS_BUTTONS.get(card.status, ())
        for choice, widget in self.choice_buttons.items():
            widget.setVisible(choice in offered)
        earlier = page.unlinked_tagged
        self.link_banner.setVisible(earlier > 0)
        if earlier:
            self.link_label.setText(
                f"{plural(earlier, 'earlier item')} {'carries' if earlier == 1 else 'carry'} "
                f"#{card.slug} but {'belongs' if earlier == 1 else 'belong'} to no goal: "
                "tagged before this goal existed.")
        self._show_steps(page)

    def _show_steps(self, page: Any) -> None:
        while (item := self.open_box.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.open_steps = []
        for action in page.open_actions:
            step = OpenStep(action, self)
            self.open_steps.append(step)
            self.open_box.addWidget(step)
        if not page.open_actions:
            self.open_box.addWidget(label("No open steps. “Break it down…” can find a small "
                                          "one, or add your own below.", "hint", wrap=True))
        done = page.done_actions
        lines = [f"✓  {a.title}   ({since(a.done_at, self.context.now())})"
                 for a in done[:DONE_SHOWN]]
        if len(done) > DONE_SHOWN:
            lines.append(f"… and {plural(len(done) - DONE_SHOWN, 'more step')}")
        self.done_label.setText("\n".join(lines) or "Nothing done yet: the first small step "
                                                    "will show here.")

    # --- editing ------------------------------------------------------------------------

    def _edited(self, *_args: Any) -> None:
        if self._filling:
            return
        self._dirty = True
        self.save_button.setEnabled(True)
        self.saved_label.setText("")

    def save(self) -> None:
        if self.goal_id is None or not self._dirty:
            return
        title = self.title_edit.text().strip()
        if not title:
            self._say("A goal needs a name; the old one is kept until you give a new one.",
                      problem=True)
            return
        why = self.why_edit.toPlainText().strip()
        cadence = self.cadence.value() or None
        self._dirty = False
        self.save_button.setEnabled(False)
        goal_id = self.goal_id
        self.context.write(lambda writer: writer.update_goal(goal_id, title=title, why=why,
                                                             cadence_per_week=cadence),
                           owner=self, doing="save the goal", what="goals",
                           on_success=lambda _r: self.saved_label.setText("Saved"))

    def save_if_changed(self) -> None:
        """Called when the user leaves the page: nothing typed is lost."""
        if self._dirty:
            self.save()

    def choose(self, choice: str) -> None:
        if self.page is None:
            return
        _text, status, said = CHOICES[choice]
        goal_id = self.page.card.id

        def apply() -> None:
            self.context.write(lambda writer: writer.set_goal_status(goal_id, status),
                               owner=self, doing="change the goal", what="goals",
                               on_success=lambda _r: self._say(said))

        if choice == "retire":
            self._dialog = confirm_retire(self, self.page.card.title, apply)
        else:
            apply()

    def mark_done(self, action_id: int) -> None:
        self.context.write(lambda writer: writer.set_action_status(action_id, "done"),
                           owner=self, doing="mark the step done", what="actions",
                           on_success=lambda _r: self._say("Done. Nicely done."))

    def add_step(self) -> None:
        if not self.step_edit.text().strip() or self.goal_id is None:
            return
        title, minutes = typed_step(self.step_edit.text())  # "~10m" is its estimate
        self.step_edit.clear()

        def added(result: Any) -> None:
            if result.already_open:
                self._say(already_open_words(result.already_open))

        goal_id = self.goal_id
        self.context.write(lambda writer: writer.add_actions([(title, minutes)], goal_id=goal_id,
                                                             source="capture"),
                           owner=self, doing="add the step", what="actions", on_success=added)

    def link_tagged(self) -> None:
        if self.goal_id is None:
            return
        self.link_button.setEnabled(False)

        def linked(items: Any) -> None:
            self.link_button.setEnabled(True)
            self._say(linked_words(items))

        goal_id = self.goal_id
        self.context.write(lambda writer: writer.link_tagged_items(goal_id), owner=self,
                           doing="link the tagged items", what="actions", on_success=linked)

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.status_line.setVisible(bool(text))
        self.status_line.setText(text)
        self.status_line.setProperty("problem", problem)
        repolish(self.status_line)

    # --- sync conflicts on the why ---------------------------------------------------------

    def _build_conflicts(self) -> None:
        """Under the why: its sync conflicts, if any (ui/sync_conflicts.py)."""
        from ui.sync_conflicts import ConflictsBox

        self.conflicts = ConflictsBox(lambda _field: self.why_edit.toPlainText())
        self.conflicts.answered.connect(self._answer_conflict)
        self.body.addWidget(self.conflicts)

    def refresh_conflicts(self) -> None:
        """Read the why's conflicts again (a sync may have brought some)."""
        if self.goal_id is not None:
            self._load_conflicts(self.goal_id)

    def _load_conflicts(self, goal_id: int) -> None:
        from app.sync.conflicts import goal_conflicts

        db = self.context.db
        self.context.run(lambda _writer: goal_conflicts(db, goal_id),
                         lambda found: self._show_conflicts(goal_id, found), owner=self,
                         doing="read this goal's sync conflicts")

    def _show_conflicts(self, goal_id: int, found: list) -> None:
        if goal_id == self.goal_id:
            self.conflicts.show_conflicts(found)
            self.conflicts_shown.emit(goal_id)

    def _answer_conflict(self, conflict_id: int, keep: str, text: str | None) -> None:
        """As `wise sync resolve` does, after saving what was typed here (so the version
        kept is the one on screen); then the goal is read again."""
        from app.sync.conflicts import resolve_conflict

        self.save_if_changed()
        card = self.conflicts.card(conflict_id)
        if card is not None:
            card.set_busy(True)
        db = self.context.db

        def answered(_conflict: Any) -> None:
            self.conflicts_answered.emit()
            self.context.changed.emit("goals")  # the why on show, the cards, the tray

        def failed(exc: Exception) -> None:
            if card is not None and self.conflicts.card(conflict_id) is card:
                card.set_busy(False)
                card.show_problem(f"Not answered: {exc}. Both versions are still kept.")

        self.context.run(lambda _writer: resolve_conflict(db, conflict_id, keep, text),
                         answered, owner=self, doing="answer the sync conflict",
                         on_error=failed)

    # --- model work -----------------------------------------------------------------------

    def break_down_goal(self) -> None:
        if self.page is not None:
            from ui.review.breakdown import BreakdownDialog

            card = self.page.card
            self._dialog = BreakdownDialog(self, self.context, goal_id=card.id,
                                           action_id=None, subject=card.title,
                                           calibrations=self.calibrations)
            self._dialog.open()

    def break_down_action(self, action: Any) -> None:
        from ui.review.breakdown import BreakdownDialog

        self._dialog = BreakdownDialog(self, self.context, goal_id=action.goal_id,
                                       action_id=action.id, subject=action.title,
                                       calibrations=self.calibrations)
        self._dialog.open()

    def review_with_wise(self) -> None:
        if self.page is not None:
            from ui.review.wise_review import ReviewDialog

            card = self.page.card
            self._dialog = ReviewDialog(self, self.context, goal_id=card.id,
                                        titles={card.id: card.title})
            self._dialog.open()


def ladder_text(title: str, ladder: Sequence[str]) -> str:
    """How the why was found, as plain text: each answer to "why does that matter?"."""
    if not ladder:
        return ""
    lines = [f"How you found this why, starting from “{title}”:"]
    lines += [f"{'   ' * n}→ {' '.join(answer.split())}" for n, answer in enumerate(ladder)]
    return "\n".join(lines)
