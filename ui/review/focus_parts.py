"""Focus in goal review: the heatmaps' "Steps | Minutes" choice, the estimate calibration
line, and a step's Start button (its estimate, or two minutes; right-click for both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QMenu, QPushButton, QWidget

from app.focus import Calibration, calibration_hint
from ui.charts.heatmap import MINUTES, STEPS
from ui.focus_start import add_start_choices, start_words
from ui.review.look import button, label

UNIT_KEY = "review/heatmap_unit"  # in windows.ini: the choice is remembered on this device
UNITS = ((STEPS, "Steps"), (MINUTES, "Minutes"))
NO_CALIBRATION = ("Start a step (its ▶ on a goal card or a goal's page) and, after a few "
                  "of a size, Wise can say how long your guesses really take.")


class UnitToggle(QWidget):
    """"Heatmaps: Steps | Minutes": emits `chosen(unit)` on a click."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(label("Heatmaps:", "caption"))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        for unit, text in UNITS:
            shows = "minutes given" if unit == MINUTES else "steps done"
            choice = button(text, "filterButton", accessible=f"Heatmaps show {shows}",
                            tip=f"Each day's square: {shows}"
                                + (" (focus sessions)" if unit == MINUTES else ""))
            choice.setCheckable(True)
            self.group.addButton(choice)
            self.buttons[unit] = choice
            row.addWidget(choice)
        row.addStretch(1)  # on a goal's page the row is wide: the buttons keep their size
        self.buttons[STEPS].setChecked(True)
        for unit, choice in self.buttons.items():
            choice.clicked.connect(lambda _c=False, u=unit: self.chosen.emit(u))

    def set_unit(self, unit: str) -> None:
        self.buttons[unit].setChecked(True)

    def unit(self) -> str:
        return next(unit for unit, choice in self.buttons.items() if choice.isChecked())


def calibration_words(calibrations: list[Calibration]) -> str:
    """"Your ~10 min steps take about 18 (4 timed) · your ~30 min steps take about 45
    (3 timed)", or how to get there."""
    if not calibrations:
        return NO_CALIBRATION
    text = " · ".join(c.words() for c in calibrations)
    return text[0].upper() + text[1:]


class StartButton(QPushButton):
    """▶ for a step: a click starts it for its estimate (or two minutes); a right-click
    offers both. `start(minutes | None)`: None for the step's own length."""

    def __init__(self, title: str, estimate: int | None, start: Callable[[int | None], None],
                 calibrations: list[Calibration] | None = None) -> None:
        super().__init__(f"▶ {start_words(estimate)}")
        self.setObjectName("quiet")
        self._estimate, self._start = estimate, start
        self.setAccessibleName(f"Start: {title[:200]}")
        hint = calibration_hint(estimate, calibrations or [])
        self.setToolTip("Start a focus session on this step now"
                        + (f" ({hint})" if hint else "") + ". Right-click for two minutes.")
        self.clicked.connect(lambda _c=False: start(None))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._choices)
        self.menu_shown: Any = None

    def _choices(self, where: QPoint) -> None:
        menu = QMenu(self)
        add_start_choices(menu, self._estimate, self._start)
        self.menu_shown = menu
        menu.popup(self.mapToGlobal(where))
