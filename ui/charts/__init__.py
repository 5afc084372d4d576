"""Small charts for the review and goal windows, drawn with QPainter (no QtCharts).

Each chart takes plain lists through `set_data`, shows an empty state until it has
something to show, follows the palette (light and dark), and says its data in words
through its accessible description.
"""

from ui.charts.heatmap import HeatmapChart
from ui.charts.mood_energy import MoodEnergyChart
from ui.charts.week_bars import WeekBarsChart

__all__ = ["HeatmapChart", "MoodEnergyChart", "WeekBarsChart"]
