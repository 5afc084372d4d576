"""Mood and energy through the week: two lines on a 1-5 scale, broken where a day has none."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ui.charts._common import OKABE_ITO, ChartBase, number, short_day
from ui.palette import is_dark

_TICKS = {5: "high 5", 4: "4", 3: "3", 2: "2", 1: "low 1"}


@dataclass(frozen=True)
class _Plot:
    left: float
    top: float
    width: float
    height: float
    legend_top: float

    @property
    def slot(self) -> float:
        return self.width / 7

    def x_for(self, day: int) -> float:
        return self.left + (day + 0.5) * self.slot

    def y_for(self, value: float) -> float:
        return self.top + self.height * (5 - value) / 4


class MoodEnergyChart(ChartBase):
    """Mood: a solid line with circles. Energy: a dashed line with squares."""

    empty_text = "No mood or energy noted this week yet"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._days: list[date] = []
        self._mood: list[float | None] = []
        self._energy: list[float | None] = []
        self.setAccessibleName("Mood and energy this week")
        self.setAccessibleDescription("No data yet.")

    def set_data(self, days: list[date], mood: list[float | None],
                 energy: list[float | None]) -> None:
        days, mood, energy = list(days), list(mood), list(energy)
        if not (len(days) == len(mood) == len(energy) == 7):
            raise ValueError("Mood and energy need 7 days and 7 values each "
                             f"(got {len(days)}, {len(mood)}, {len(energy)}).")
        for value in (*mood, *energy):
            if value is not None and not 1 <= value <= 5:
                raise ValueError(f"Mood and energy are 1 to 5, not {value}.")
        self._days, self._mood, self._energy = days, mood, energy
        self.setAccessibleDescription(self._describe())
        self.update()

    def has_values(self) -> bool:
        return any(v is not None for v in (*self._mood, *self._energy))

    def _describe(self) -> str:
        span = f"{short_day(self._days[0])} to {short_day(self._days[-1])}"
        if not self.has_values():
            return f"No mood or energy noted from {span}."
        parts = []
        for day, mood, energy in zip(self._days, self._mood, self._energy, strict=True):
            said = [f"{name} {number(v)}" for name, v in (("mood", mood), ("energy", energy))
                    if v is not None]
            parts.append(f"{day:%a} {day.day}: {', '.join(said) if said else 'not noted'}")
        return f"Mood and energy from 1 (low) to 5 (high), {span}. " + "; ".join(parts) + "."

    # -- colours and geometry -------------------------------------------------------------

    def colours(self) -> tuple[QColor, QColor]:
        """(mood, energy): Okabe-Ito, the lighter pair on dark themes for contrast."""
        if is_dark(self.palette()):
            return OKABE_ITO["sky_blue"], OKABE_ITO["orange"]
        return OKABE_ITO["blue"], OKABE_ITO["vermillion"]

    def sizeHint(self) -> QSize:
        unit = self.unit()
        return QSize(math.ceil(unit * 28), math.ceil(unit * 11))

    def minimumSizeHint(self) -> QSize:
        unit = self.unit()
        return QSize(math.ceil(unit * 14), math.ceil(unit * 8.5))

    def _plot(self) -> _Plot:
        unit = self.unit()
        metrics = self.fontMetrics()
        gutter = max(metrics.horizontalAdvance(t) for t in _TICKS.values()) + unit * 0.6
        legend_top = self.height() - unit
        top = unit * 0.7  # half a marker and half a label above the 5 line
        bottom = legend_top - unit * 1.9  # day labels
        return _Plot(left=gutter, top=top, width=max(unit, self.width() - gutter - unit * 0.3),
                     height=max(unit, bottom - top), legend_top=legend_top)

    # -- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = self.start_painter()
        try:
            if not self._days:
                self.paint_empty(painter, QRectF(self.rect()))
                return
            plot = self._plot()
            self._paint_axes(painter, plot, baseline_only=not self.has_values())
            self.paint_day_labels(painter, self._days, plot.left, plot.slot,
                                  plot.top + plot.height + self.unit() * 0.4)
            if not self.has_values():
                self.paint_empty(painter, QRectF(plot.left, plot.top, plot.width, plot.height))
                return
            mood_colour, energy_colour = self.colours()
            # Energy first: where both are equal, the round mood marker sits inside the
            # larger square, and both stay visible.
            self._paint_series(painter, plot, self._energy, energy_colour, dashed=True)
            self._paint_series(painter, plot, self._mood, mood_colour, dashed=False)
            self._paint_legend(painter, plot)
        finally:
            painter.end()

    def _paint_axes(self, painter: QPainter, plot: _Plot, *, baseline_only: bool) -> None:
        unit = self.unit()
        right = plot.left + plot.width
        # A short chart labels every other line, so the labels never touch.
        crowded = plot.height / 4 < unit * 1.05
        for value, text in _TICKS.items():
            if baseline_only and value != 1:
                continue  # an empty week: the empty-state words, not lines through them
            y = round(plot.y_for(value)) + 0.5
            painter.setPen(QPen(self.axis_colour() if value == 1 else self.grid_colour(), 1))
            painter.drawLine(QPointF(plot.left, y), QPointF(right, y))
            if crowded and value % 2 == 0:
                continue
            painter.setPen(self.muted_colour())
            painter.drawText(QRectF(0, y - unit / 2, plot.left - unit * 0.4, unit),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)

    def _line_pen(self, colour: QColor, dashed: bool) -> QPen:
        pen = QPen(colour, max(2.0, self.unit() / 7))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if dashed else Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if dashed:
            pen.setDashPattern([3.0, 2.0])  # in pen widths, so it scales with the line
        return pen

    def _paint_series(self, painter: QPainter, plot: _Plot, values: list[float | None],
                      colour: QColor, *, dashed: bool) -> None:
        # One sub-path per run of days with a value: a day without one breaks the line
        # rather than inventing a value for it.
        path = QPainterPath()
        previous = None
        for day, value in enumerate(values):
            if value is None:
                previous = None
                continue
            point = QPointF(plot.x_for(day), plot.y_for(value))
            if previous is None:
                path.moveTo(point)
            else:
                path.lineTo(point)
            previous = point
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self._line_pen(colour, dashed))
        painter.drawPath(path)
        for day, value in enumerate(values):
            if value is not None:
                self._marker(painter, QPointF(plot.x_for(day), plot.y_for(value)), colour,
                             square=dashed)

    def _marker(self, painter: QPainter, centre: QPointF, colour: QColor, *, square: bool) -> None:
        unit = self.unit()
        # A ring of the background colour parts the marker from the lines crossing it.
        painter.setPen(QPen(self.background_colour(), max(1.0, unit / 12)))
        painter.setBrush(colour)
        if square:
            half = unit * 0.32
            painter.drawRect(QRectF(centre.x() - half, centre.y() - half, 2 * half, 2 * half))
        else:
            radius = unit * 0.3
            painter.drawEllipse(centre, radius, radius)

    def _paint_legend(self, painter: QPainter, plot: _Plot) -> None:
        unit = self.unit()
        metrics = self.fontMetrics()
        mood_colour, energy_colour = self.colours()
        sample = unit * 1.6
        needed = (2 * (sample + unit * 0.4) + unit * 1.2
                  + metrics.horizontalAdvance("Mood") + metrics.horizontalAdvance("Energy"))
        # Under the plot when it fits there, else from the left edge.
        x = plot.left if plot.left + needed <= self.width() else 0.0
        y = plot.legend_top + unit / 2
        for text, colour, dashed in (("Mood", mood_colour, False), ("Energy", energy_colour, True)):
            painter.setPen(self._line_pen(colour, dashed))
            painter.drawLine(QPointF(x, y), QPointF(x + sample, y))
            self._marker(painter, QPointF(x + sample / 2, y), colour, square=dashed)
            painter.setPen(self.text_colour())
            label_x = x + sample + unit * 0.4
            painter.drawText(QRectF(label_x, plot.legend_top, metrics.horizontalAdvance(text) + 1,
                                    unit),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            x = label_x + metrics.horizontalAdvance(text) + unit * 1.2

    def tooltip_at(self, pos: QPoint | QPointF) -> str | None:
        """The day under `pos` with its mood and energy."""
        if not self._days or not self.has_values():
            return None
        plot = self._plot()
        pos = QPointF(pos)
        if not (plot.left <= pos.x() < plot.left + plot.width
                and plot.top - self.unit() <= pos.y() <= plot.top + plot.height + self.unit()):
            return None
        day = int((pos.x() - plot.left) // plot.slot)
        said = [f"{name} {number(v)}" for name, v in (("mood", self._mood[day]),
                                                      ("energy", self._energy[day]))
                if v is not None]
        return f"{short_day(self._days[day])}: {', '.join(said) if said else 'not noted'}"
