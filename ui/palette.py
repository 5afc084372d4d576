"""Colours derived from the system palette, so every window reads well in light and dark."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

ASSETS = Path(__file__).resolve().parent / "assets"
# WCAG's bar for what must be seen to be used (a check box's edge): 3:1 against what is
# around it. A little over, so rounding to 8-bit colours never lands under it.
NON_TEXT_CONTRAST = 3.2
# A light/dark switch of the desktop reaches a window as one of these.
PALETTE_CHANGES = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


Named = TypeVar("Named", bound=QObject)


def named(widget: Named, name: str) -> Named:
    """`widget` with the object name the stylesheet rules select it by (`#caption`,
    `QPushButton#primary`). Qt takes it as a keyword (`QLabel(objectName=...)`), but
    PySide6's type stubs do not declare property keywords: this is the typed way."""
    widget.setObjectName(name)
    return widget


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


def luminance(colour: QColor) -> float:
    """WCAG relative luminance (0 black to 1 white)."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, 1 (none) to 21 (black on white)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def edge_colour(toward: QColor, start: QColor, backgrounds: list[QColor],
                amount: float = 0.5) -> QColor:
    """`start` moved toward `toward` (at least `amount` of the way) until it stands out at
    3:1 from every one of `backgrounds`, or as far as it goes."""
    while True:
        colour = mix(toward, start, amount)
        if amount >= 1 or all(contrast(colour, b) >= NON_TEXT_CONTRAST for b in backgrounds):
            return colour
        amount = min(1.0, amount + 0.05)


def is_dark(palette: QPalette) -> bool:
    """A dark theme: the window background is darker than mid-grey."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class Tokens:
    """The colours the card-style windows (Settings, the sync set-up, the welcome, a sync
    conflict) share, derived once from the palette: each builds its stylesheet from these
    and `button_rules`, so a change of shade reaches them all. Stylesheet colour strings."""

    def __init__(self, palette: QPalette) -> None:
        role = QPalette.ColorRole
        window, text = palette.color(role.Window), palette.color(role.WindowText)
        accent = palette.color(role.Highlight)
        self.dark = dark = is_dark(palette)
        self.window, self.text = window.name(), text.name()
        self.accent, self.accent_text = accent.name(), palette.color(role.HighlightedText).name()
        self.accent_border = accent.darker(115).name()
        self.accent_hover = accent.lighter(110).name()
        self.link = accent.lighter(130).name() if dark else palette.color(role.Link).name()
        # Cards are paper: the text field colour in a light theme, a lifted window in dark.
        self.card = (blend(window, QColor("white"), 0.05) if dark
                     else palette.color(role.Base).name())
        self.border = blend(window, text, 0.16 if dark else 0.13)
        self.separator = blend(window, text, 0.10 if dark else 0.08)
        self.muted = blend(text, window, 0.38)  # captions
        self.faint = blend(text, window, 0.6)  # disabled text, fainter than captions
        self.error = "#ff8a80" if dark else "#b3261e"
        self.error_bg = "#42262a" if dark else "#fdecea"
        self.error_border = "#7a3b41" if dark else "#f1b7b2"
        self.warn = "#ffd08a" if dark else "#7a4b00"
        self.warn_bg = "#3d3020" if dark else "#fff4dc"
        self.warn_border = "#6b5330" if dark else "#f0cf8c"
        self.ok = "#8fd19e" if dark else "#1e7b3a"
        # Check boxes and radio buttons: a field-coloured box whose edge stands out from
        # the window, a card and a list alike (the style's own edge is the window a shade
        # darker: invisible on a dark theme); checked, the accent with a tick on it.
        base = palette.color(role.Base)
        self.field = base.name()
        self.indicator_edge = edge_colour(text, window, [window, QColor(self.card), base]).name()
        # The tick on the accent: white or black, whichever stands out more.
        self.mark = max(("white", "black"), key=lambda mark: contrast(QColor(mark), accent))

    def tint(self, amount: float) -> str:
        """The window with `amount` of the accent: a quiet highlight (a recovery key)."""
        return blend(QColor(self.window), QColor(self.accent), amount)


def indicator_rules(t: Tokens) -> str:
    """Check boxes, radio buttons and the check boxes of lists, seen in light and dark."""
    def image(shape: str) -> str:
        return f'image: url("{(ASSETS / f"{shape}-{t.mark}.svg").as_posix()}");'
    boxes = "QCheckBox::indicator, QAbstractItemView::indicator"
    every = f"{boxes}, QRadioButton::indicator"
    return f"""
        {every} {{ width: 14px; height: 14px; background: {t.field};
                   border: 1px solid {t.indicator_edge}; }}
        {boxes} {{ border-radius: 3px; }}
        QAbstractItemView::indicator {{ width: 12px; height: 12px; }}  /* fits a row */
        QRadioButton::indicator {{ border-radius: 8px; }}
        QCheckBox::indicator:hover, QRadioButton::indicator:hover {{
            border-color: {t.accent}; }}
        QCheckBox::indicator:checked, QAbstractItemView::indicator:checked {{
            background: {t.accent}; border-color: {t.accent_border}; {image("check")} }}
        QCheckBox::indicator:indeterminate, QAbstractItemView::indicator:indeterminate {{
            background: {t.accent}; border-color: {t.accent_border}; {image("dash")} }}
        QRadioButton::indicator:checked {{ background: {t.accent};
            border-color: {t.accent_border}; {image("dot")} }}
        {every.replace("::indicator", "::indicator:disabled")} {{
            background: {t.window}; border-color: {t.border}; }}
        {every.replace("::indicator", "::indicator:checked:disabled")},
        {boxes.replace("::indicator", "::indicator:indeterminate:disabled")} {{
            background: {t.faint}; border-color: {t.faint}; }}
    """


def button_rules(t: Tokens) -> str:
    """The primary and secondary push buttons (by object name) of those windows, and
    their check boxes and radio buttons."""
    return indicator_rules(t) + f"""
        QPushButton#primary, QPushButton#secondary {{
            border-radius: 6px; padding: 6px 16px; min-height: 20px; }}
        QPushButton#primary {{ background: {t.accent}; color: {t.accent_text};
                               border: 1px solid {t.accent_border}; font-weight: 600; }}
        QPushButton#primary:hover {{ background: {t.accent_hover}; }}
        QPushButton#primary:disabled {{ background: {t.border}; color: {t.muted};
                                        border-color: {t.border}; }}
        QPushButton#secondary {{ background: {t.card}; color: {t.text};
                                 border: 1px solid {t.border}; }}
        QPushButton#secondary:hover {{ background: {t.separator}; }}
        QPushButton#secondary:disabled {{ color: {t.faint}; border-color: {t.separator}; }}
    """


class PaletteStyle(QObject):
    """A window's stylesheet made from the application's palette by `stylesheet`: set by
    restyle() (the window calls it once built), and again whenever the theme changes.
    Setting a stylesheet sends the window palette changes of its own; a guard keeps those
    from restyling it again, over and over."""

    def __init__(self, window: QWidget, stylesheet: Callable[[QPalette], str]) -> None:
        super().__init__(window)
        self._window = window
        self._stylesheet = stylesheet
        self._styling = False
        window.installEventFilter(self)

    def restyle(self) -> None:
        """Set the stylesheet afresh (also how a window repolishes after a property change)."""
        if self._styling:
            return
        self._styling = True
        try:
            self._window.setStyleSheet(self._stylesheet(QApplication.palette()))
        finally:
            self._styling = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() in PALETTE_CHANGES:
            self.restyle()
        return False  # the window handles the change as well, as it always did
