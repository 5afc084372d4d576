"""A goal's last 12 weeks at a glance: one square per journal day, darker for more steps
done, or for more minutes given (focus sessions), as the user chooses."""

from __future__ import annotations

import math
from datetime import date, timedelta

from PySide6.QtCore import QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ui.charts._common import OKABE_ITO, ChartBase, plural, short_day
from ui.palette import is_dark, mix

WEEKS = 12
DAYS = WEEKS * 7
LEVELS = 4  # shades above "none": enough to tell apart, few enough to name
_ROW_LABELS = {0: "Mon", 2: "Wed", 4: "Fri"}
STEPS, MINUTES = "steps", "minutes"  # what a square counts
FULL_MINUTES = 60  # an hour given in a day is the darkest square (until a busier day)


def level(count: int, busiest: int) -> int:
    """0 for no steps, else 1..LEVELS.

    Absolute for small counts (1, 2, 3, 4+ steps are four shades, so two goals' cards
    compare at a glance), relative once a busy journal goes past four a day.
    """
    if count <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(count * LEVELS / max(LEVELS, busiest))))


def minutes_level(minutes: int, busiest: int) -> int:
    """0 for no time, else 1..LEVELS: quarters of an hour (so cards compare at a glance),
    relative once a day went past an hour."""
    if minutes <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(minutes * LEVELS / max(FULL_MINUTES, busiest))))


