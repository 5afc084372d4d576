"""What the three charts share: colours, the empty state, sizes from the font, words for dates.

Every size is a multiple of the font's line height, so the charts grow with the user's
font and screen scale (4K, HiDPI) and stay legible on small screens. Colours for text and
axes come from the widget's palette, so a light and a dark theme both read well; data
colours are Okabe-Ito, which people with the common colour-vision deficiencies tell apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ui.palette import mix

# Okabe & Ito (2008), "Color Universal Design". Black is left out: it vanishes on dark themes.
OKABE_ITO = {
    "blue": QColor("#0072B2"),
    "orange": QColor("#E69F00"),
    "bluish_green": QColor("#009E73"),
    "reddish_purple": QColor("#CC79A7"),
    "sky_blue": QColor("#56B4E9"),
    "vermillion": QColor("#D55E00"),
    "yellow": QColor("#F0E442"),
}
# Neighbours in this order differ in lightness as well as hue, so stacked segments part.
SERIES_COLOURS = [OKABE_ITO[name] for name in (
    "blue", "orange", "bluish_green", "reddish_purple", "sky_blue", "vermillion", "yellow",
)]




def luminance(colour: QColor) -> float:
    return 0.2126 * colour.redF() + 0.7152 * colour.greenF() + 0.0722 * colour.blueF()


def short_day(day: date) -> str:
    """'Tue 3 Nov': English names on purpose, like the rest of Wise's words."""
    return f"{day:%a} {day.day} {day:%b}"


def number(value: float) -> str:
    """3.0 -> '3', 3.25 -> '3.3': what a person would say."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


_DAY_FORMATS: list[Callable[[date], str]] = [
    lambda d: f"{d:%a} {d.day}",
    lambda d: f"{d:%a}",
    lambda d: f"{d:%a}"[0],
]


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def nice_step(top: int, max_ticks: int = 5) -> int:
    """The smallest 1-2-5 step that labels 0..top in at most `max_ticks` steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if top <= step * max_ticks:
                return step
        magnitude *= 10


def hatch(painter: QPainter, rect: QRectF, colour: QColor, spacing: float) -> None:
    """Diagonal lines over `rect`: the second cue, so colour is never the only one.

    Drawn as lines (not Qt's fixed 8-pixel pattern brushes) so the hatch scales with the
    font on HiDPI screens like everything else.
    """
    painter.save()
    path = QPainterPath()
    path.addRect(rect)
    painter.setClipPath(path, Qt.ClipOperation.IntersectClip)
    pen = QPen(colour, max(1.0, spacing / 4))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    x = rect.left() - rect.height()
    while x < rect.right():
        painter.drawLine(QPointF(x, rect.bottom()), QPointF(x + rect.height(), rect.top()))
        x += spacing
    painter.restore()


def hatch_colour(fill: QColor) -> QColor:
    """Hatch lines that show on the fill: dark on light colours, light on dark ones."""
    return QColor(0, 0, 0, 120) if luminance(fill) > 0.45 else QColor(255, 255, 255, 150)


class ChartBase(QWidget):
    """A chart widget: draws only in paintEvent (no flicker), says its data in words."""

    empty_text = "Nothing here yet"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # The chart paints its own background (none: it sits on its parent), every pixel
        # of it in one pass, so resizing and new data never show a half-drawn frame.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def tooltip_at(self, pos: QPoint | QPointF) -> str | None:
        """The words for what is under `pos`; None where there is nothing to say."""
        return None

    def event(self, event: QEvent) -> bool:
        # Tooltips are asked for, not set: the text depends on where the pointer rests.
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # -- colours from the palette -----------------------------------------------------

    def text_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def muted_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.PlaceholderText)

    def background_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Window)

    def grid_colour(self) -> QColor:
        return mix(self.text_colour(), self.background_colour(), 0.14)

    def axis_colour(self) -> QColor:
        return mix(self.text_colour(), self.background_colour(), 0.45)

    # -- sizes from the font ----------------------------------------------------------

    def unit(self) -> float:
        """One line of text: the ruler every size in the chart is measured with."""
        return float(self.fontMetrics().height())

    # -- the empty state --------------------------------------------------------------

    def paint_empty(self, painter: QPainter, rect: QRectF, text: str | None = None) -> None:
        painter.setPen(self.muted_colour())
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
            text or self.empty_text,
        )

    def start_painter(self) -> QPainter:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(self.font())
        return painter

    # -- pieces the bar and line charts share -------------------------------------------

    def legend_items(self, titles: list[str], width: float, swatch: float
                     ) -> tuple[list[tuple[QRectF, str]], float]:
        """Legend entries flowed into rows under the plot: (rect, elided title), height.

        A long goal title is elided at the end, never allowed to push the others out;
        the full titles are in the tooltips and the accessible description.
        """
        metrics = self.fontMetrics()
        unit = self.unit()
        limit = max(unit * 3, min(metrics.averageCharWidth() * 24.0, width - swatch - unit))
        items: list[tuple[QRectF, str]] = []
        x = y = 0.0
        for title in titles:
            text = metrics.elidedText(title, Qt.TextElideMode.ElideRight, int(limit))
            item_width = swatch + unit * 0.4 + metrics.horizontalAdvance(text)
            if x > 0 and x + item_width > width:
                x, y = 0.0, y + unit * 1.3
            items.append((QRectF(x, y, item_width, unit), text))
            x += item_width + unit * 1.1
        height = (y + unit) if items else 0.0
        return items, height

    def day_format(self, days: list[date], room: float) -> Callable[[date], str]:
        """'Mon 23', or less of it when not every day's label fits in `room` pixels.

        One format for the whole axis: a row mixing 'Tue 24' with 'Wed' reads as a mistake.
        """
        metrics = self.fontMetrics()
        for fmt in _DAY_FORMATS:
            if all(metrics.horizontalAdvance(fmt(d)) <= room for d in days):
                return fmt
        return _DAY_FORMATS[-1]

    def paint_day_labels(self, painter: QPainter, days: list[date], left: float, slot: float,
                         top: float) -> None:
        painter.setPen(self.text_colour())
        fmt = self.day_format(days, slot - self.unit() * 0.2)
        for i, day in enumerate(days):
            rect = QRectF(left + i * slot, top, slot, self.unit())
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), fmt(day))
