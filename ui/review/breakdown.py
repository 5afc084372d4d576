"""Break it down: the model proposes small steps for a goal or an action (in a `wise
breakdown` child), with a dial for how small; the user ticks the ones to keep. Without a
model, a by-hand template asks for the very first physical step."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.focus import typed_step
from app.ritual_data import MAX_ACTION_CHARS
from ui.bidi import reads_right_to_left
from ui.children import JsonChild
from ui.focus_start import EstimateHint
from ui.review.context import ReviewContext
from ui.review.look import already_open_words, button, label, plural, repolish

SIZES = {1: "a few steps", 2: "smaller steps", 3: "small steps", 4: "very small steps",
         5: "tiniest steps"}
DEFAULT_SIZE = 3
FIRST_PROMPT = "What is the very first physical step?"
NEXT_PROMPT = "And the step after that?"
STEP_ROLE = Qt.ItemDataRole.UserRole  # (title, minutes | None) on each list item
STEPS_PLACEHOLDER = "The steps appear here. Tick the ones to keep."
CONNECT_HINT = ("No model is connected, so let us break it down by hand: one small step at "
                "a time, the first one two minutes or less. To let a model suggest steps, "
                "choose one in Settings → Language model.")


class StepList(QListWidget):
    """The steps, wrapped to the width (a long address too: no sideways scrolling), right-
    to-left ones aligned right, and a line saying what the list is for while it is empty."""

    def __init__(self, placeholder: str) -> None:
        super().__init__()
        self.placeholder = placeholder
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.count() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            margin = self.fontMetrics().height()
            painter.drawText(self.viewport().rect().adjusted(margin, margin, -margin, -margin),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()


class BreakdownDialog(QDialog):
    """One goal's (or one action's) break-down; steps kept become actions of the goal."""

    def __init__(self, parent: QWidget, context: ReviewContext, *, goal_id: int | None,
                 action_id: int | None, subject: str,
                 calibrations: list | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.goal_id, self.action_id = goal_id, action_id
        self.setWindowTitle("Break it down")
        self.setObjectName("breakdownDialog")
        self.child = JsonChild(context.wise_command, self)
        self.child.finished.connect(self._proposed)
        self.child.failed.connect(self._failed)
        self.child.cancelled.connect(self._cancelled)
        self.added: list[int] = []
        # Each model proposal shown: its variant, the steps it offered, how many were kept.
        # Told to Wise when the window closes (what keeping steps teaches it).
        self.proposals: list[dict[str, Any]] = []

        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(label("Break it down", "sectionTitle"))
        layout.addWidget(label(f"“{subject}”", "goalWhy", wrap=True))
        # What a model needs (how small, and the button that asks it): hidden when no
        # model is connected, so the by-hand path below is the one on offer.
        self.model_part = QWidget()
        model = QVBoxLayout(self.model_part)
        model.setContentsMargins(0, 0, 0, 0)
        model.setSpacing(10)
        model.addWidget(label("How small should the steps be?", "caption"))
        self.dial = QSlider(Qt.Orientation.Horizontal)
        self.dial.setRange(1, 5)
        self.dial.setValue(DEFAULT_SIZE)
        self.dial.setPageStep(1)
        self.dial.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.dial.setTickInterval(1)
        self.dial.setAccessibleName("How small the steps should be")
        self.dial.valueChanged.connect(self._size_changed)
        model.addWidget(self.dial)
        ends = QHBoxLayout()
        ends.addWidget(label(SIZES[1], "caption"))
        ends.addStretch(1)
        self.size_label = label("", "meta")
        ends.addWidget(self.size_label)
        ends.addStretch(1)
        ends.addWidget(label(SIZES[5], "caption"))
        model.addLayout(ends)

        run = QHBoxLayout()
        self.propose_button = button("Propose steps", "primary",
                                     tip="Wise suggests steps of this size")
        self.propose_button.clicked.connect(self.propose)
        self.cancel_button = button("Stop", "secondary", accessible="Stop proposing")
        self.cancel_button.clicked.connect(self.child.cancel)
        self.cancel_button.hide()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.hide()
        run.addWidget(self.propose_button)
        run.addWidget(self.cancel_button)
        run.addWidget(self.busy, 1)
        run.addStretch(0)
        model.addLayout(run)
        layout.addWidget(self.model_part)
        self.connect_hint = label(CONNECT_HINT, "hint", wrap=True)
        layout.addWidget(self.connect_hint)
        self.note = label("", "hint", wrap=True)
        self.note.hide()
        layout.addWidget(self.note)

        self.steps = StepList(STEPS_PLACEHOLDER)
        self.steps.setAccessibleName("Proposed steps: tick the ones to keep")
        self.steps.itemChanged.connect(lambda _item: self._refresh_add())
        layout.addWidget(self.steps, 1)
        self.hand_part = QWidget()
        hand_column = QVBoxLayout(self.hand_part)
        hand_column.setContentsMargins(0, 0, 0, 0)
        hand_column.setSpacing(6)
        self.by_hand_label = label(FIRST_PROMPT, "caption", wrap=True)
        hand_column.addWidget(self.by_hand_label)
        hand = QHBoxLayout()
        self.hand_edit = QLineEdit()
        self.hand_edit.setPlaceholderText("e.g. put my running shoes by the door")
        self.hand_edit.setAccessibleName(FIRST_PROMPT)
        self.hand_edit.returnPressed.connect(self.add_by_hand)
        hand.addWidget(self.hand_edit, 1)
        self.hand_button = button("Add to the list", accessible="Add this step to the list")
        self.hand_button.clicked.connect(self.add_by_hand)
        hand.addWidget(self.hand_button)
        hand_column.addLayout(hand)
        self.estimate_hint = EstimateHint(self.hand_edit, name="hint")
        self.estimate_hint.set_calibrations(calibrations or [])
        hand_column.addWidget(self.estimate_hint)
        layout.addWidget(self.hand_part)

        bottom = QHBoxLayout()
        self.status = label("", "statusLine", wrap=True)
        bottom.addWidget(self.status, 1)
        self.close_button = button("Close")
        self.close_button.clicked.connect(self.reject)
        self.add_button = button("Add ticked steps", "primary")
        self.add_button.clicked.connect(self.add_ticked)
        # Enter outside a field and a focused button adds what is ticked; never a model call.
        self.add_button.setDefault(True)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.add_button)
        layout.addLayout(bottom)
        self._size_changed(self.dial.value())
        self._refresh_add()
        self.show_model_part(context.model_connected())
        self.resize(560, 560)

    def show_model_part(self, connected: bool) -> None:
        """With a model, it proposes steps and the by-hand field follows the list; without
        one, the by-hand field leads, above the list it fills."""
        self.model_part.setVisible(connected)
        self.connect_hint.setVisible(not connected)
        layout = self._layout
        layout.removeWidget(self.hand_part)
        list_at = layout.indexOf(self.steps)
        layout.insertWidget(list_at + 1 if connected else list_at, self.hand_part)
        if not connected:
            self.hand_edit.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in the by-hand field adds that step (its returnPressed did) and nothing
        # else: the dialog must not press its default button as well.
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.focusWidget() is self.hand_edit):
            event.accept()
            return
        super().keyPressEvent(event)

    # --- the model's proposal -------------------------------------------------------------

    def steps_wanted(self) -> int:
        """How many steps to ask the model for (the dial); not QWidget.size, which it hid."""
        return self.dial.value()

    def propose(self) -> None:
        target = (["--action", str(self.action_id)] if self.action_id is not None
                  else ["--goal", str(self.goal_id)])
        self._set_running(True)
        self._say("Wise is looking for steps…")
        self.child.start(["breakdown", *target, "--size", str(self.steps_wanted())],
                         what="the break-down")

    def _proposed(self, result: dict) -> None:
        self._set_running(False)
        steps = [s for s in result.get("steps") or [] if isinstance(s, dict) and s.get("title")]
        note = result.get("note")
        if note:
            self.note.setText(str(note))
            self.note.show()
        else:
            self.note.hide()
        self._remove_unticked()
        offered = []
        for step in steps:
            minutes = step.get("minutes")
            item = self._add_item(str(step["title"]), int(minutes) if minutes else None)
            offered.append(item.data(STEP_ROLE))
        if offered and result.get("variant"):
            self.proposals.append({"variant": str(result["variant"]), "offered": offered,
                                   "kept": 0, "left": list(offered)})
        if steps:
            self._say(f"{plural(len(steps), 'step')} proposed. Untick any you do not want.")
            self.by_hand_label.setText("Or add your own step:")
        elif result.get("fallback"):  # the note under it says what went wrong
            self._say("No steps from the model this time, so let us do it by hand.")
        else:
            self._say("No model to ask right now, so let us do it by hand.")
            self.by_hand_label.setText(FIRST_PROMPT)
            self.hand_edit.setFocus()
        self._refresh_add()

    def _failed(self, message: str) -> None:
        self._set_running(False)
        self._say(f"{message} You can still add steps by hand below.", problem=True)

    def _cancelled(self) -> None:
        self._set_running(False)
        self._say("Stopped.")

    def _set_running(self, running: bool) -> None:
        self.propose_button.setVisible(not running)
        self.cancel_button.setVisible(running)
        self.busy.setVisible(running)
        self.dial.setEnabled(not running)
        if running:
            self.cancel_button.setFocus()
        else:
            self.propose_button.setText("Propose again")

    def _size_changed(self, value: int) -> None:
        self.size_label.setText(SIZES[value])
        self.dial.setAccessibleDescription(SIZES[value])

    # --- the list ---------------------------------------------------------------------------

    def _add_item(self, title: str, minutes: int | None) -> QListWidgetItem:
        text = f"{title}   ·   ~{minutes} min" if minutes else title
        item = QListWidgetItem(text)
        item.setToolTip(title)  # the whole step, where a long one is cut short
        if reads_right_to_left(title):
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        item.setData(STEP_ROLE, (title, minutes))
        self.steps.addItem(item)
        return item

    def _remove_unticked(self) -> None:
        for row in reversed(range(self.steps.count())):
            if self.steps.item(row).checkState() != Qt.CheckState.Checked:
                self.steps.takeItem(row)

    def ticked(self) -> list[tuple[str, int | None]]:
        return [self.steps.item(row).data(STEP_ROLE) for row in range(self.steps.count())
                if self.steps.item(row).checkState() == Qt.CheckState.Checked]

    def add_by_hand(self) -> None:
        title = self.hand_edit.text().strip()
        if not title:
            return
        if len(title) > MAX_ACTION_CHARS:
            self._say(f"A step is a few words; this one has {len(title):,} characters (at most "
                      f"{MAX_ACTION_CHARS:,}). Your text is still in the box: shorten it or "
                      "split it into steps.", problem=True)
            return
        self._add_item(*typed_step(title))  # "~10m" is its estimate
        self.hand_edit.clear()
        self._say("")
        self.by_hand_label.setText(NEXT_PROMPT)
        self.hand_edit.setAccessibleName(NEXT_PROMPT)
        self._refresh_add()

    def _refresh_add(self) -> None:
        count = len(self.ticked())
        self.add_button.setEnabled(count > 0)
        self.add_button.setText(f"Add {plural(count, 'ticked step')}" if count
                                else "Add ticked steps")

    def add_ticked(self) -> None:
        steps = [(title, minutes) for title, minutes in self.ticked()]
        if not steps:
            return
        self.add_button.setEnabled(False)
        for step in steps:  # a kept step counts for the first proposal that offered it
            proposal = next((p for p in self.proposals if step in p["left"]), None)
            if proposal is not None:
                proposal["left"].remove(step)
                proposal["kept"] += 1
        goal_id = self.goal_id
        self.context.write(lambda writer: writer.add_actions(steps, goal_id=goal_id), owner=self,
                           doing="add the steps", what="actions", on_success=self._added)

    def _added(self, result: Any) -> None:
        self.added.extend(result.ids)
        self.steps.clear()
        said = []
        if result.ids:
            said.append(f"Added {plural(len(result.ids), 'step')}. The first one is the only "
                        "one that matters now.")
        if result.already_open:
            said.append(already_open_words(result.already_open))
        self._say(" ".join(said))
        self._refresh_add()

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("problem", problem)
        repolish(self.status)

    def done(self, result: int) -> None:
        # Closing stops a proposal still being made: nothing keeps running unseen.
        self.child.stop_now()
        proposals, self.proposals = self.proposals, []
        for proposal in proposals:  # kept of offered: none kept counts too
            self.context.remember_outcome("breakdown", proposal["variant"],
                                          proposal["kept"], len(proposal["offered"]))
        super().done(result)
