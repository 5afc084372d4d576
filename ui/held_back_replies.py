"""A quiet place to see the model replies Wise held back: a link in Settings' model
section ("Replies Wise held back (3)", hidden when there are none) that opens a small
read-only list, each reply with the reason it was held back and what the model said.
Never the companion's words: the window says so."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.llm.held_back import HeldBackReply
from ui.palette import named

LINK_WORDS = "Replies Wise held back ({count})"
TITLE = "Replies Wise held back"
EXPLAIN = ("The model wrote these, and Wise did not show them as its own words: each one "
           "failed a check (below). You got the plain answer from your data instead. "
           "They are kept here only so you can see what the model said.")


def when_words(at: datetime | None, now: datetime | None = None) -> str:
    if at is None:
        return "some time ago"
    now = now or datetime.now()
    if at.date() == now.date():
        return f"today {at:%H:%M}"
    return f"{at:%a %d %b %Y, %H:%M}"


class HeldBackLink(QPushButton):
    """The link. `load` reads the kept replies (a small local file); `refresh()` counts
    them again (Settings calls it each time it is shown)."""

    def __init__(self, load: Callable[[], Sequence[HeldBackReply]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load = load
        self.replies: list[HeldBackReply] = []
        self.dialog: HeldBackDialog | None = None
        self.setObjectName("heldBackLink")
        self.setFlat(True)
        # Its own look (a quiet link), so the window's stylesheet need not know it.
        self.setStyleSheet("QPushButton#heldBackLink { border: none; background: transparent;"
                           " color: palette(link); text-align: left; padding: 2px 0; }"
                           "QPushButton#heldBackLink:hover { text-decoration: underline; }")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("What the model said in replies that did not pass Wise's checks")
        self.clicked.connect(self.open)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.replies = list(self._load())
        except OSError:
            self.replies = []
        self.setText(LINK_WORDS.format(count=len(self.replies)))
        self.setAccessibleName(self.text())
        self.setVisible(bool(self.replies))

    def open(self) -> HeldBackDialog:
        if self.dialog is None:
            self.dialog = HeldBackDialog(self.window())
        self.dialog.show_replies(self.replies)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog


class HeldBackDialog(QDialog):
    """The read-only list: one line per reply (when, what for, which model); below, the
    selected one's reason and its text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("heldBackDialog")
        self.resize(560, 520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        explain = named(QLabel(EXPLAIN), "caption")
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.list = QListWidget()
        self.list.setAccessibleName("Held-back replies")
        self.list.currentRowChanged.connect(self._show)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("What the model said")
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.setSpacing(6)
        lower_layout.addWidget(self.reason)
        lower_layout.addWidget(self.text, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.list)
        split.addWidget(lower)
        split.setSizes([150, 330])
        layout.addWidget(split, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._replies: list[HeldBackReply] = []

    def show_replies(self, replies: Sequence[HeldBackReply]) -> None:
        self._replies = list(replies)
        self.list.clear()
        for reply in self._replies:
            item = QListWidgetItem(f"{when_words(reply.at)} · {reply.purpose} · {reply.model}")
            item.setToolTip(reply.reason)
            self.list.addItem(item)
        if self._replies:
            self.list.setCurrentRow(0)
        else:
            self._show(-1)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._replies):
            self.reason.setText("Nothing is held back.")
            self.text.setPlainText("")
            return
        reply = self._replies[row]
        detail = f" ({reply.detail})" if reply.detail else ""
        self.reason.setText(f"Held back: {reply.reason}{detail}")
        self.text.setPlainText(reply.text)
