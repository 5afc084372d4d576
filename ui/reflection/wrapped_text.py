"""The user's own text in a narrow pane: wrapped anywhere (an address with no spaces too, so
nothing is ever wider than the pane), aligned the way the line reads (right for Arabic or
Hebrew), and cut to a few lines with "…" until the user asks for all of it."""

from __future__ import annotations

from math import ceil
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QWidget

from ui.bidi import reads_right_to_left

MIN_WIDTH_CHARS = 8  # the narrowest it asks for: the pane decides the width, not the text


class Laid(NamedTuple):
    layout: QTextLayout
    shown: int  # lines on show
    clipped: bool  # more text than lines on show
    height: int


class WrappedText(QLabel):
    """Plain text laid out by its own width. A QLabel still, so `text()`, screen readers and
    the palette work as for any label; `clipped_changed(bool)` says whether lines are cut
    (the owner shows a "Show all" button then)."""

    clipped_changed = Signal(bool)

    def __init__(self, text: str, parent: QWidget | None = None, *, max_lines: int = 3,
                 right_to_left: bool | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # journal text is never markup
        self._max_lines = max_lines
        self._expanded = False
        self._clipped = False
        self._laid: tuple[tuple, Laid] | None = None
        self._right_to_left = right_to_left
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._laid = None
        rtl = reads_right_to_left(text) if self._right_to_left is None else self._right_to_left
        self._option = QTextOption()
        self._option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self._option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl
                                      else Qt.LayoutDirection.LeftToRight)
        self._option.setAlignment(Qt.AlignmentFlag.AlignAbsolute
                                  | (Qt.AlignmentFlag.AlignRight if rtl
                                     else Qt.AlignmentFlag.AlignLeft))
        self.updateGeometry()
        self.update()

    def reads_right_to_left(self) -> bool:
        return self._option.textDirection() == Qt.LayoutDirection.RightToLeft

    # -- showing all of it -------------------------------------------------------------

    def is_clipped(self) -> bool:
        return self._clipped

    def is_expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        self._expanded = expanded
        self._laid = None
        self.updateGeometry()
        self.update()
        self._check_clipped()

    # -- layout ------------------------------------------------------------------------

    def _layout(self, width: int) -> Laid:
        """The text laid out at `width`. Only the lines shown (and one more, to know) are
        laid out: a long note costs the same as a short one until it is expanded."""
        width = max(width, 1)
        key = (width, self._expanded, self.font().key())
        if self._laid is not None and self._laid[0] == key:
            return self._laid[1]
        # Qt lays out one paragraph; a line separator keeps the user's own line breaks.
        layout = QTextLayout(self.text().replace("\n", "\u2028"), self.font())
        layout.setTextOption(self._option)
        limit = None if self._expanded else self._max_lines
        bottoms: list[float] = []  # where each line ends (a script's own font can be taller)
        layout.beginLayout()
        while limit is None or len(bottoms) <= limit:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, bottoms[-1] if bottoms else 0.0))
            bottoms.append(line.y() + line.height())
        layout.endLayout()
        clipped = limit is not None and len(bottoms) > limit
        shown = min(len(bottoms), limit) if limit is not None else len(bottoms)
        height = ceil(bottoms[shown - 1]) if shown else self.fontMetrics().lineSpacing()
        laid = Laid(layout, shown, clipped, height)
        self._laid = (key, laid)
        return laid

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._layout(width).height

    def sizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * 40
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * MIN_WIDTH_CHARS,
                     self.fontMetrics().lineSpacing())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._check_clipped()

    def _check_clipped(self) -> None:
        clipped = self._layout(self.width()).clipped
        if clipped != self._clipped:
            self._clipped = clipped
            self.clipped_changed.emit(clipped)

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        laid = self._layout(self.width())
        layout, shown, clipped = laid.layout, laid.shown, laid.clipped
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        metrics = self.fontMetrics()
        last = shown - 1 if clipped else shown
        for index in range(last):
            layout.lineAt(index).draw(painter, QPointF(0, 0))
        if clipped and shown > 0:
            # The last line shown says there is more: the rest of the text, cut with "…".
            line = layout.lineAt(shown - 1)
            rest = " ".join(self.text()[line.textStart():].split())
            cut = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, self.width())
            box = QRectF(0, line.y(), self.width(), line.height())
            flags = self._option.alignment() | Qt.AlignmentFlag.AlignVCenter
            if self.reads_right_to_left():
                painter.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
            painter.drawText(box, int(flags), cut)
        painter.end()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.addAction("Copy text", lambda: QGuiApplication.clipboard().setText(self.text()))
        menu.exec(event.globalPos())
