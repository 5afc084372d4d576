"""A sync conflict shown where its text lives: the day's words in the reflection window, a
goal's why in goal review. The same text was changed on two devices apart, so both
versions were kept: the card says so, shows the other version with which device wrote it
and when (the version kept for now is the one in the text field above it), and lets the
user keep this one, keep the other, or merge the two by editing. The window answers
through app.sync.conflicts, as `wise sync resolve` does; nothing is dropped before then.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.palette import PaletteStyle, Tokens, button_rules, named

OTHER_LINES = (1, 5)  # lines of the other version in view (fewest, most; more scroll)
MERGE_LINES = (4, 10)  # and of the merge being edited


def when_words(moment: datetime | None, now: datetime | None = None) -> str:
    """'today at 14:02', 'yesterday at 09:15', 'on 3 Dec at 18:40' ('' when unknown)."""
    if moment is None:
        return ""
    from app.daytime import local_now  # the one clock (WISE_CLOCK_SHIFT moves it too)

    today = (now or local_now()).date()
    if moment.date() == today:
        return f"today at {moment:%H:%M}"
    if moment.date() == today - timedelta(days=1):
        return f"yesterday at {moment:%H:%M}"
    year = "" if moment.year == today.year else f" {moment.year}"
    return f"on {moment.day} {moment:%b}{year} at {moment:%H:%M}"


def _from(device: str, moment: datetime | None) -> str:
    when = when_words(moment)
    return f"{device}, {when}" if when else device


class FittedText(QPlainTextEdit):
    """A text box as tall as its text, between `lines` (fewest, most) lines: a short
    version takes one line, a long one scrolls."""

    def __init__(self, lines: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = lines
        self.textChanged.connect(self.fit)

    def set_lines(self, lines: tuple[int, int]) -> None:
        self.lines = lines
        self.fit()

    def fit(self) -> None:
        # The plain-text layout measures its document in lines, wrapped at this width.
        count = int(self.document().size().height()) or 1
        fewest, most = self.lines
        shown = max(fewest, min(most, count))
        margins = self.contentsMargins().top() + self.contentsMargins().bottom()
        height = (shown * self.fontMetrics().lineSpacing() + margins
                  + int(2 * self.document().documentMargin()) + 2)
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


class ConflictCard(QFrame):
    """One conflict. `answered(id, keep, text)`: keep is "current", "other" or "merged"
    (then `text` is the merged text, else None)."""

    answered = Signal(int, str, object)

    def __init__(self, conflict, current_text: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictCard")
        self.conflict = conflict
        self._current_text = current_text
        self.merging = False
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 10)
        box.setSpacing(6)
        deleted = conflict.current is None
        self.title = named(QLabel(f"{conflict.label}: deleted on another device, edited on one"
                                  if deleted else f"{conflict.label}: changed on two devices"),
                           "conflictTitle")
        self.title.setWordWrap(True)
        kept_from = _from(conflict.current_device, conflict.current_at)
        other_from = _from(conflict.other_device, conflict.other_at)
        kept = ("It is deleted for now." if deleted
                else f"Above is the version kept for now ({kept_from}).")
        self._explained = (f"{kept} The other version ({other_from}) is below. Both are "
                           "kept until you choose.")
        self.explain = named(QLabel(self._explained), "conflictCaption")
        self.explain.setWordWrap(True)
        self.other = FittedText(OTHER_LINES, self)
        self.other.setObjectName("conflictOther")
        self.other.setPlainText(conflict.other)
        self.other.setReadOnly(True)
        self.other.setAccessibleName(f"The other version of {conflict.label.lower()}")
        self.other.setTabChangesFocus(True)
        self.status = named(QLabel(""), "conflictProblem")
        self.status.setWordWrap(True)
        self.status.hide()
        box.addWidget(self.title)
        box.addWidget(self.explain)
        box.addWidget(self.other)
        box.addWidget(self.status)
        box.addLayout(self._buttons(deleted))

    def _buttons(self, deleted: bool) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        name = self.conflict.label.lower()
        self.keep_current = self._button("Keep this one" if not deleted else "Leave it deleted",
                                         f"Keep {name} as it is above; the other version is "
                                         "set aside on every device")
        self.keep_other = self._button("Keep the other", f"Put the other version of {name} "
                                                          "in place of the one above")
        self.keep_other.setEnabled(not deleted)
        self.merge = self._button("Merge…", "Edit the two into one text, here")
        self.save_merged = self._button("Save the merged text", "This text replaces both "
                                                                "versions on every device",
                                        primary=True)
        self.cancel_merge = self._button("Cancel", "Back to the two versions as they were")
        self.merge.setEnabled(not deleted)
        self.keep_current.clicked.connect(lambda: self._answer("current"))
        self.keep_other.clicked.connect(lambda: self._answer("other"))
        self.merge.clicked.connect(self.start_merge)
        self.save_merged.clicked.connect(lambda: self._answer("merged"))
        self.cancel_merge.clicked.connect(self.stop_merge)
        for button in (self.keep_current, self.keep_other, self.merge, self.save_merged,
                       self.cancel_merge):
            row.addWidget(button)
        row.addStretch(1)
        self.save_merged.hide()
        self.cancel_merge.hide()
        return row

    def _button(self, text: str, tip: str, *, primary: bool = False) -> QPushButton:
        button = named(QPushButton(text, self), "primary" if primary else "secondary")
        button.setToolTip(tip)
        button.setAccessibleName(f"{text.rstrip('…')}: {self.conflict.label.lower()}")
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def start_merge(self) -> None:
        """The other version becomes editable, holding both texts, this one first."""
        self.merging = True
        current = (self._current_text() or self.conflict.current or "").rstrip()
        self.other.setReadOnly(False)
        self.other.setPlainText(f"{current}\n\n{self.conflict.other.strip()}" if current
                                else self.conflict.other)
        self.other.set_lines(MERGE_LINES)
        self.other.setAccessibleName(f"{self.conflict.label}, merged")
        self.explain.setText("Edit the two versions into one; saving puts it in place of "
                             "both, on every device.")
        for button in (self.keep_current, self.keep_other, self.merge):
            button.hide()
        self.save_merged.show()
        self.cancel_merge.show()
        self.other.setFocus()

    def stop_merge(self) -> None:
        self.merging = False
        self.other.setPlainText(self.conflict.other)
        self.other.setReadOnly(True)
        self.other.set_lines(OTHER_LINES)
        self.explain.setText(self._explained)
        for button in (self.keep_current, self.keep_other, self.merge):
            button.show()
        self.save_merged.hide()
        self.cancel_merge.hide()

    def set_busy(self, busy: bool) -> None:
        for button in (self.keep_current, self.keep_other, self.merge, self.save_merged,
                       self.cancel_merge):
            button.setEnabled(not busy and not (self.conflict.current is None
                                                and button in (self.keep_other, self.merge)))

    def show_problem(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _answer(self, keep: str) -> None:
        self.show_problem("")
        self.answered.emit(self.conflict.id, keep,
                           self.other.toPlainText() if keep == "merged" else None)


class ConflictsBox(QWidget):
    """The open conflicts of one window's texts, one card each; hidden when there are
    none. `current_text(field)` is what the window's field holds now (a merge starts from
    it, unsaved typing included)."""

    answered = Signal(int, str, object)

    def __init__(self, current_text: Callable[[str], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflicts")
        self._current_text = current_text
        self.cards: list[ConflictCard] = []
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(8)
        self._palette_style = PaletteStyle(self, stylesheet)
        self._palette_style.restyle()
        self.hide()

    def show_conflicts(self, conflicts: list) -> None:
        """Show these (an empty list hides the box). A card whose conflict is unchanged
        stays as it is, and so does one being merged while its conflict is open: a
        reload never throws away what the user is typing there."""
        wanted = {conflict.id: conflict for conflict in conflicts}
        kept: dict[int, ConflictCard] = {}
        for card in self.cards:
            conflict = wanted.get(card.conflict.id)
            if conflict is not None and (card.merging or conflict == card.conflict):
                kept[conflict.id] = card
            else:
                self._box.removeWidget(card)
                card.deleteLater()
        self.cards = []
        for conflict in conflicts:
            found = kept.get(conflict.id)
            if found is None:
                card = ConflictCard(conflict, partial(self._current_text, conflict.field), self)
                card.answered.connect(self.answered)
                self._box.addWidget(card)
                card.show()
            else:
                card = found
            self.cards.append(card)
        self.setVisible(bool(self.cards))

    def bring_into_view(self) -> None:
        """Scroll the window's page so the first card shows (the tray sent the user here)."""
        from PySide6.QtWidgets import QScrollArea

        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None and self.cards:
            # Centred as far as it fits: the text it speaks of ("above") shows too.
            card = self.cards[0]
            room = area.viewport().height() - card.sizeHint().height()
            area.ensureWidgetVisible(card, 0, max(24, room // 2))

    def card(self, conflict_id: int) -> ConflictCard | None:
        return next((c for c in self.cards if c.conflict.id == conflict_id), None)


def stylesheet(palette: QPalette) -> str:
    """A conflict stands out as a note (the warning shades), its other version as paper."""
    t = Tokens(palette)
    return f"""
        #conflictCard {{ background: {t.warn_bg}; border: 1px solid {t.warn_border};
                         border-radius: 8px; }}
        #conflictTitle {{ color: {t.text}; font-weight: 600; }}
        #conflictCaption {{ color: {t.text}; }}
        #conflictProblem {{ color: {t.error}; }}
        QPlainTextEdit#conflictOther {{ background: {t.card}; color: {t.text};
                                        border: 1px solid {t.border}; border-radius: 4px; }}
    """ + button_rules(t)


def reveal_when_shown(shown: SignalInstance, box: ConflictsBox, which: object) -> None:
    """Once `shown` says the conflicts of `which` (a day, a goal id) are on screen, bring
    `box`'s first card into view, once."""
    def reveal(value: object) -> None:
        if value == which:
            shown.disconnect(reveal)
            QTimer.singleShot(0, box.bring_into_view)  # after the new cards are laid out

    shown.connect(reveal)
