"""A read-only view of model text: Markdown shown as rich text, never as active HTML.

Model output is data. Raw HTML in it is shown as the characters it is (the Markdown
importer runs with HTML switched off), and links are never followed: a click only says
where the link would go.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, QTimer, QUrl, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

RENDER_EVERY_MS = 50  # at most ~20 re-renders a second while text streams in
_SINGLE_BREAK = re.compile(r"(?<=[^\n])\n(?=[^\n])")
FEATURES = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub
            | QTextDocument.MarkdownFeature.MarkdownNoHTML)


def as_markdown(text: str) -> str:
    """A single line break is meant as one (the plain reflection is one line per point);
    Markdown would run such lines together into one paragraph."""
    return _SINGLE_BREAK.sub("  \n", text)


class MarkdownView(QTextBrowser):
    link_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.anchorClicked.connect(self._anchor_clicked)
        self._markdown = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_EVERY_MS)
        self._timer.timeout.connect(self._render)
        self.renders = 0  # how often the text was laid out (the throttle's effect)

    def sizeHint(self) -> QSize:
        # It asks for no more than its minimum: the window hands it whatever height is left
        # (the layout stretches it), so the controls around it always fit.
        hint = super().sizeHint()
        return QSize(hint.width(), max(self.minimumHeight(), self.minimumSizeHint().height()))

    def markdown_text(self) -> str:
        return self._markdown

    def set_markdown_now(self, text: str) -> None:
        self._markdown = text
        self._timer.stop()
        self._render()

    def set_markdown_soon(self, text: str) -> None:
        """While streaming: the newest text is shown within RENDER_EVERY_MS."""
        self._markdown = text
        if not self._timer.isActive():
            self._timer.start()

    def _render(self) -> None:
        bar = self.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 4  # keep the newest words in view
        self.document().setMarkdown(as_markdown(self._markdown), FEATURES)
        self.renders += 1
        if following:
            bar.setValue(bar.maximum())

    def _anchor_clicked(self, url: QUrl) -> None:
        # Never followed: the window says where the link goes, and the user decides.
        self.link_clicked.emit(url.toString())
