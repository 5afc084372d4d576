""""Feedback": was the reflection helpful? Stored against it and its prompt version."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.reflection.style import choice_button_style, status_label, sub_heading

NOTE_DELAY_MS = 800


class FeedbackPane(QWidget):
    """Emits `rated(reflection_id, rating, note)` when the user gives or changes feedback."""

    rated = Signal(int, int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reflection_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()  # the question, the answers and the note on one line
        row.setSpacing(8)
        row.addWidget(sub_heading("Did this help?", self))
        row.addSpacing(4)
        self.helpful = QPushButton("He&lpful", self)
        self.helpful.setAccessibleName("This reflection was helpful")
        self.not_quite = QPushButton("Not &quite", self)
        self.not_quite.setAccessibleName("This reflection was not quite right")
        for button, rating in ((self.helpful, 1), (self.not_quite, -1)):
            button.setCheckable(True)
            button.setObjectName("choice")
            button.clicked.connect(lambda _checked, r=rating: self._choose(r))
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("What would make it better? (optional)")
        self.note.setAccessibleName("Feedback note")
        self.note.setClearButtonEnabled(True)
        note_label = QLabel("N&ote", self)
        note_label.setBuddy(self.note)
        row.addWidget(self.helpful)
        row.addWidget(self.not_quite)
        row.addSpacing(8)
        row.addWidget(note_label)
        row.addWidget(self.note, 1)
        layout.addLayout(row)
        self.status = status_label(self)
        self.status.setAccessibleName("Feedback status")
        layout.addWidget(self.status)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_DELAY_MS)
        self._note_timer.timeout.connect(self._send)
        self.note.textEdited.connect(lambda _text: self._note_timer.start())
        self.note.editingFinished.connect(self.flush)
        choice_button_style(self)
        self.show_for(None, None, None)

    def rating(self) -> int | None:
        if self.helpful.isChecked():
            return 1
        return -1 if self.not_quite.isChecked() else None

    def show_for(self, reflection_id: int | None, rating: int | None,
                 note: str | None) -> None:
        self._note_timer.stop()
        self._reflection_id = reflection_id
        self.helpful.setChecked(rating == 1)
        self.not_quite.setChecked(rating == -1)
        self.note.setText(note or "")
        enabled = reflection_id is not None
        for widget in (self.helpful, self.not_quite, self.note):
            widget.setEnabled(enabled)
        self.status.setText("" if enabled else
                            "Once there is a reflection, you can say whether it helped.")

    def flush(self) -> None:
        if self._note_timer.isActive():
            self._note_timer.stop()
            self._send()

    def _choose(self, rating: int) -> None:
        chosen = self.helpful if rating == 1 else self.not_quite
        other = self.not_quite if rating == 1 else self.helpful
        if chosen.isChecked():
            other.setChecked(False)
            self._send()
        else:
            chosen.setChecked(True)  # feedback can be changed, not taken back to nothing

    def _send(self) -> None:
        rating = self.rating()
        if self._reflection_id is None or rating is None:
            return
        self.rated.emit(self._reflection_id, rating, self.note.text().strip())

    def show_saved(self) -> None:
        self.status.setText("Thank you \u2014 Wise will take this into account.")

    def show_failed(self, message: str) -> None:
        self.status.setText(f"Your feedback could not be saved: {message}")
