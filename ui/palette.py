"""Colours derived from the system palette, so every window reads well in light and dark."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def blend(a: QColor, b: QColor, amount: float) -> str:
    """`amount` of b over a, as a stylesheet colour."""
    mix = [round(x + (y - x) * amount) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3],
                                                         strict=True)]
    return f"rgb({mix[0]}, {mix[1]}, {mix[2]})"


def is_dark(palette: QPalette) -> bool:
    """A dark theme: the window background is darker than mid-grey."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128
