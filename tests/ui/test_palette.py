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


# --------------------------------------------------------------- check boxes, radio buttons

def _palette(window: str, text: str, base: str, accent: str, accent_text: str = "#ffffff"):
    from PySide6.QtGui import QPalette

    palette = QPalette()
    role = QPalette.ColorRole
    for which, colour in ((role.Window, window), (role.WindowText, text), (role.Text, text),
                          (role.Base, base), (role.Button, window), (role.ButtonText, text),
                          (role.Highlight, accent), (role.HighlightedText, accent_text)):
        palette.setColor(which, QColor(colour))
    return palette


# Themes people run: Fusion's light, the screenshots' dark, Breeze dark, Adwaita dark,
# a mid-grey one and a high-contrast one (where the edge must simply reach the text).
THEMES = {
    "light": ("#efefef", "#000000", "#ffffff", "#308cc6"),
    "dark": ("#26282b", "#e6e6e6", "#1e1f22", "#3d7fd6"),
    "breeze-dark": ("#202326", "#fcfcfc", "#141618", "#3daee9"),
    "adwaita-dark": ("#353535", "#eeeeec", "#2d2d2d", "#15539e"),
    "mid-grey": ("#808080", "#000000", "#a0a0a0", "#ffd700", "#000000"),
    "high-contrast": ("#000000", "#ffffff", "#000000", "#00ffff", "#000000"),
}


def test_indicator_edges_stand_out_three_to_one_from_where_they_sit() -> None:
    from ui.palette import Tokens, contrast

    for name, colours in THEMES.items():
        t = Tokens(_palette(*colours))
        edge = QColor(t.indicator_edge)
        for where in (t.window, t.card, t.field):
            assert contrast(edge, QColor(where)) >= 3, (name, t.indicator_edge, where)
        assert contrast(QColor(t.mark), QColor(t.accent)) >= 3, (name, t.mark, t.accent)


def test_contrast_is_wcags_ratio() -> None:
    from ui.palette import contrast

    assert round(contrast(BLACK, WHITE), 1) == 21.0
    assert contrast(WHITE, WHITE) == 1.0
    assert round(contrast(QColor("#777777"), WHITE), 2) == 4.48  # WCAG's own example


def _indicator_contrast(image, rect, background: QColor) -> float:
    """The most any pixel of the indicator stands out from the background around it."""
    from ui.palette import contrast

    return max(contrast(image.pixelColor(x, y), background)
               for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1))


def test_unchecked_boxes_are_seen_on_a_dark_theme(qtbot) -> None:
    """Drawn for real: an unchecked check box, radio button and list check box in a dark
    (and a light) window each have pixels 3:1 apart from what is around them (the style's
    own edge, the window a shade darker, is not)."""
    from PySide6.QtWidgets import QApplication

    before = QApplication.palette()
    try:
        for name in ("dark", "light"):
            _shows_its_indicators(qtbot, name)
    finally:
        QApplication.setPalette(before)


def _shows_its_indicators(qtbot, name: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QApplication,
        QCheckBox,
        QListWidget,
        QListWidgetItem,
        QRadioButton,
        QStyle,
        QStyleOptionButton,
        QStyleOptionViewItem,
        QVBoxLayout,
        QWidget,
    )

    from ui.palette import Tokens, indicator_rules

    palette = _palette(*THEMES[name])
    QApplication.setPalette(palette)  # as a desktop's theme hands it to every window
    window = QWidget()
    qtbot.addWidget(window)
    window.setStyleSheet(indicator_rules(Tokens(palette)))
    layout = QVBoxLayout(window)
    box, radio, steps = QCheckBox("a box"), QRadioButton("a choice"), QListWidget()
    item = QListWidgetItem("a step")
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Unchecked)
    steps.addItem(item)
    for widget in (box, radio, steps):
        layout.addWidget(widget)
    window.resize(240, 160)
    window.show()
    qtbot.waitExposed(window)
    image = window.grab().toImage()

    for button, element in ((box, QStyle.SubElement.SE_CheckBoxIndicator),
                            (radio, QStyle.SubElement.SE_RadioButtonIndicator)):
        option = QStyleOptionButton()
        option.initFrom(button)
        rect = button.style().subElementRect(element, option, button).translated(button.pos())
        around = image.pixelColor(rect.left() - 1, rect.center().y())
        assert around == palette.window().color()
        assert _indicator_contrast(image, rect, around) >= 3, (name, button.text())

    option = QStyleOptionViewItem()
    option.initFrom(steps.viewport())
    option.rect = steps.visualItemRect(item)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    rect = steps.style().subElementRect(
        QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, steps.viewport())
    rect = rect.translated(steps.viewport().mapTo(window, rect.topLeft()) - rect.topLeft())
    around = image.pixelColor(rect.left() - 2, rect.center().y())
    assert around == palette.base().color()  # inside the list, beside the box
    assert _indicator_contrast(image, rect, around) >= 3, (name, "list")


def test_every_styled_window_carries_the_indicator_rules() -> None:
    from ui import settings_window, sync_conflicts, sync_setup, welcome_window
    from ui.palette import Tokens, indicator_rules
    from ui.review.look import stylesheet as review_stylesheet

    palette = _palette(*THEMES["dark"])
    rules = indicator_rules(Tokens(palette))
    for build in (review_stylesheet, settings_window.SettingsWindow._stylesheet,
                  sync_setup._stylesheet, welcome_window._stylesheet,
                  sync_conflicts.stylesheet):
        assert rules in build(palette), build.__qualname__


# ------------------------------------------------------------ following the desktop's theme

def test_a_theme_change_restyles_a_window_once_and_does_not_recurse(qtbot) -> None:
    """PaletteStyle, how every card window follows a light/dark switch: a new application
    palette makes the window's stylesheet once, from the new palette. Setting that
    stylesheet sends the window palette changes of its own, inside the restyle; were those
    to restyle it again, each would send more, over and over."""
    from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget

    from ui.palette import PaletteStyle, Tokens, button_rules, named

    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    layout.addWidget(named(QLabel("a caption"), "caption"))
    layout.addWidget(named(QPushButton("Save"), "primary"))
    made: list[str] = []

    def stylesheet(palette) -> str:
        t = Tokens(palette)
        made.append(t.window)
        return (f"QWidget {{ background: {t.window}; }} #caption {{ color: {t.muted}; }}"
                + button_rules(t))

    style = PaletteStyle(window, stylesheet)
    style.restyle()
    window.show()
    qtbot.waitExposed(window)
    before = QApplication.palette()
    try:
        for name in ("dark", "light"):
            made.clear()
            QApplication.setPalette(_palette(*THEMES[name]))
            qtbot.waitUntil(lambda: bool(made))  # the palette changes arrive as events
            QApplication.processEvents()  # any still queued
            assert made == [THEMES[name][0]]
            assert f"background: {THEMES[name][0]};" in window.styleSheet()
    finally:
        QApplication.setPalette(before)
