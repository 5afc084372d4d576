"""The review window's small dialogs: a new goal, editing a remembered text, and the
confirmations (kind words for retiring; plain ones for deleting). All open window-modal
and never block the event loop (`open()`, not `exec()`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.vocabulary import CADENCE_PER_WEEK
from ui.review.look import label

MAX_CADENCE = CADENCE_PER_WEEK[1]  # the journal's limit (goals.cadence_per_week)

RETIRE_TITLE = "Retire this goal?"
RETIRE_TEXT = ("Letting go of a goal you no longer want is a good decision. It stays in "
               "your journal, with its why and everything you did for it, and you can bring "
               "it back whenever you like.")


def cadence_box(parent: QWidget | None = None) -> QSpinBox:
    """Times a week, 0 shown as "no rhythm"."""
    box = QSpinBox(parent)
    box.setRange(0, MAX_CADENCE)
    box.setSpecialValueText("no rhythm")
    box.setSuffix(" × a week")
    box.setAccessibleName("Rhythm: times a week")
    box.setToolTip("How many times a week you would like to touch this goal. "
                   "0 means no rhythm: it moves when it moves.")
    return box


class GoalDialog(QDialog):
    """Title, why and rhythm of a new goal; `on_accept(title, why, cadence|None)`."""

    def __init__(self, parent: QWidget, on_accept: Callable[[str, str, int | None], None],
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New goal")
        self.setObjectName("goalDialog")
        self._on_accept = on_accept
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(label("A new goal", "sectionTitle"))
        layout.addWidget(label("What do you want, and why does it matter to you? The why "
                               "is what keeps a goal alive.", "caption", wrap=True))
        form = QFormLayout()
        form.setSpacing(8)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("e.g. Run a 5k")
        self.title_edit.setAccessibleName("Goal title")
        self.why_edit = QPlainTextEdit()
        self.why_edit.setPlaceholderText("In your own words, e.g. I want to feel strong "
                                         "and clear-headed again")
        self.why_edit.setAccessibleName("Why it matters")
        self.why_edit.setTabChangesFocus(True)
        self.why_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 16)
        self.cadence = cadence_box()
        form.addRow("Goal", self.title_edit)
        form.addRow("Why", self.why_edit)
        form.addRow("Rhythm", self.cadence)
        layout.addLayout(form)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add goal")
        # Shown when the goal is there already: open it instead of adding a copy.
        self.open_button = buttons.addButton("Open it",
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()
        self.open_button.clicked.connect(self._open_existing)
        self._open: Callable[[], None] | None = None
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(460, self.sizeHint().width()), self.sizeHint().height())

    def accept(self) -> None:
        title = self.title_edit.text().strip()
        if not title:
            self.error.setText("Give the goal a name first (a few words are enough).")
            self.error.show()
            self.title_edit.setFocus()
            return
        cadence = self.cadence.value() or None
        # The dialog stays, with what was typed, until the goal is saved (saved()) or
        # refused (refused()).
        self.ok_button.setEnabled(False)
        self.error.hide()
        self._on_accept(title, self.why_edit.toPlainText().strip(), cadence)

    def saved(self) -> None:
        super().accept()

    def refused(self, message: str, *, open_existing: Callable[[], None] | None = None,
                open_label: str = "Open it") -> None:
        """Not added: say why beside the fields, keep every word typed; `open_existing`
        offers the goal there is already."""
        self.ok_button.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        self._open = open_existing
        self.open_button.setText(open_label)
        self.open_button.setVisible(open_existing is not None)

    def _open_existing(self) -> None:
        if self._open is not None:
            opening, self._open = self._open, None
            QDialog.done(self, QDialog.DialogCode.Accepted)
            opening()


class TextDialog(QDialog):
    """Edit one remembered text; `on_accept(text)` with the new text (never empty)."""

    def __init__(self, parent: QWidget, *, title: str, intro: str, text: str,
                 on_accept: Callable[[str], None], allow_empty: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("textDialog")
        self._on_accept = on_accept
        self._allow_empty = allow_empty
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(label(title, "sectionTitle"))
        layout.addWidget(label(intro, "caption", wrap=True))
        self.editor = QPlainTextEdit(text)
        self.editor.setAccessibleName(title)
        self.editor.setTabChangesFocus(True)
        layout.addWidget(self.editor, 1)
        self.error = label("", "error", wrap=True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def accept(self) -> None:
        text = self.editor.toPlainText().strip()
        if not text and not self._allow_empty:
            self.error.setText("There is nothing left to keep. To forget it, use Delete.")
            self.error.show()
            return
        super().accept()
        self._on_accept(text)


def confirm(parent: QWidget, *, title: str, text: str, details: str, yes: str,
            on_yes: Callable[[], None], no: str = "Not now",
            icon: QMessageBox.Icon = QMessageBox.Icon.Question) -> QMessageBox:
    """A window-modal question (`text`, then `details`); `on_yes()` runs only when the
    user chose `yes`; the safe answer is the default."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(details)
    box.setObjectName("confirmation")
    box.setWindowModality(Qt.WindowModality.WindowModal)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.setEscapeButton(no_button)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered() -> None:
        if box.clickedButton() is yes_button:
            on_yes()

    box.finished.connect(answered)
    box.open()
    return box


def confirm_retire(parent: QWidget, goal_title: str, on_yes: Callable[[], None]) -> QMessageBox:
    return confirm(parent, title=RETIRE_TITLE, text=f"Retire “{goal_title}”?",
                   details=RETIRE_TEXT, yes="Retire it", no="Keep it", on_yes=on_yes,
                   icon=QMessageBox.Icon.Information)