def minutes_words(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


class HeatmapChart(ChartBase):
    """84 journal days, Monday-first columns of weeks, oldest on the left."""

    empty_text = "Nothing here yet: steps you finish will show up day by day"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: list[int] = []
        self._start: date | None = None
        self._today: date | None = None
        self.measure = STEPS  # what a square counts: STEPS or MINUTES
        self.setMouseTracking(False)
        self.setAccessibleName("Steps done, last 12 weeks")
        self.setAccessibleDescription("No data yet.")

    # -- data ---------------------------------------------------------------------------

    def set_data(self, counts: list[int], start: date, today: date, unit: str = STEPS) -> None:
        """`counts`: steps done per day, or minutes given per day for unit MINUTES."""
        counts = list(counts)
        if unit not in (STEPS, MINUTES):
            raise ValueError(f"The heatmap counts steps or minutes, not {unit!r}.")
        if len(counts) != DAYS:
            raise ValueError(f"The heatmap needs {DAYS} days of counts, got {len(counts)}.")
        if any(c < 0 for c in counts):
            raise ValueError("A day cannot have fewer than zero steps done.")
        if start.weekday() != 0:
            raise ValueError(f"The heatmap starts on a Monday, not on a {start:%A}.")
        self._counts, self._start, self._today, self.measure = counts, start, today, unit
        self.setAccessibleName("Time given, last 12 weeks" if unit == MINUTES
                               else "Steps done, last 12 weeks")
        self.setAccessibleDescription(self._describe())
        self.update()

    def _amount(self, value: int) -> str:
        """One day's value in words: "3 steps done", "25 min given"."""
        if self.measure == MINUTES:
            return f"{minutes_words(value)} given" if value else "no time given"
        return plural(value, "step") + " done" if value else "no steps done"

    def _level(self, value: int, busiest: int) -> int:
        return minutes_level(value, busiest) if self.measure == MINUTES else level(value, busiest)

    def day_at(self, index: int) -> date:
        assert self._start is not None
        return self._start + timedelta(days=index)

    def _describe(self) -> str:
        assert self._start is not None
        first, last = short_day(self._start), short_day(self.day_at(DAYS - 1))
        total = sum(self._counts)
        if self.measure == MINUTES:
            return self._describe_minutes(first, last, total)
        if total == 0:
            return f"No steps done in the 12 weeks from {first} to {last}."
        active = sum(1 for c in self._counts if c)
        busiest = max(range(DAYS), key=lambda i: (self._counts[i], i))
        weekly = [sum(self._counts[w * 7:(w + 1) * 7]) for w in range(WEEKS)]
        return (
            f"{plural(total, 'step')} done on {plural(active, 'day')} in the 12 weeks "
            f"from {first} to {last}. Busiest day: {short_day(self.day_at(busiest))}, "
            f"{plural(self._counts[busiest], 'step')}. "
            f"Steps per week, oldest first: {', '.join(map(str, weekly))}."
        )

    def _describe_minutes(self, first: str, last: str, total: int) -> str:
        if total == 0:
            return f"No time given in the 12 weeks from {first} to {last}."
        active = sum(1 for c in self._counts if c)
        busiest = max(range(DAYS), key=lambda i: (self._counts[i], i))
        weekly = [minutes_words(sum(self._counts[w * 7:(w + 1) * 7])) for w in range(WEEKS)]
        return (f"{minutes_words(total)} given on {plural(active, 'day')} in the 12 weeks "
                f"from {first} to {last}. Busiest day: {short_day(self.day_at(busiest))}, "
                f"{minutes_words(self._counts[busiest])}. "
                f"Time per week, oldest first: {', '.join(weekly)}.")

    def tooltip_at(self, pos: QPoint | QPointF) -> str | None:
        """What the cell under `pos` holds, in words; None off the grid or in the future."""
        if not self._counts:
            return None
        layout = self._layout()
        index = self._cell_index(layout, QPointF(pos))
        if index is None:
            return None
        day = self.day_at(index)
        if self._today is not None and day > self._today:
            return None
        suffix = " (today)" if day == self._today else ""
        return f"{short_day(day)}{suffix}: {self._amount(self._counts[index])}"

    # -- geometry -----------------------------------------------------------------------

    def _gutter(self) -> float:
        metrics = self.fontMetrics()
        return max(metrics.horizontalAdvance(t) for t in _ROW_LABELS.values()) + self.unit() * 0.4

    def _legend_width(self, pitch: float) -> float:
        metrics = self.fontMetrics()
        unit = self.unit()
        return (metrics.horizontalAdvance("Less") + metrics.horizontalAdvance("More")
                + (LEVELS + 1) * pitch + unit * 0.6)

    def sizeHint(self) -> QSize:
        return self._size_for_pitch(self.unit() * 1.15)

    def minimumSizeHint(self) -> QSize:
        return self._size_for_pitch(self.unit() * 0.75)

    def _size_for_pitch(self, pitch: float) -> QSize:
        unit = self.unit()
        width = self._gutter() + max(WEEKS * pitch, self._legend_width(pitch))
        height = unit * 1.2 + 7 * pitch + unit * 1.5
        return QSize(math.ceil(width), math.ceil(height))

    def _layout(self) -> dict[str, float]:
        unit = self.unit()
        gutter = self._gutter()
        top = unit * 1.2  # month labels
        legend = unit * 1.5
        pitch = min(
            (self.width() - gutter - 1) / WEEKS,
            (self.height() - top - legend - 1) / 7,
            unit * 1.8,  # beyond this a big window gives the squares no more meaning
        )
        pitch = max(pitch, 4.0)
        return {"left": gutter, "top": top, "pitch": pitch, "gap": max(1.0, pitch * 0.16)}

    @staticmethod
    def _cell_rect(layout: dict[str, float], index: int) -> QRectF:
        week, weekday = divmod(index, 7)
        pitch, gap = layout["pitch"], layout["gap"]
        return QRectF(layout["left"] + week * pitch, layout["top"] + weekday * pitch,
                      pitch - gap, pitch - gap)

    def _cell_index(self, layout: dict[str, float], pos: QPointF) -> int | None:
        pitch = layout["pitch"]
        week = math.floor((pos.x() - layout["left"]) / pitch)
        weekday = math.floor((pos.y() - layout["top"]) / pitch)
        if not (0 <= week < WEEKS and 0 <= weekday < 7):
            return None
        index = week * 7 + weekday
        return index if self._cell_rect(layout, index).contains(pos) else None

    # -- painting -----------------------------------------------------------------------

    def shade(self, lvl: int) -> QColor:
        """The fill for a level: one hue, stronger for more; level 0 a faint empty square."""
        background = self.background_colour()
        if lvl == 0:
            return mix(self.text_colour(), background, 0.09)
        green = OKABE_ITO["bluish_green"]
        if is_dark(self.palette()):
            # On a dark window dim greens sink into the background: the steps climb past
            # the pure hue towards a lighter green instead, so "more" is brighter.
            return (mix(green, background, 0.42), mix(green, background, 0.7), green,
                    mix(QColor("#ffffff"), green, 0.38))[lvl - 1]
        return mix(green, background, (0.3, 0.53, 0.77, 1.0)[lvl - 1])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = self.start_painter()
        try:
            if not self._counts:
                self.paint_empty(painter, QRectF(self.rect()))
                return
            layout = self._layout()
            self._paint_labels(painter, layout)
            self._paint_cells(painter, layout)
            self._paint_legend(painter, layout)
        finally:
            painter.end()

    def _paint_labels(self, painter, layout: dict[str, float]) -> None:
        metrics = self.fontMetrics()
        pitch, gap = layout["pitch"], layout["gap"]
        painter.setPen(self.muted_colour())
        for weekday, text in _ROW_LABELS.items():
            rect = QRectF(0, layout["top"] + weekday * pitch, layout["left"] - self.unit() * 0.3,
                          pitch - gap)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             text)
        # A month's name sits over the first week that starts in it; a name that would
        # collide with the previous one is left out (the next week has it anyway).
        painter.setPen(self.text_colour())
        previous_month, free_from = None, 0.0
        for week in range(WEEKS):
            monday = self.day_at(week * 7)
            if monday.month == previous_month:
                continue
            previous_month = monday.month
            text = f"{monday:%b}"
            x = layout["left"] + week * pitch
            width = metrics.horizontalAdvance(text)
            if x < free_from or x + width > self.width():
                continue
            painter.drawText(QRectF(x, 0, width + 1, layout["top"]),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            free_from = x + width + self.unit() * 0.5

    def _paint_cells(self, painter, layout: dict[str, float]) -> None:
        busiest = max(self._counts)
        radius = layout["pitch"] * 0.15
        painter.setPen(Qt.PenStyle.NoPen)
        for index, count in enumerate(self._counts):
            day = self.day_at(index)
            if self._today is not None and day > self._today:
                continue  # days to come: left blank, the week simply isn't over
            painter.setBrush(self.shade(self._level(count, busiest)))
            painter.drawRoundedRect(self._cell_rect(layout, index), radius, radius)
        today, start = self._today, self._start
        if today is not None and start is not None and start <= today <= self.day_at(DAYS - 1):
            width = max(1.5, layout["pitch"] * 0.12)
            rect = self._cell_rect(layout, (today - start).days)
            inset = width / 2
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self.text_colour(), width))
            painter.drawRoundedRect(rect.adjusted(-inset, -inset, inset, inset), radius, radius)

    def _paint_legend(self, painter, layout: dict[str, float]) -> None:
        metrics = self.fontMetrics()
        unit, pitch, gap = self.unit(), layout["pitch"], layout["gap"]
        y = layout["top"] + 7 * pitch + unit * 0.3
        grid_right = layout["left"] + WEEKS * pitch - gap
        row = QRectF(0, y, self.width(), unit)
        painter.setPen(self.muted_colour())
        if sum(self._counts) == 0:
            empty = ("No time given in these 12 weeks yet" if self.measure == MINUTES
                     else "No steps done in these 12 weeks yet")
            text = metrics.elidedText(empty,
                                      Qt.TextElideMode.ElideRight, int(self.width()))
            painter.drawText(row, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             text)
            return
        # "Less ▢▢▢▢▢ More", right-aligned under the grid like a ruler's scale.
        box = min(pitch - gap, unit * 0.9)
        right = max(grid_right, self._legend_width(pitch) + 1)
        x = right - metrics.horizontalAdvance("More")
        painter.drawText(QRectF(x, y, metrics.horizontalAdvance("More") + 1, unit),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), "More")
        x -= unit * 0.3
        painter.setPen(Qt.PenStyle.NoPen)
        for lvl in range(LEVELS, -1, -1):
            x -= box + gap
            painter.setBrush(self.shade(lvl))
            painter.drawRoundedRect(QRectF(x, y + (unit - box) / 2, box, box),
                                    box * 0.15, box * 0.15)
        x -= unit * 0.3
        painter.setPen(self.muted_colour())
        less = metrics.horizontalAdvance("Less")
        painter.drawText(QRectF(x - less, y, less + 1, unit),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), "Less")
