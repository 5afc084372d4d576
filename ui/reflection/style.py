"""Small, palette-aware building blocks so every part of the window looks the same.

No colours are hard-coded: headings, hints and cards take their colours from the system
palette, so light and dark themes both look right.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget


def section_heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def sub_heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    return label


class HintLabel(QLabel):
    """Quiet text in the palette's placeholder colour; takes no room while it is empty."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


def hint_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = HintLabel(parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setText(text)
    return label


def status_label(parent: QWidget | None = None, *, lines: int = 1) -> QLabel:
    """A hint that keeps its room (`lines` of it) while empty: "Saved" or "Thank you"
    appearing under the pointer must not move the controls around it."""
    label = hint_label("", parent)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    label.setMinimumHeight(label.fontMetrics().lineSpacing() * lines)
    return label


# Checked choices (mood, energy, feedback) in the palette's highlight, so the choice is
# plain to see in light and dark themes alike; `palette(...)` follows the system theme.
CHOICE_STYLE = """
QToolButton, QPushButton#choice {
    border: 1px solid palette(mid); border-radius: 5px; padding: 3px 10px;
    background: palette(button); color: palette(button-text);
}
QToolButton:hover, QPushButton#choice:hover { border-color: palette(highlight); }
QToolButton:focus, QPushButton#choice:focus { border: 2px solid palette(highlight); }
QToolButton:checked, QPushButton#choice:checked {
    background: palette(highlight); color: palette(highlighted-text);
    border-color: palette(highlight);
}
QToolButton:disabled, QPushButton#choice:disabled { color: palette(mid); }
"""


def choice_button_style(widget: QWidget) -> None:
    widget.setStyleSheet(CHOICE_STYLE)


class ColumnScroll(QScrollArea):
    """A column that scrolls up and down only: never narrower than what it holds needs
    (fields would be cut at the side), and it says so again whenever that changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        return QSize(inner.minimumSizeHint().width() + 2 * self.frameWidth()
                     + self.verticalScrollBar().sizeHint().width(), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # e.g. "Reflect" became the wider "Regenerate"
        return super().eventFilter(watched, event)


class Card(QFrame):
    """A softly framed section with generous padding (the window's own colour, so text
    fields and the reflection stand out as paper in light and dark themes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFrameShadow(QFrame.Shadow.Plain)
        self.body = QVBoxLayout(self)
        spacing = self.fontMetrics().height()
        self.body.setContentsMargins(spacing, spacing, spacing, spacing)
        self.body.setSpacing(spacing // 2)
