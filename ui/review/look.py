"""How the review window looks and speaks: a stylesheet made from the system palette (so
light and dark both look right), and the small phrases its pages share."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ui.palette import Tokens, blend, indicator_rules

STATUS_WORDS = {"active": "Active", "paused": "Paused", "done": "Done",
                "archived": "Archived"}
# Chip colours per status: (light background, light text, dark background, dark text).
STATUS_COLOURS = {
    "active": ("#e3f1e8", "#1e6b3a", "#21392a", "#9bd8ae"),
    "paused": ("#fbf0db", "#7a5200", "#3b3120", "#f0cd8a"),
    "done": ("#e2edf8", "#1f4f85", "#1f3247", "#9cc4ee"),
    "archived": ("#ecebea", "#575450", "#34332f", "#c2beb6"),
}


def stylesheet(palette: QPalette) -> str:
    role = QPalette.ColorRole
    window, text = palette.color(role.Window), palette.color(role.WindowText)
    base, accent = palette.color(role.Base), palette.color(role.Highlight)
    # The shades every card window shares; the review window's own ones follow them.
    t = Tokens(palette)
    dark = t.dark
    page, card, border, separator = t.window, t.card, t.border, t.separator
    muted, error, accent_text = t.muted, t.error, t.accent_text
    # Not Tokens.faint (disabled text): here it also carries hints that must stay readable.
    faint = blend(text, window, 0.55)
    sidebar = blend(window, QColor("black"), 0.12) if dark else blend(window, text, 0.035)
    why = blend(text, accent, 0.25 if dark else 0.18)
    hover = blend(window, text, 0.08 if dark else 0.05)
    selected = blend(window, accent, 0.28 if dark else 0.14)
    chips = "\n".join(
        f'#chip[status="{status}"] {{ background: {c[2] if dark else c[0]}; '
        f'color: {c[3] if dark else c[1]}; }}' for status, c in STATUS_COLOURS.items())
    return f"""
        #reviewWindow, #page, #pageBody {{ background: {page}; }}
        QScrollArea#pageScroll, #pageScroll > QWidget > QWidget {{ background: {page};
                                                                  border: none; }}
        #sidebar {{ background: {sidebar}; border-right: 1px solid {separator}; }}
        #appName {{ font-size: 15pt; font-weight: 600; padding: 2px 10px 10px 10px; }}
        QPushButton#navButton {{ text-align: left; padding: 8px 12px; border: none;
                                 border-radius: 8px; background: transparent;
                                 color: {text.name()}; }}
        QPushButton#navButton:hover {{ background: {hover}; }}
        QPushButton#navButton:checked {{ background: {selected}; font-weight: 600; }}
        QPushButton#navButton:disabled {{ color: {faint}; }}
        QPushButton#navButton[sub="true"] {{ padding-left: 26px; }}
        QPushButton#navButton:focus {{ outline: none; border: 1px solid {accent.name()}; }}
        #navHint {{ color: {faint}; font-size: 8.5pt; padding: 0 10px; }}
        #pageTitle {{ font-size: 20pt; font-weight: 600; }}
        #pageIntro {{ color: {muted}; }}
        #sectionTitle {{ font-size: 11.5pt; font-weight: 600; padding-top: 6px; }}
        #caption, #meta {{ color: {muted}; }}
        #hint {{ color: {muted}; font-style: italic; }}
        #error {{ color: {error}; }}
        #empty {{ color: {muted}; font-size: 11pt; padding: 24px 8px; }}
        #card, #goalCard {{ background: {card}; border: 1px solid {border};
                            border-radius: 12px; }}
        #goalCard:hover {{ border-color: {blend(window, accent, 0.6)}; }}
        #goalCard:focus {{ border: 2px solid {accent.name()}; }}
        #goalTitle {{ font-size: 13.5pt; font-weight: 600; }}
        #goalWhy {{ font-size: 11.5pt; color: {why}; font-style: italic; }}
        #goalWhy[empty="true"] {{ color: {faint}; font-size: 10pt; }}
        #goalTag {{ color: {muted}; font-weight: 600; }}
        #chip {{ border-radius: 9px; padding: 2px 9px; font-size: 9pt; font-weight: 600; }}
        {chips}
        #statusLine {{ color: {muted}; padding: 4px 2px; }}
        #statusLine[problem="true"] {{ color: {error}; }}
        QPushButton#filterButton {{ border: 1px solid {border}; background: {card};
                                    padding: 5px 14px; border-radius: 14px;
                                    color: {text.name()}; }}
        QPushButton#filterButton:hover {{ background: {hover}; }}
        QPushButton#filterButton:checked {{ background: {selected};
                                            border-color: {blend(window, accent, 0.55)}; }}
        QPushButton#filterButton:focus {{ border: 2px solid {accent.name()}; }}
        QPushButton#primary, QPushButton#secondary, QPushButton#quiet {{
            border-radius: 7px; padding: 6px 16px; min-height: 20px; }}
        QPushButton#primary {{ background: {accent.name()}; color: {accent_text};
                               border: 1px solid {t.accent_border};
                               font-weight: 600; }}
        QPushButton#primary:hover {{ background: {t.accent_hover}; }}
        QPushButton#primary:focus {{ border: 2px solid {text.name()}; }}
        QPushButton#primary:disabled {{ background: {border}; color: {muted};
                                        border-color: {border}; }}
        QPushButton#secondary {{ background: {card}; color: {text.name()};
                                 border: 1px solid {border}; }}
        QPushButton#secondary:hover {{ background: {hover}; }}
        QPushButton#secondary:focus, QPushButton#quiet:focus {{
            border: 2px solid {accent.name()}; }}
        QPushButton#secondary:disabled {{ color: {faint}; border-color: {separator}; }}
        QPushButton#quiet {{ background: transparent; border: 1px solid transparent;
                             color: {muted}; padding: 4px 10px; }}
        QPushButton#quiet:hover {{ background: {hover}; color: {text.name()}; }}
        QPushButton#quiet:disabled {{ color: {faint}; }}
        #separator {{ background: {separator}; border: none; }}
        QLineEdit, QPlainTextEdit {{ border: 1px solid {border};
            border-radius: 6px; padding: 4px 6px; background: {base.name()}; }}
        QLineEdit:focus, QPlainTextEdit:focus {{ border: 1px solid {accent.name()}; }}
        QLineEdit#titleEdit {{ font-size: 17pt; font-weight: 600; padding: 4px 8px;
                               background: transparent; border-color: {separator}; }}
        QLineEdit#titleEdit:hover {{ border-color: {border}; }}
        QLineEdit#titleEdit:focus {{ border-color: {accent.name()};
                                     background: {base.name()}; }}
        QPlainTextEdit#whyEdit {{ font-size: 11.5pt; }}
        QListWidget {{ border: 1px solid {border}; border-radius: 8px;
                       background: {base.name()}; padding: 4px; }}
        QListWidget::item {{ padding: 5px 4px; border-radius: 5px; }}
        QListWidget::item:selected {{ background: {selected}; color: {text.name()}; }}
        QScrollBar:vertical {{ background: transparent; width: 12px; margin: 4px 2px; }}
        QScrollBar::handle:vertical {{ background: {border}; border-radius: 4px;
                                       min-height: 36px; }}
        QScrollBar::handle:vertical:hover {{ background: {muted}; }}
        QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
        QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
    """ + indicator_rules(t)


def label(text: str, name: str = "", *, wrap: bool = False, parent: QWidget | None = None,
          ) -> QLabel:
    widget = QLabel(text, parent)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget


def button(text: str, name: str = "secondary", *, accessible: str = "",
           tip: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.setAccessibleName(accessible or text.replace("…", "").replace("&", ""))
    if tip:
        widget.setToolTip(tip)
    return widget


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


# ------------------------------------------------------------------------- phrases


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def already_open_words(titles: list[str]) -> str:
    """What the review window says for steps not added because the goal has them open."""
    quoted = ", ".join(f"“{title}”" for title in titles)
    return (f"Already open, so not added again: {quoted}." if len(titles) > 1
            else f"{quoted} is already one of this goal's open steps: not added again.")


LINKED_NAMED = 5


def linked_words(items: list) -> str:
    """What linking earlier #tagged items did, naming them (so it can be checked)."""
    from app.ritual_data import counted

    if not items:
        return "Nothing left to link."
    named = ", ".join(f"“{item.short(60)}”" for item in items[:LINKED_NAMED])
    more = f" and {len(items) - LINKED_NAMED} more" if len(items) > LINKED_NAMED else ""
    return f"Linked {counted(items)} to this goal: {named}{more}."


