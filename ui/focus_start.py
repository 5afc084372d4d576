"""Starting a step from anywhere it is shown: the tray's and the fallback window's "Start a
step…" menu, and the Start buttons of the reflection and goal-review windows. Starting asks
nothing more: the step's own estimate, or two minutes ("just start")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget

from app.focus import typed_estimate_hint
from ui.reflection.style import HintLabel

JUST_START_MINUTES = 2
START_MENU_TEXT = "Start a step…"
TITLE_CHARS = 50  # a step's words in a menu line, then "…"


def start_words(estimate: int | None) -> str:
    """The Start button's words: "Start · ~20 min", or "Just start · 2 min"."""
    if estimate and estimate != JUST_START_MINUTES:
        return f"Start · ~{estimate} min"
    return f"Just start · {JUST_START_MINUTES} min"


def short_title(title: str, chars: int = TITLE_CHARS) -> str:
    title = " ".join(title.split())
    return title if len(title) <= chars else title[:chars - 1] + "…"


def add_start_choices(menu: QMenu, estimate: int | None,
                      start: Callable[[int | None], None]) -> None:
    """The two ways to start one step: for its estimate, or just two minutes. `start` gets
    the minutes asked for, None for the step's own."""
    if estimate and estimate != JUST_START_MINUTES:
        menu.addAction(f"Start for ~{estimate} min").triggered.connect(
            lambda _c=False: start(None))
    menu.addAction(f"Just start · {JUST_START_MINUTES} min").triggered.connect(
        lambda _c=False: start(JUST_START_MINUTES))


class EstimateHint(HintLabel):
    """A quiet line under a field where a step is typed (Tomorrow's, a goal's "Add a step
    by hand", the break-down's): "For what it's worth: your ~10 min steps take about 18."
    while the text carries an estimate of a size timed before; no room taken otherwise.
    It never blocks adding. `set_calibrations` when they are read (app.focus)."""

    def __init__(self, field: QLineEdit, parent: QWidget | None = None,
                 name: str = "") -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        if name:
            self.setObjectName(name)  # the window's stylesheet look for quiet words
        self.setAccessibleName("How long steps of this size really take")
        self.calibrations: list = []
        self._field = field
        field.textChanged.connect(self._typed)
        self.setText("")

    def set_calibrations(self, calibrations: list) -> None:
        self.calibrations = list(calibrations)
        self._typed(self._field.text())

    def _typed(self, text: str) -> None:
        hint = typed_estimate_hint(text, self.calibrations)
        self.setText(f"For what it's worth: {hint}." if hint else "")


class StartMenu(QMenu):
    """"Start a step…": today's best few steps, read each time it opens (through
    `actions.focus_steps`), each starting at once (`actions.start_step`)."""

    def __init__(self, actions, parent: QWidget | None = None) -> None:
        super().__init__(START_MENU_TEXT, parent)
        self._actions = actions
        self.aboutToShow.connect(self._fill)

    def _fill(self) -> None:
        self.clear()
        waiting = self.addAction("Looking…")
        waiting.setEnabled(False)
        self._actions.focus_steps(self.show_choices)

    def show_choices(self, steps: list) -> None:
        """(id, title, estimate) rows: each starts that step."""
        self.clear()
        if not steps:
            self.addAction("No open steps: capture one first").setEnabled(False)
        for action_id, title, estimate in steps:
            length = f"{estimate} min" if estimate else f"{JUST_START_MINUTES} min"
            # "&" would be read as a keyboard mnemonic: doubled, it shows as itself.
            item = self.addAction(f"{short_title(title).replace('&', '&&')}  ·  {length}")
            item.setToolTip(title)
            item.triggered.connect(lambda _c=False, i=action_id: self._actions.start_step(i))
