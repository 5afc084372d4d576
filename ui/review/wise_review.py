"""Review with Wise: a `wise goals review` child looks at one goal or all (is it alive, is it
still wanted, what is the next small step, should it rest?); each suggestion is one click."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ui.children import JsonChild
from ui.review.context import ReviewContext
from ui.review.dialogs import confirm_retire
from ui.review.look import already_open_words, button, label, repolish, scrolling_page

SUGGESTIONS = {
    "keep": "Keep going as you are.",
    "pause": "Let it rest for a while: pausing is allowed.",
    "retire": "Perhaps let it go: you may no longer want it, and that is fine.",
    "smaller_step": "Try a smaller next step.",
}


class Suggestion(QFrame):
    """One goal's review with its one-click choices."""

    def __init__(self, review: dict, title: str, dialog: ReviewDialog) -> None:
        super().__init__()
        self.setObjectName("card")
        self.review, self.dialog = review, dialog
        self.goal_id = int(review["goal_id"])
        self.title = title
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(6)
        head = QHBoxLayout()
        head.addWidget(label(title, "goalTitle", wrap=True), 1)
        alive = bool(review.get("alive"))
        chip = label("Alive" if alive else "Quiet lately", "chip")
        chip.setProperty("status", "active" if alive else "paused")
        head.addWidget(chip)
        box.addLayout(head)
        if review.get("observation"):
            box.addWidget(label(str(review["observation"]), "", wrap=True))
        suggestion = str(review.get("suggestion") or "keep")
        box.addWidget(label("Wise suggests: " + SUGGESTIONS.get(suggestion, suggestion),
                            "meta", wrap=True))
        self.next_step = (review.get("next_step") or "").strip()
        already_open = bool(review.get("next_step_open"))
        if self.next_step:
            on_the_list = " (already one of its open steps)" if already_open else ""
            box.addWidget(label(f"Next small step: {self.next_step}{on_the_list}", "goalWhy",
                                wrap=True))
        row = QHBoxLayout()
        row.setSpacing(8)
        self.buttons: dict[str, Any] = {}
        if suggestion == "pause":
            self._choice("pause", "Pause it", "primary", self.pause)
        if suggestion == "retire":
            self._choice("retire", "Retire it…", "primary", self.retire)
        if self.next_step and not already_open:
            self._choice("step", "Add this step",
                         "primary" if suggestion in ("keep", "smaller_step") else "secondary",
                         self.add_step)
        self._choice("keep", "Keep", "secondary", self.keep)
        for widget in self.buttons.values():
            row.addWidget(widget)
        row.addStretch(1)
        box.addLayout(row)
        self.outcome = label("", "statusLine", wrap=True)
        self.outcome.hide()
        box.addWidget(self.outcome)

    def _choice(self, key: str, text: str, kind: str, slot: Any) -> None:
        widget = button(text, kind, accessible=f"{text.rstrip('…')}: {self.title}")
        widget.clicked.connect(slot)
        self.buttons[key] = widget

    def _answered(self, taken: bool) -> None:
        """The user took this suggestion or declined it: evidence for the variant that
        made the review (only the model's own suggestions count)."""
        if self.review.get("by_model"):
            self.dialog.context.remember_outcome("goal_review", self.dialog.variant,
                                                 int(taken), 1)

    def pause(self) -> None:
        def paused(_result: Any) -> None:
            self._answered(True)
            self._settled("Paused. It rests until you want it again.")

        goal_id = self.goal_id
        self.dialog.context.write(lambda writer: writer.set_goal_status(goal_id, "paused"),
                                  owner=self, doing="pause the goal", what="goals",
                                  on_success=paused)

    def retire(self) -> None:
        def retired(_result: Any) -> None:
            self._answered(True)
            self._settled("Retired. A good decision: it stays in your journal.")

        goal_id = self.goal_id

        def apply() -> None:
            self.dialog.context.write(lambda writer: writer.set_goal_status(goal_id, "archived"),
                                      owner=self, doing="retire the goal", what="goals",
                                      on_success=retired)

        self.dialog.confirmation = confirm_retire(self.dialog, self.title, apply)

    def add_step(self) -> None:
        def added(result: Any) -> None:
            self._answered(True)
            self._settled(already_open_words(result.already_open) if result.already_open
                          else "Added to this goal's steps.")

        steps: list[tuple[str, int | None]] = [(self.next_step, None)]
        goal_id = self.goal_id
        self.dialog.context.write(lambda writer: writer.add_actions(steps, goal_id=goal_id),
                                  owner=self, doing="add the step", what="actions",
                                  on_success=added)

    def keep(self) -> None:
        # "Keep" agrees with a "keep" suggestion and declines any other.
        self._answered(str(self.review.get("suggestion") or "keep") == "keep")
        self._settled("Kept as it is.")

    def _settled(self, text: str) -> None:
        for widget in self.buttons.values():
            widget.setEnabled(False)
        self.outcome.setText(text)
        self.outcome.show()


