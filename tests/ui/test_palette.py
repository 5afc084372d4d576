"""The one colour mixing (ui/palette.py) every window and chart uses."""

from __future__ import annotations

from PySide6.QtGui import QColor

from ui.palette import blend, mix

WHITE, BLACK = QColor(255, 255, 255), QColor(0, 0, 0)


def test_mix_lays_the_front_over_the_back_at_its_opacity() -> None:
    assert mix(WHITE, BLACK, 0.25).getRgb()[:3] == (64, 64, 64)
    assert mix(QColor(200, 100, 0), QColor(0, 100, 200), 0.5).getRgb()[:3] == (100, 100, 100)
    assert mix(WHITE, BLACK, 1.7) == WHITE and mix(WHITE, BLACK, -1) == BLACK  # clamped


def test_blend_is_the_same_mixing_as_a_stylesheet_colour() -> None:
    assert blend(BLACK, WHITE, 0.25) == "rgb(64, 64, 64)"  # a quarter of white over black
    colour = mix(QColor(30, 60, 90), QColor(250, 240, 230), 0.4)
    assert blend(QColor(250, 240, 230), QColor(30, 60, 90), 0.4) == (
        f"rgb({colour.red()}, {colour.green()}, {colour.blue()})")