def since(moment: datetime | None, now: datetime) -> str:
    """'today', 'yesterday', '3 days ago', '2 weeks ago', 'on 4 Mar 2026', or 'never'."""
    from app.daytime import days_ago

    if moment is None:
        return "never"
    return days_ago(moment.astimezone(now.tzinfo).date(), now.date())


def cadence_text(cadence: int | None, done: int, expected: int | None) -> str:
    """The cadence against the last 4 weeks: '3 of 8 this month' or 'no rhythm set'."""
    if not cadence or expected is None:
        return f"no rhythm set · {done} done this month" if done else "no rhythm set"
    return f"{done} of {expected} this month"


def minutes_given_words(minutes: int) -> str:
    """'45 min', '2 h', '3 h 20 min'."""
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def rhythm_words(card, unit: str, minutes: list[int], today: date) -> tuple[str, str]:
    """A goal's month in the heatmaps' unit, and its tooltip: '12 of 8 this month' when
    they count steps, '3 h 20 min this month' when they count minutes given (the same
    28 journal days as the steps' count)."""
    if unit != "minutes":
        return (cadence_text(card.cadence_per_week, card.done_last_4_weeks,
                             card.expected_last_4_weeks), cadence_tip(card.cadence_per_week))
    last = (today - card.heatmap_start).days
    given = sum(minutes[max(0, last - 27):last + 1])
    text = f"{minutes_given_words(given)} this month" if given else "no focus time this month"
    return text, ("Minutes given to this goal's steps in focus sessions (▶ Start), in the "
                  "last 4 weeks.")


def cadence_tip(cadence: int | None) -> str:
    if not cadence:
        return "No rhythm set for this goal: it moves when it moves."
    return (f"Done in the last 4 weeks, against a rhythm of "
            f"{plural(cadence, 'time')} a week.")


def day_range(start: date, end: date) -> str:
    """'Mon 23 Nov' or '23 – 29 Nov 2026'."""
    if start == end:
        return f"{start:%a} {start.day} {start:%b %Y}"
    if start.year != end.year:
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} – {end.day} {end:%b %Y}"


def scrolling_page(margins: tuple[int, int, int, int],
                   spacing: int = 10) -> tuple[QScrollArea, QWidget, QVBoxLayout]:
    """A frameless scroll area around a page body: (the area, the body, its layout)."""
    scroll = QScrollArea()
    scroll.setObjectName("pageScroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    body = QWidget()
    body.setObjectName("pageBody")
    layout = QVBoxLayout(body)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    scroll.setWidget(body)
    return scroll, body, layout
