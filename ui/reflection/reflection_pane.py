""""Wise's reflection": streamed from a `wise reflect --stream` child as it is written.

One reflection is written at a time. It belongs to the day it was started for: the pane
shows it live while that day is open, and each other day's stored reflection otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.daytime import long_day
from ui.children import WiseChild, last_words, parse_document
from ui.reflection.markdown_view import MarkdownView
from ui.reflection.sent_dialog import SentDialog
from ui.reflection.style import hint_label, section_heading, status_label

NO_REFLECTION = "No reflection for this day yet."
PLAIN_CAPTION = "A plain reflection, made from your data alone."
VIEW_MIN_LINES = 4  # it scrolls within; a taller window gives it the height


class ReflectionPane(QWidget):
    done = Signal(object, dict)  # the day, the child's "done" event
    busy_changed = Signal(bool)

    def __init__(self, wise_command: Callable[[], list[str]],
                 words_for_model: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._wise_command = wise_command
        self._words_for_model = words_for_model
        self._day: date | None = None  # the day on show
        self._stored = None  # its stored ReflectionRow, if any
        self._child: WiseChild | None = None
        self._child_day: date | None = None
        self._child_text = ""
        self._child_done = False
        self._shown_before: tuple[str, str] = ("", "")
        # (reflection id, how to connect a model); the id is None if the stream named none
        self._note_for: tuple[int | None, str] | None = None
        self._sent_child: WiseChild | None = None
        self.dialog: SentDialog | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        # The buttons sit on the heading's line: the reflection gets the height.
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(section_heading("Wise's reflection", self))
        row.addStretch(1)
        self.reflect_button = QPushButton("&Reflect", self)
        self.reflect_button.setToolTip("Ask Wise to reflect on this day (Ctrl+Enter)")
        self.reflect_button.setAccessibleName("Reflect on this day")
        self.reflect_button.clicked.connect(self.reflect)
        self.stop_button = QPushButton("&Stop", self)
        self.stop_button.setAccessibleName("Stop the reflection")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        self.sent_button = QPushButton("What was se&nt", self)
        self.sent_button.setToolTip("The exact messages a reflection sends; nothing is sent "
                                    "to show them")
        self.sent_button.setAccessibleName("What was sent to the model")
        self.sent_button.clicked.connect(self.show_what_was_sent)
        row.addWidget(self.reflect_button)
        row.addWidget(self.stop_button)
        row.addWidget(self.sent_button)
        layout.addLayout(row)
        self.view = MarkdownView(self)
        self.view.setAccessibleName("Wise's reflection")
        self.view.setMinimumHeight(self.fontMetrics().lineSpacing() * VIEW_MIN_LINES)
        self.view.setPlaceholderText(NO_REFLECTION)
        self.view.link_clicked.connect(self._link_clicked)
        layout.addWidget(self.view, 1)
        self.caption = hint_label("", self)
        self.caption.setAccessibleName("About this reflection")
        layout.addWidget(self.caption)
        self.hint = hint_label("", self)
        self.hint.setAccessibleName("How to connect a model")
        self.hint.hide()
        layout.addWidget(self.hint)
        self.status = status_label(self)
        self.status.setAccessibleName("Reflection status")
        layout.addWidget(self.status)
        self.view.set_markdown_now("")

    # -- state -------------------------------------------------------------------------

    def is_busy(self) -> bool:
        return self._child is not None

    def streaming_day(self) -> date | None:
        return self._child_day if self._child is not None else None

    def show_day(self, day: date, stored) -> None:
        """A day was opened (or re-read): show its live stream or its stored reflection."""
        self._day, self._stored = day, stored
        if self._child is not None and self._child_day == day:
            return  # the live text is already on show
        self.hint.hide()
        if stored is None:
            self.view.set_markdown_now("")
            self.caption.setText("")
            self.status.setText("")
        else:
            self.view.set_markdown_now(stored.content)
            self.caption.setText(self._caption(stored))
            self.status.setText("")
            if self._note_for is not None and self._note_for[0] == stored.id:
                self.hint.setText(self._note_for[1])
                self.hint.show()
        if self._child is not None and self._child_day is not None:
            self.status.setText(f"Wise is still writing the reflection for "
                                f"{long_day(self._child_day, year=False)}.")
        self._update_buttons()

    @staticmethod
    def _caption(stored) -> str:
        if not stored.model:
            return PLAIN_CAPTION
        version = f" v{stored.prompt_version}" if stored.prompt_version else ""
        return (f"Written by {stored.model} at {stored.created_at:%H:%M} "
                f"({stored.prompt_name or 'prompt'}{version}).")

    def _update_buttons(self) -> None:
        busy = self._child is not None
        self.reflect_button.setEnabled(not busy and self._day is not None)
        self.reflect_button.setText("&Regenerate" if self._stored is not None else "&Reflect")
        self.stop_button.setEnabled(busy and self._child_day == self._day)

    # -- streaming ---------------------------------------------------------------------

    def reflect(self) -> None:
        if self._child is not None or self._day is None:
            return
        day = self._day
        argv = [*self._wise_command(), "reflect", "--stream", "--date", day.isoformat(),
                "--words", "-"]
        child = WiseChild(argv, self._words_for_model().encode("utf-8"), self)
        child.line.connect(self._event)
        child.ended.connect(self._ended)
        self._child, self._child_day, self._child_text = child, day, ""
        # Regenerate keeps the reflection on screen (and its feedback with it) until the
        # new one starts to arrive; a stop or a failure before "done" brings it back.
        self._shown_before = (self.view.markdown_text(), self.caption.text())
        self._child_done = False
        self.status.setText("Wise is reading your day\u2026")
        self._update_buttons()
        self.busy_changed.emit(True)
        child.start()

    def stop(self) -> None:
        if self._child is not None:
            self.status.setText("Stopping\u2026")
            self._child.stop()

    def _on_show(self) -> bool:
        return self._child_day == self._day

    def _event(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "start" and self._on_show():
            model = event.get("model")
            self.status.setText(f"{model} is writing\u2026" if model else "Writing\u2026")
        elif kind == "delta":
            first = not self._child_text
            self._child_text += str(event.get("text", ""))
            if self._on_show():
                if first:
                    self.caption.setText("")
                    self.hint.hide()
                self.view.set_markdown_soon(self._child_text)
        elif kind == "done":
            self._child_done = True
            self._child_text = str(event.get("text") or self._child_text)
            self.hint.hide()
            if self._on_show():
                self.view.set_markdown_now(self._child_text)
                self.status.setText("")
                if event.get("model"):
                    self.caption.setText(f"Written by {event['model']} just now.")
                else:
                    self.caption.setText(PLAIN_CAPTION)
                    if event.get("note"):
                        self._note_for = (event.get("reflection_id"), str(event["note"]))
                        self.hint.setText(str(event["note"]))
                        self.hint.show()
            self.done.emit(self._child_day, event)
        elif kind == "error" and self._on_show():
            self.status.setText(self._problem(str(event.get("message") or "")))
        elif kind == "cancelled" and self._on_show():
            self.status.setText("Stopped.")

    def _ended(self, code: int, _stdout: str, stderr: str, stopped: bool) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.deleteLater()
        if self._on_show():
            if self._child_done or not self._shown_before[0]:
                self.view.set_markdown_now(self._child_text)
            else:  # nothing new was kept: the reflection that was there stays
                text, caption = self._shown_before
                self.view.set_markdown_now(text)
                self.caption.setText(caption)
            if stopped:
                self.status.setText("Stopped." + (
                    " The reflection that was there is kept." if self._shown_before[0]
                    else "" if self._child_text else " Nothing was written yet."))
            elif code != 0 and not self.status.text().startswith("The reflection"):
                self.status.setText(self._problem(last_words(stderr)))
        self._update_buttons()
        self.busy_changed.emit(False)

    @staticmethod
    def _problem(message: str) -> str:
        return (f"The reflection could not be made: {message}. Your words are safe; "
                "you can try again.")

    def wait(self, msecs: int = 30_000) -> bool:
        """Until the running child ended (shutdown and tests)."""
        return self._child is None or self._child.wait(msecs)

    # -- what was sent -------------------------------------------------------------------

    def show_what_was_sent(self) -> None:
        if self._day is None or self._sent_child is not None:
            return
        argv = [*self._wise_command(), "reflect", "--dry-run", "--json", "--date",
                self._day.isoformat(), "--words", "-"]
        child = WiseChild(argv, self._words_for_model().encode("utf-8"), self)
        child.ended.connect(self._sent_ready)
        self._sent_child = child
        self.sent_button.setEnabled(False)
        self.status.setText("Gathering exactly what would be sent\u2026")
        child.start()

    def _sent_ready(self, code: int, stdout: str, stderr: str, _stopped: bool) -> None:
        child, self._sent_child = self._sent_child, None
        if child is not None:
            child.deleteLater()
        self.sent_button.setEnabled(True)
        plan = parse_document(stdout) if code == 0 else None
        if plan is None:
            self.status.setText(f"Could not show what would be sent: {last_words(stderr)}.")
            return
        self.status.setText("")
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = SentDialog(plan, self.window())
        self.dialog.show()

    def _link_clicked(self, url: str) -> None:
        self.status.setText(f"Links are not opened from here. It points to: {url}")
