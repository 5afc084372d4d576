"""The review charts: drawn offscreen and read back pixel by pixel, in light and dark."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF
from PySide6.QtGui import QColor, QFont, QHelpEvent, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from ui.charts import HeatmapChart, MoodEnergyChart, WeekBarsChart
from ui.charts._common import OKABE_ITO, SERIES_COLOURS, nice_step
from ui.charts.heatmap import level

TODAY = date(2026, 11, 26)  # a Thursday
MONDAY = TODAY - timedelta(days=TODAY.weekday())
START = MONDAY - timedelta(weeks=11)
WEEK = [MONDAY + timedelta(days=i) for i in range(7)]
LIGHT_BG, DARK_BG = QColor("#f4f4f4"), QColor("#202326")
PLACEHOLDER = QColor("#c000c0")  # a colour nothing else in a chart uses


def palette(dark: bool) -> QPalette:
    p = QPalette()
    window, text = (DARK_BG, QColor("#f2f2f2")) if dark else (LIGHT_BG, QColor("#141414"))
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        p.setColor(role, window)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        p.setColor(role, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, PLACEHOLDER)
    return p


def render(qtbot, chart, *, dark: bool = False, size=None) -> QImage:
    qtbot.add_widget(chart)
    chart.setPalette(palette(dark))
    chart.resize(size or chart.sizeHint())
    return chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def colours(image: QImage) -> Counter:
    """How many pixels of each (r, g, b) the image has."""
    raw = bytes(image.constBits())
    stride, width = image.bytesPerLine(), image.width()
    found: Counter = Counter()
    for y in range(image.height()):
        row = raw[y * stride:y * stride + width * 4]
        # Format_RGB32 is 0xffRRGGBB: B, G, R, A in memory on little-endian machines.
        found.update(zip(row[2::4], row[1::4], row[0::4], strict=True))
    return found


def near(found: Counter, colour: QColor, tolerance: int = 6) -> int:
    """Pixels within `tolerance` of `colour` on every channel."""
    r, g, b = colour.red(), colour.green(), colour.blue()
    return sum(n for (pr, pg, pb), n in found.items()
               if max(abs(pr - r), abs(pg - g), abs(pb - b)) <= tolerance)


def not_background(found: Counter, background: QColor) -> int:
    return sum(found.values()) - near(found, background, 2)


def seeded_heatmap() -> list[int]:
    counts = [0] * 84
    for i in range(0, 81, 3):  # through today (index 80), never into the days to come
        counts[i] = (i // 3) % 6
    return counts


SERIES = [
    ("Write the novel", [1, 0, 2, 1, 0, 0, 0]),
    ("Run three times a week, come rain or shine, all year round", [1, 1, 0, 2, 0, 0, 0]),
    ("Learn Spanish", [0, 2, 1, 0, 1, 0, 0]),
    ("Other", [2, 0, 0, 1, 0, 0, 0]),
]
MOOD = [4, 3.5, None, 2, 3, None, None]
ENERGY = [3, 3, 4, None, 2, None, None]


# -- the heatmap ----------------------------------------------------------------------------


def test_heatmap_draws_cells_in_steps_of_one_green(qtbot):
    chart = HeatmapChart()
    chart.set_data(seeded_heatmap(), START, TODAY)
    found = colours(render(qtbot, chart))
    assert not_background(found, LIGHT_BG) > 2000
    # The busiest days get the pure Okabe-Ito green, lighter days a paler shade of it.
    assert near(found, OKABE_ITO["bluish_green"], 2) > 100
    for lvl in (1, 2, 3):
        assert near(found, chart.shade(lvl), 2) > 30, f"level {lvl} missing"


def test_heatmap_levels_are_absolute_for_small_counts_and_relative_for_big_ones():
    assert [level(c, 4) for c in range(5)] == [0, 1, 2, 3, 4]
    assert [level(c, 2) for c in (1, 2)] == [1, 2]
    assert [level(c, 20) for c in (1, 5, 10, 20)] == [1, 1, 2, 4]


def test_heatmap_tooltips_say_the_day_and_its_count(qtbot):
    counts = [0] * 84
    counts[78] = 2  # Tue 24 Nov
    counts[80] = 1  # today
    chart = HeatmapChart()
    chart.set_data(counts, START, TODAY)
    render(qtbot, chart)
    layout = chart._layout()

    def centre(index: int) -> QPointF:
        return chart._cell_rect(layout, index).center()

    assert chart.tooltip_at(centre(78)) == "Tue 24 Nov: 2 steps done"
    assert chart.tooltip_at(centre(80)) == "Thu 26 Nov (today): 1 step done"
    assert chart.tooltip_at(centre(0)) == "Mon 7 Sep: no steps done"
    assert chart.tooltip_at(centre(81)) is None  # tomorrow has nothing to say yet
    assert chart.tooltip_at(QPointF(1, 1)) is None  # the month labels' corner

    # Through Qt's own tooltip event, as a resting mouse would ask for it.
    chart.show()
    qtbot.wait_exposed(chart)
    pos = centre(78).toPoint()
    QApplication.sendEvent(chart, QHelpEvent(QEvent.Type.ToolTip, pos, chart.mapToGlobal(pos)))
    qtbot.wait_until(lambda: QToolTip.text() == "Tue 24 Nov: 2 steps done")
    QToolTip.hideText()


def test_heatmap_says_its_data_in_words(qtbot):
    chart = HeatmapChart()
    assert chart.accessibleName()
    chart.set_data(seeded_heatmap(), START, TODAY)
    words = chart.accessibleDescription()
    total = sum(seeded_heatmap())
    assert f"{total} steps done" in words
    assert "Mon 7 Sep" in words and "Sun 29 Nov" in words
    weekly = [sum(seeded_heatmap()[w * 7:(w + 1) * 7]) for w in range(12)]
    assert ", ".join(map(str, weekly)) in words


def test_empty_heatmap_shows_the_grid_and_says_so_without_colour(qtbot):
    chart = HeatmapChart()
    chart.set_data([0] * 84, START, TODAY)
    found = colours(render(qtbot, chart))
    green = OKABE_ITO["bluish_green"]
    assert near(found, green, 40) == 0
    assert near(found, PLACEHOLDER, 30) > 20  # "No steps done in these 12 weeks yet"
    assert chart.accessibleDescription().startswith("No steps done")


def test_heatmap_refuses_the_wrong_shape_of_data(qtbot):
    chart = HeatmapChart()
    qtbot.add_widget(chart)
    with pytest.raises(ValueError, match="84 days"):
        chart.set_data([1] * 83, START, TODAY)
    with pytest.raises(ValueError, match="Monday"):
        chart.set_data([1] * 84, START + timedelta(days=1), TODAY)


# -- the week's bars ------------------------------------------------------------------------


def test_week_bars_use_one_okabe_ito_colour_per_goal(qtbot):
    chart = WeekBarsChart()
    chart.set_data(WEEK, SERIES)
    found = colours(render(qtbot, chart))
    assert not_background(found, LIGHT_BG) > 3000
    for index in range(len(SERIES)):
        assert near(found, SERIES_COLOURS[index], 3) > 40, f"series {index} not drawn"
    assert near(found, SERIES_COLOURS[len(SERIES)], 3) == 0  # no fifth goal, no fifth colour


def test_every_second_series_is_hatched_so_colour_is_not_the_only_cue(qtbot):
    chart = WeekBarsChart()
    chart.set_data(WEEK, SERIES)
    image = render(qtbot, chart)
    segments = {index: rect for rect, index, day in chart._segments(chart._plot()) if day == 0}

    def distinct(index: int) -> int:
        rect = segments[index].adjusted(2, 2, -2, -2).toRect()
        return len(colours(image.copy(rect)))

    assert distinct(0) <= 2  # plain fill
    assert distinct(1) > 4  # fill with diagonal lines across it


def test_week_bars_describe_each_day_with_its_numbers(qtbot):
    chart = WeekBarsChart()
    chart.set_data(WEEK, SERIES)
    words = chart.accessibleDescription()
    assert words.startswith("15 steps done from Mon 23 Nov to Sun 29 Nov.")
    assert "Mon 23: 4 (Write the novel 1, " in words
    assert "Sat 28: none" in words
    segment = next(rect for rect, index, day in chart._segments(chart._plot())
                   if index == 2 and day == 1)
    assert chart.tooltip_at(segment.center()) == "Learn Spanish: 2 steps on Tue 24 Nov"


def test_week_bars_empty_state_has_words_and_no_bars(qtbot):
    chart = WeekBarsChart()
    chart.set_data(WEEK, [("Write the novel", [0] * 7)])
    found = colours(render(qtbot, chart))
    assert near(found, PLACEHOLDER, 30) > 20
    for colour in SERIES_COLOURS:
        assert near(found, colour, 30) == 0
    assert chart.accessibleDescription() == "No steps done from Mon 23 Nov to Sun 29 Nov."


def test_week_bars_without_any_data_say_nothing_here_yet(qtbot):
    chart = WeekBarsChart()
    found = colours(render(qtbot, chart))
    assert near(found, PLACEHOLDER, 30) > 20


def test_long_goal_titles_are_elided_in_the_legend(qtbot):
    chart = WeekBarsChart()
    chart.set_data(WEEK, SERIES)
    render(qtbot, chart)
    items, _ = chart._legend(chart.width())
    texts = [text for _, text in items]
    assert texts[0] == "Write the novel"
    assert texts[1].endswith("…") and len(texts[1]) < len(SERIES[1][0])
    assert all(rect.right() <= chart.width() for rect, _ in items)


# -- mood and energy ------------------------------------------------------------------------


def test_mood_and_energy_draw_two_okabe_ito_lines(qtbot):
    chart = MoodEnergyChart()
    chart.set_data(WEEK, MOOD, ENERGY)
    found = colours(render(qtbot, chart))
    assert not_background(found, LIGHT_BG) > 2000
    assert near(found, OKABE_ITO["blue"], 3) > 60
    assert near(found, OKABE_ITO["vermillion"], 3) > 60


def test_a_day_without_mood_breaks_the_line(qtbot):
    chart = MoodEnergyChart()
    chart.set_data(WEEK, [3, None, 3, 3, None, None, None], [None] * 7)
    image = render(qtbot, chart)
    plot = chart._plot()
    blue = OKABE_ITO["blue"]

    def line_near(x: float) -> bool:
        y = plot.y_for(3)
        column = image.copy(int(x) - 1, int(y) - 4, 3, 9)
        return near(colours(column), blue, 30) > 0

    assert line_near((plot.x_for(2) + plot.x_for(3)) / 2)  # Wed to Thu: joined
    assert not line_near(plot.x_for(1))  # Tuesday has no mood: a gap, not a guess


def test_mood_and_energy_say_every_day_in_words(qtbot):
    chart = MoodEnergyChart()
    chart.set_data(WEEK, MOOD, ENERGY)
    words = chart.accessibleDescription()
    assert "Mon 23: mood 4, energy 3" in words
    assert "Tue 24: mood 3.5, energy 3" in words
    assert "Wed 25: energy 4" in words
    assert "Sat 28: not noted" in words


def test_mood_and_energy_empty_state(qtbot):
    chart = MoodEnergyChart()
    chart.set_data(WEEK, [None] * 7, [None] * 7)
    found = colours(render(qtbot, chart))
    assert near(found, PLACEHOLDER, 30) > 20
    assert near(found, OKABE_ITO["blue"], 30) == 0
    assert near(found, OKABE_ITO["vermillion"], 30) == 0


def test_mood_out_of_range_is_refused(qtbot):
    chart = MoodEnergyChart()
    qtbot.add_widget(chart)
    with pytest.raises(ValueError, match="1 to 5"):
        chart.set_data(WEEK, [6, None, None, None, None, None, None], [None] * 7)


# -- every chart ----------------------------------------------------------------------------


def filled(kind: str):
    if kind == "heatmap":
        chart = HeatmapChart()
        chart.set_data(seeded_heatmap(), START, TODAY)
    elif kind == "bars":
        chart = WeekBarsChart()
        chart.set_data(WEEK, SERIES)
    else:
        chart = MoodEnergyChart()
        chart.set_data(WEEK, MOOD, ENERGY)
    return chart


KINDS = ["heatmap", "bars", "mood"]


@pytest.mark.parametrize("kind", KINDS)
def test_on_a_dark_palette_the_text_is_light(qtbot, kind):
    dark = colours(render(qtbot, filled(kind), dark=True))
    light = colours(render(qtbot, filled(kind), dark=False))

    def bright(found: Counter) -> int:
        return sum(n for (r, g, b), n in found.items() if min(r, g, b) > 200)

    def dark_ink(found: Counter) -> int:
        return sum(n for (r, g, b), n in found.items() if max(r, g, b) < 60)

    assert near(dark, DARK_BG, 2) > near(dark, LIGHT_BG, 2)
    assert bright(dark) > 30  # labels in the palette's light text colour
    assert dark_ink(light) > 30  # and dark ones on the light palette
    assert near(dark, QColor("#000000"), 12) == 0  # no hard-coded black lost on the dark


@pytest.mark.parametrize("kind", KINDS)
def test_size_hints_grow_with_the_font(qtbot, kind):
    chart = filled(kind)
    qtbot.add_widget(chart)
    hint, minimum = chart.sizeHint(), chart.minimumSizeHint()
    assert 0 < minimum.width() <= hint.width() < 1200
    assert 0 < minimum.height() <= hint.height() < 800
    big = QFont(chart.font())
    big.setPointSizeF(chart.font().pointSizeF() * 2)
    chart.setFont(big)
    assert chart.sizeHint().width() > hint.width() * 1.6
    assert chart.sizeHint().height() > hint.height() * 1.6


@pytest.mark.parametrize("kind", KINDS)
def test_charts_draw_at_their_minimum_size_without_spilling(qtbot, kind):
    chart = filled(kind)
    image = render(qtbot, chart, size=chart.minimumSizeHint())
    assert not_background(colours(image), LIGHT_BG) > 500
    assert chart.accessibleName() and "No data" not in chart.accessibleDescription()


def test_nice_steps_label_the_axis_in_whole_numbers():
    assert [nice_step(top) for top in (1, 4, 5, 6, 12, 30, 70)] == [1, 1, 1, 2, 5, 10, 20]


def test_tooltip_event_off_the_data_shows_nothing(qtbot):
    chart = filled("heatmap")
    qtbot.add_widget(chart)
    event = QHelpEvent(QEvent.Type.ToolTip, QPoint(0, 0), QPoint(0, 0))
    assert QApplication.sendEvent(chart, event)
    assert not event.isAccepted()
