"""Week in review: steps done each day, stacked by goal, with a legend."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ui.charts._common import (
    SERIES_COLOURS,
    ChartBase,
    hatch,
    hatch_colour,
    nice_step,
    plural,
    short_day,
)


@dataclass(frozen=True)
class _Plot:
    left: float
    top: float
    width: float
    height: float
    top_value: int
    step: int
    legend_top: float

    @property
    def slot(self) -> float:
        return self.width / 7

    def y_for(self, value: float) -> float:
        return self.top + self.height * (1 - value / self.top_value)


def series_colour(index: int) -> QColor:
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]


def series_hatched(index: int) -> bool:
    """Every second series is hatched, so neighbours differ in more than colour."""
    return index % 2 == 1


class WeekBarsChart(ChartBase):
    """Seven days, one stacked bar each; one Okabe-Ito colour per goal."""

    empty_text = "No steps done this week yet"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[date] = []
        self._series: list[tuple[str, list[int]]] = []
        self.setAccessibleName("Steps done each day this week, by goal")
        self.setAccessibleDescription("No data yet.")

    def set_data(self, days: list[date], series: list[tuple[str, list[int]]]) -> None:
        days = list(days)
        if len(days) != 7:
            raise ValueError(f"The week chart needs 7 days, got {len(days)}.")
        cleaned: list[tuple[str, list[int]]] = []
        for title, counts in series:
            counts = [int(c) for c in counts]
            if len(counts) != 7 or any(c < 0 for c in counts):
                raise ValueError(f"{title!r} needs 7 counts of zero or more, got {counts}.")
            cleaned.append((title, counts))
        self._days, self._series = days, cleaned
        self.setAccessibleDescription(self._describe())
        self.updateGeometry()  # the legend may need another row
        self.update()

    def totals(self) -> list[int]:
        return [sum(counts[i] for _, counts in self._series) for i in range(len(self._days))]

    def _describe(self) -> str:
        span = f"{short_day(self._days[0])} to {short_day(self._days[-1])}"
        totals = self.totals()
        if sum(totals) == 0:
            return f"No steps done from {span}."
        parts = []
        for i, day in enumerate(self._days):
            if totals[i] == 0:
                parts.append(f"{day:%a} {day.day}: none")
                continue
            detail = ", ".join(f"{title} {counts[i]}" for title, counts in self._series
                               if counts[i])
            parts.append(f"{day:%a} {day.day}: {totals[i]} ({detail})")
        return (f"{plural(sum(totals), 'step')} done from {span}. "
                + "; ".join(parts) + ".")

    # -- geometry -----------------------------------------------------------------------

    def _swatch(self) -> float:
        return self.unit() * 0.9

    def _legend_indent(self) -> float:
        """The legend starts under the plot, not under the axis labels."""
        return self.fontMetrics().horizontalAdvance("00") + self.unit() * 0.6

    def _legend(self, width: float) -> tuple[list[tuple[QRectF, str]], float]:
        indent = self._legend_indent()
        items, height = self.legend_items([title for title, _ in self._series],
                                          width - indent, self._swatch())
        return [(rect.translated(indent, 0), text) for rect, text in items], height

    def _legend_height(self, width: float) -> float:
        return self._legend(width)[1]

    def sizeHint(self) -> QSize:
        unit = self.unit()
        width = unit * 28
        return QSize(math.ceil(width), math.ceil(unit * 12 + self._legend_height(width)))

    def minimumSizeHint(self) -> QSize:
        unit = self.unit()
        width = unit * 14
        return QSize(math.ceil(width), math.ceil(unit * 8 + self._legend_height(width)))

    def _plot(self) -> _Plot:
        unit = self.unit()
        metrics = self.fontMetrics()
        legend = self._legend_height(self.width())
        legend_top = self.height() - legend
        top = unit * 1.2  # room for the totals written over the bars
        bottom = legend_top - (unit * 1.9 if legend else unit * 1.4)  # day labels
        height = max(unit, bottom - top)
        busiest = max(self.totals(), default=0)
        step = nice_step(max(busiest, 1), max(1, min(5, int(height / (unit * 1.4)))))
        top_value = max(step, math.ceil(busiest / step) * step)
        gutter = metrics.horizontalAdvance(str(top_value)) + unit * 0.6
        return _Plot(left=gutter, top=top, width=max(unit, self.width() - gutter - unit * 0.3),
                     height=height, top_value=top_value, step=step, legend_top=legend_top)

    def _bar_width(self, plot: _Plot) -> float:
        return min(plot.slot * 0.62, self.unit() * 3)

    def _segments(self, plot: _Plot) -> list[tuple[QRectF, int, int]]:
        """Every drawn segment as (rect, series index, day index), bottom-up."""
        bar = self._bar_width(plot)
        segments = []
        for day in range(7):
            x = plot.left + day * plot.slot + (plot.slot - bar) / 2
            below = 0
            for index, (_, counts) in enumerate(self._series):
                if counts[day] == 0:
                    continue
                top, bottom = plot.y_for(below + counts[day]), plot.y_for(below)
                segments.append((QRectF(x, top, bar, bottom - top), index, day))
                below += counts[day]
        return segments

    # -- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = self.start_painter()
        try:
            if not self._days:
                self.paint_empty(painter, QRectF(self.rect()))
                return
            plot = self._plot()
            empty = sum(self.totals()) == 0
            self._paint_axes(painter, plot, baseline_only=empty)
            self.paint_day_labels(painter, self._days, plot.left, plot.slot,
                                  plot.top + plot.height + self.unit() * 0.3)
            if empty:
                self.paint_empty(painter, QRectF(plot.left, plot.top, plot.width, plot.height))
                return
            self._paint_bars(painter, plot)
            self._paint_legend(painter, plot)
        finally:
            painter.end()

    def _paint_axes(self, painter: QPainter, plot: _Plot, *, baseline_only: bool) -> None:
        unit = self.unit()
        right = plot.left + plot.width
        # An empty week gets no scale: ticks for nothing would only suggest a zero.
        for value in range(0, 1 if baseline_only else plot.top_value + 1, plot.step):
            y = round(plot.y_for(value)) + 0.5  # on the pixel grid: crisp one-pixel lines
            painter.setPen(QPen(self.axis_colour() if value == 0 else self.grid_colour(), 1))
            painter.drawLine(QPointF(plot.left, y), QPointF(right, y))
            if not baseline_only:
                painter.setPen(self.muted_colour())
                painter.drawText(QRectF(0, y - unit / 2, plot.left - unit * 0.4, unit),
                                 int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                                 str(value))

    def _paint_bars(self, painter: QPainter, plot: _Plot) -> None:
        unit = self.unit()
        separator = QPen(self.background_colour(), max(1.0, unit / 10))
        segments = self._segments(plot)
        for rect, index, _ in segments:
            self._fill(painter, rect, index)
        # Thin lines in the background colour between stacked segments keep two similar
        # colours from running into one block.
        painter.setPen(separator)
        for rect, _, day in segments:
            if rect.top() > plot.y_for(self.totals()[day]) + 0.5:
                painter.drawLine(rect.topLeft(), rect.topRight())
        painter.setPen(self.text_colour())
        for day, total in enumerate(self.totals()):
            if total:
                x = plot.left + day * plot.slot
                painter.drawText(QRectF(x, plot.y_for(total) - unit * 1.1, plot.slot, unit),
                                 int(Qt.AlignmentFlag.AlignCenter), str(total))

    def _fill(self, painter: QPainter, rect: QRectF, index: int) -> None:
        colour = series_colour(index)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRect(rect)
        if series_hatched(index):
            hatch(painter, rect, hatch_colour(colour), self.unit() * 0.4)

    def _paint_legend(self, painter: QPainter, plot: _Plot) -> None:
        unit, swatch = self.unit(), self._swatch()
        items, _ = self._legend(self.width())
        for index, (rect, text) in enumerate(items):
            rect = rect.translated(0, plot.legend_top)
            box = QRectF(rect.left(), rect.top() + (unit - swatch) / 2, swatch, swatch)
            self._fill(painter, box, index)
            painter.setPen(self.text_colour())
            painter.drawText(rect.adjusted(swatch + unit * 0.4, 0, 0, 0),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)

    # -- tooltips -----------------------------------------------------------------------

    def tooltip_at(self, pos: QPoint | QPointF) -> str | None:
        """The goal and count under `pos` (a bar segment or a legend entry)."""
        if not self._days or sum(self.totals()) == 0:
            return None
        pos = QPointF(pos)
        plot = self._plot()
        for rect, index, day in self._segments(plot):
            if rect.contains(pos):
                title, counts = self._series[index]
                return f"{title}: {plural(counts[day], 'step')} on {short_day(self._days[day])}"
        items, _ = self._legend(self.width())
        for index, (rect, _) in enumerate(items):
            if rect.translated(0, plot.legend_top).contains(pos):
                title, counts = self._series[index]
                return f"{title}: {plural(sum(counts), 'step')} this week"
        return None
