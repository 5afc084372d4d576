"""What Wise has learned about me: the summaries and feedback notes Wise keeps as memory,
each with its dates. The user can edit or delete any of them; Wise's next prompts read
them as they are here. Feedback can be exported as JSON lines."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.children import JsonChild
from ui.review.context import ReviewContext
from ui.review.dialogs import TextDialog, confirm
from ui.review.look import button, day_range, label, plural, repolish, scrolling_page

if TYPE_CHECKING:
    from app.ritual_data import RitualWriter

SHOWN_AT_ONCE = 60  # items built per "Show more": a long memory opens quickly
KIND_WORDS = {"day summary": "Day", "week summary": "Week", "month summary": "Month",
              "feedback": "Your feedback"}
SOURCE_WORDS = {"model": "summarised by your model", "plain": "summarised from your journal",
                "helpful": "you found this helpful", "not quite": "you said: not quite"}


class MemoryRow(QFrame):
    def __init__(self, item: Any, page: MemoryPage) -> None:
        super().__init__()
        self.item = item
        self.setObjectName("card")
        box = QVBoxLayout(self)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(6)
        head = QHBoxLayout()
        head.setSpacing(10)
        chip = label(KIND_WORDS.get(item.kind, item.kind.capitalize()), "chip")
        chip.setProperty("status", "done" if item.kind == "feedback" else "archived")
        chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        head.addWidget(chip, 0, Qt.AlignmentFlag.AlignVCenter)
        when = day_range(item.period_start, item.period_end)
        source = SOURCE_WORDS.get(item.source, item.source)
        head.addWidget(label(f"{when}  ·  {source}", "meta", wrap=True), 1)
        self.edit_button = button("Edit…", "quiet", accessible=f"Edit: {item.kind} {when}")
        self.edit_button.clicked.connect(lambda: page.edit(item))
        self.delete_button = button("Delete…", "quiet",
                                    accessible=f"Delete: {item.kind} {when}")
        self.delete_button.clicked.connect(lambda: page.delete(item))
        head.addWidget(self.edit_button)
        head.addWidget(self.delete_button)
        box.addLayout(head)
        text = item.text or ("(no note: add one to tell Wise what helped or what to change)"
                             if item.kind == "feedback" else "(empty)")
        self.text = label(text, "hint" if not item.text else "", wrap=True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.text)


class MemoryPage(QWidget):
    def __init__(self, context: ReviewContext) -> None:
        super().__init__()
        self.setObjectName("page")
        self.context = context
        self.items: list[Any] = []
        self.rows: list[MemoryRow] = []
        self.loaded = False
        self.dialog: Any = None
        self._request = 0
        # The export is `wise feedback export`, so the file is the same as from the CLI.
        self.exporter = JsonChild(context.wise_command, self)
        self.exporter.finished.connect(self._exported)
        self.exporter.failed.connect(lambda message: self._say(message, problem=True))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        header = QVBoxLayout()
        header.setContentsMargins(32, 26, 32, 10)
        header.setSpacing(6)
        top = QHBoxLayout()
        top.addWidget(label("What Wise has learned about you", "pageTitle", wrap=True), 1)
        self.export_button = button("Export feedback…", accessible="Export feedback",
                                    tip="Save all your feedback as JSON lines")
        self.export_button.clicked.connect(self.choose_export_path)
        top.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(top)
        header.addWidget(label(
            "Wise keeps short summaries of your days and weeks, and your notes on its "
            "reflections. It reads them, exactly as they are here, when it reflects with "
            "you. Change or delete anything: this memory is yours.", "pageIntro", wrap=True))
        self.status = label("", "statusLine", wrap=True)
        self.status.hide()
        header.addWidget(self.status)
        outer.addLayout(header)

        scroll, _body, self.list = scrolling_page((32, 4, 32, 28))
        self.empty = label("Nothing yet. After a few days with Wise, the summaries of your "
                           "days and weeks, and your feedback on its reflections, will show "
                           "here.", "empty", wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.list.addWidget(self.empty)
        self.more_button = button("Show more", "quiet", accessible="Show more memories")
        self.more_button.clicked.connect(self._show_more)
        self.more_button.hide()
        self.list.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.list.addStretch(1)
        outer.addWidget(scroll, 1)

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        from app.ritual_data import memory_items

        self._request += 1
        request, db = self._request, self.context.db
        self.context.run(lambda _writer: memory_items(db), lambda items: self._show(
            request, items), owner=self, doing="read what Wise remembers")

    def _show(self, request: int, items: list) -> None:
        if request != self._request:
            return
        self.loaded = True
        self.items = list(items)
        for row in self.rows:
            self.list.removeWidget(row)
            row.deleteLater()
        self.rows = []
        self.empty.setVisible(not self.items)
        self._show_more()

    def _show_more(self) -> None:
        start = len(self.rows)
        for item in self.items[start:start + SHOWN_AT_ONCE]:
            row = MemoryRow(item, self)
            self.list.insertWidget(len(self.rows), row)
            self.rows.append(row)
        left = len(self.items) - len(self.rows)
        self.more_button.setVisible(left > 0)
        self.more_button.setText(f"Show more ({left} left)")

    # --- editing ------------------------------------------------------------------------------

    def edit(self, item: Any) -> None:
        feedback = item.kind == "feedback"
        intro = ("Your note on this reflection. Wise reads helpful notes as what helped "
                 "before." if feedback else
                 "Wise reads this summary as its memory of "
                 f"{day_range(item.period_start, item.period_end)}. Correct or soften "
                 "anything; it uses your version from now on.")
        self.dialog = TextDialog(self, title="Edit your note" if feedback
                                 else f"Edit the {item.kind}", intro=intro, text=item.text,
                                 allow_empty=feedback,
                                 on_accept=lambda text: self._save_edit(item, text))
        self.dialog.open()

    def _save_edit(self, item: Any, text: str) -> None:
        item_id, feedback = item.id, item.kind == "feedback"

        def change(writer: RitualWriter) -> None:
            if feedback:
                writer.edit_feedback_note(item_id, text)
            else:
                writer.edit_summary(item_id, text)

        self.context.write(change, owner=self, doing="save your change", what="memory",
                           on_success=lambda _r: self._say(
                               "Saved. Wise uses your version from now on."))

    def delete(self, item: Any) -> None:
        feedback = item.kind == "feedback"
        what = "this feedback" if feedback else f"this {item.kind}"
        item_id = item.id

        def change(writer: RitualWriter) -> None:
            if feedback:
                writer.delete_feedback(item_id)
            else:
                writer.delete_summary(item_id)

        self.dialog = confirm(
            self, title="Delete from memory?", text=f"Delete {what} from Wise's memory?",
            details=f"Wise will forget it ({day_range(item.period_start, item.period_end)})"
                    " from now on. Your journal itself is not touched.",
            yes="Delete", no="Keep it",
            on_yes=lambda: self.context.write(change, owner=self,
                                              doing="delete it", what="memory",
                                              on_success=lambda _r: self._say("Deleted.")))

    # --- export ---------------------------------------------------------------------------------

    def choose_export_path(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export feedback", str(Path.home() / "wise-feedback.jsonl"),
            "JSON lines (*.jsonl);;All files (*)")
        if path:
            self.export_feedback(Path(path))

    def export_feedback(self, path: Path) -> None:
        self._say("Exporting your feedback…")
        self.exporter.start(["feedback", "export", "-o", str(path)], what="the export")

    def _exported(self, result: dict) -> None:
        count = int(result.get("count") or 0)
        self._say(f"Exported {plural(count, 'feedback record')} to {result.get('path')}.")

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.status.setVisible(bool(text))
        self.status.setText(text)
        self.status.setProperty("problem", problem)
        repolish(self.status)
