""""Your words": how the day went, what got in the way, mood and energy from 1 to 5."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.day_words import ENERGY_WORDS, MOOD_WORDS, words_for_model
from ui.reflection.style import choice_button_style, section_heading, status_label


@dataclass(frozen=True)
class Words:
    how_it_went: str = ""
    in_the_way: str = ""
    mood: int | None = None
    energy: int | None = None

    def is_empty(self) -> bool:
        return not (self.how_it_went.strip() or self.in_the_way.strip()
                    or self.mood or self.energy)

    def for_the_model(self) -> str:
        """The words as the reflection child reads them on stdin."""
        return words_for_model(self.how_it_went, self.in_the_way, self.mood, self.energy)


class ScaleButtons(QWidget):
    """Five checkable buttons for a 1-5 value; clicking the chosen one again clears it."""

    changed = Signal()

    def __init__(self, name: str, words: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name, self._words = name, words
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # exclusivity by hand, so a value can be cleared
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.buttons: list[QToolButton] = []
        for value in range(1, 6):
            button = QToolButton(self)
            button.setText(str(value))
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAccessibleName(f"{name} {value} of 5: {words[value - 1]}")
            button.setToolTip(f"{name} {value}: {words[value - 1]}")
            width = button.fontMetrics().horizontalAdvance("0") * 4
            button.setMinimumWidth(width)
            self.group.addButton(button, value)
            row.addWidget(button)
            self.buttons.append(button)
        self.meaning = QLabel(self)
        self.meaning.setMinimumWidth(self.meaning.fontMetrics().horizontalAdvance("very low  "))
        row.addSpacing(8)
        row.addWidget(self.meaning)
        row.addStretch(1)
        self.group.idClicked.connect(self._clicked)
        choice_button_style(self)
        self._show_meaning()

    def value(self) -> int | None:
        checked = self.group.checkedId()
        return checked if checked > 0 else None

    def set_value(self, value: int | None) -> None:
        for button_value, button in enumerate(self.buttons, start=1):
            button.setChecked(button_value == value)
        self._show_meaning()

    def _clicked(self, value: int) -> None:
        chosen = self.buttons[value - 1].isChecked()
        self.set_value(value if chosen else None)
        self.changed.emit()

    def _show_meaning(self) -> None:
        value = self.value()
        self.meaning.setText(self._words[value - 1] if value else "")
        self.setAccessibleName(f"{self._name}: {value} of 5" if value
                               else f"{self._name}: not set")


class WordsPane(QWidget):
    """Emits `edited` on every change the user makes (not when a day is loaded into it)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(section_heading("Your words", self))

        self.how = QPlainTextEdit(self)
        self.how.setAccessibleName("How the day went")
        self.how.setPlaceholderText("A few words are plenty. What happened, how did it feel?")
        self.how.setTabChangesFocus(True)
        how_label = QLabel("&How the day went", self)
        how_label.setBuddy(self.how)
        self.in_the_way = QPlainTextEdit(self)
        self.in_the_way.setAccessibleName("What got in the way")
        self.in_the_way.setPlaceholderText("Anything that made it harder (optional)")
        self.in_the_way.setTabChangesFocus(True)
        way_label = QLabel("What got in the &way", self)
        way_label.setBuddy(self.in_the_way)
        for editor in (self.how, self.in_the_way):
            lines = editor.fontMetrics().lineSpacing()
            editor.setMinimumHeight(lines * 3 + 12)
            editor.setMaximumHeight(lines * 4 + 12)
            editor.textChanged.connect(self._changed)

        self.mood = ScaleButtons("Mood", MOOD_WORDS, self)
        self.energy = ScaleButtons("Energy", ENERGY_WORDS, self)
        mood_label = QLabel("&Mood", self)
        mood_label.setBuddy(self.mood.buttons[0])
        energy_label = QLabel("&Energy", self)
        energy_label.setBuddy(self.energy.buttons[0])
        self.mood.changed.connect(self._changed)
        self.energy.changed.connect(self._changed)

        # One column of labels beside their fields: the words, the mood and the energy
        # line up, and the card stays short enough for the reflection below it.
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        top = Qt.AlignmentFlag.AlignTop
        editor_label_offset = self.how.frameWidth() + self.how.document().documentMargin()
        for row, (label, field) in enumerate(((how_label, self.how),
                                              (way_label, self.in_the_way),
                                              (mood_label, self.mood),
                                              (energy_label, self.energy))):
            if isinstance(field, QPlainTextEdit):
                # The label sits on the field's first line of text.
                label.setContentsMargins(0, int(editor_label_offset), 0, 0)
                grid.addWidget(label, row, 0, top)
            else:
                grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        self.status = status_label(self)
        self.status.setAccessibleName("Saving status")
        layout.addWidget(self.status)

    def words(self) -> Words:
        return Words(self.how.toPlainText(), self.in_the_way.toPlainText(),
                     self.mood.value(), self.energy.value())

    def set_words(self, words: Words) -> None:
        """Show a day's stored words without counting that as an edit."""
        self._loading = True
        try:
            if self.how.toPlainText() != words.how_it_went:
                self.how.setPlainText(words.how_it_went)
            if self.in_the_way.toPlainText() != words.in_the_way:
                self.in_the_way.setPlainText(words.in_the_way)
            self.mood.set_value(words.mood)
            self.energy.set_value(words.energy)
        finally:
            self._loading = False

    def _changed(self) -> None:
        if not self._loading:
            self.edited.emit()