class ReviewDialog(QDialog):
    """Runs the review as soon as it opens; `goal_id` None reviews every active goal."""

    def __init__(self, parent: QWidget, context: ReviewContext, *, goal_id: int | None,
                 titles: dict[int, str]) -> None:
        super().__init__(parent)
        self.context, self.goal_id, self.titles = context, goal_id, titles
        self.confirmation: Any = None
        self.suggestions: list[Suggestion] = []
        self.variant: str | None = None  # the prompt variant of the model's review
        self.setWindowTitle("Review with Wise")
        self.setObjectName("reviewDialog")
        self.child = JsonChild(context.wise_command, self)
        self.child.finished.connect(self._reviewed)
        self.child.failed.connect(self._failed)
        self.child.cancelled.connect(lambda: self._finish("Stopped."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(label("Review with Wise", "sectionTitle"))
        layout.addWidget(label("Is it alive? Is it still wanted? What is the smallest next "
                               "step? Take what helps, leave the rest.", "caption", wrap=True))
        run = QHBoxLayout()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.stop_button = button("Stop", accessible="Stop the review")
        self.stop_button.clicked.connect(self.child.cancel)
        run.addWidget(self.busy, 1)
        run.addWidget(self.stop_button)
        layout.addLayout(run)
        self.note = label("", "hint", wrap=True)
        self.note.hide()
        layout.addWidget(self.note)
        scroll, _body, self.list = scrolling_page((0, 0, 6, 0))
        self.list.addStretch(1)
        layout.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        self.status = label("Wise is looking at your goals…", "statusLine", wrap=True)
        bottom.addWidget(self.status, 1)
        self.close_button = button("Close")
        self.close_button.clicked.connect(self.reject)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        self.resize(620, 600)

    def open(self) -> None:
        super().open()
        args = ["goals", "review"] + ([str(self.goal_id)] if self.goal_id is not None else [])
        self.child.start(args, what="the review")

    def _reviewed(self, result: dict) -> None:
        goals = [g for g in result.get("goals") or []
                 if isinstance(g, dict) and g.get("goal_id") is not None]
        self.variant = str(result["variant"]) if result.get("variant") else None
        if result.get("note"):
            self.note.setText(str(result["note"]))
            self.note.show()
        for index, review in enumerate(goals):
            title = self.titles.get(int(review["goal_id"])) or str(review.get("slug") or "")
            widget = Suggestion(review, title, self)
            self.suggestions.append(widget)
            self.list.insertWidget(index, widget)
        self._finish("" if goals else "There are no active goals to review.")

    def _failed(self, message: str) -> None:
        self._finish(message, problem=True)

    def _finish(self, text: str, *, problem: bool = False) -> None:
        self.busy.hide()
        self.stop_button.hide()
        self.status.setText(text)
        self.status.setProperty("problem", problem)
        repolish(self.status)
        if self.suggestions:
            next(iter(self.suggestions[0].buttons.values())).setFocus()

    def done(self, result: int) -> None:
        self.child.stop_now()
        super().done(result)
