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

    def tint(self, amount: float) -> str:
        """The window with `amount` of the accent: a quiet highlight (a recovery key)."""
        return blend(QColor(self.window), QColor(self.accent), amount)


def button_rules(t: Tokens) -> str:
    """The primary and secondary push buttons (by object name) of those windows."""
    return f"""
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
