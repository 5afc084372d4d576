"""Colours derived from the system palette, so every window reads well in light and dark."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def mix(front: QColor, back: QColor, amount_of_front: float) -> QColor:
    """`front` laid over `back` at the given opacity (0 to 1), as one opaque colour: the
    one colour mixing of every window and chart."""
    t = max(0.0, min(1.0, amount_of_front))
    return QColor.fromRgbF(
        front.redF() * t + back.redF() * (1 - t),
        front.greenF() * t + back.greenF() * (1 - t),
        front.blueF() * t + back.blueF() * (1 - t),
    )


def blend(a: QColor, b: QColor, amount: float) -> str:
    """`amount` of b over a, as a stylesheet colour."""
    colour = mix(b, a, amount)
    return f"rgb({colour.red()}, {colour.green()}, {colour.blue()})"


def is_dark(palette: QPalette) -> bool:
    """A dark theme: the window background is darker than mid-grey."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128
