"""The goal review window: every goal with its why, a goal's own page, the week in review,
and what Wise has learned. It shows at once and fills in after: reads and writes run on
the tray's journal-writer thread, model work in `wise` children (ui/review/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontMetrics, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.children import JsonChild
from ui.palette import PaletteStyle
from ui.review.context import ReviewContext, WriterRun
from ui.review.dialogs import GoalDialog
from ui.review.goal_page import GoalPageView
from ui.review.goals_page import GoalsPage
from ui.review.look import button, label, repolish, stylesheet
from ui.review.memory_page import MemoryPage
from ui.review.week_page import WeekPage

GOALS, GOAL, WEEK, MEMORY = range(4)
NAV = [(GOALS, "Goals"), (GOAL, "A goal"), (WEEK, "Week in review"),
       (MEMORY, "What Wise has learned")]
DEFAULT_SIZE = (1100, 750)
SCREEN_SHARE = 0.92  # never larger than this share of the screen
NAV_TEXT_ROOM = 64  # pixels of the sidebar a nav button's text cannot use (margins, indent)


class ReviewWindow(QWidget):
    """`show_goal(goal_id | None)` brings it forward on a goal's page (or the goals).
    `goals_changed` says goals were added or edited (the tray refreshes its #tags)."""

    goals_changed = Signal()
    conflicts_answered = Signal()  # a sync conflict was answered here (the tray recounts)
    start_step = Signal(int, object)  # Start on a step: its id, minutes (None: its estimate)

    def __init__(self, db: Path, writer_run: WriterRun, day_start_hour: Callable[[], int],
                 wise_command: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("reviewWindow")
        self.setWindowTitle("Goal review")  # Qt appends " — Wise"
        self.context = ReviewContext(db, writer_run, day_start_hour, wise_command, self)
        self.context.changed.connect(self._journal_changed)
        self.context.problem.connect(lambda text: self._say(text, problem=True))
        self.dialog: Any = None
        self._palette_style = PaletteStyle(self, stylesheet)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._sidebar())
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        self.stack = QStackedWidget()
        self.goals_page = GoalsPage(self.context)
        self.goal_page = GoalPageView(self.context)
        self.week_page = WeekPage(self.context)
        self.memory_page = MemoryPage(self.context)
        for page in (self.goals_page, self.goal_page, self.week_page, self.memory_page):
            self.stack.addWidget(page)
        right.addWidget(self.stack, 1)
        self.status_line = label("", "statusLine", wrap=True)
        self.status_line.setContentsMargins(32, 0, 32, 8)
        self.status_line.hide()
        right.addWidget(self.status_line)
        row.addLayout(right, 1)

        self.goals_page.open_goal.connect(self.open_goal)
        self.goals_page.new_goal.connect(self.new_goal)
        self.goals_page.review_all.connect(self.review_all)
        self.goal_page.back.connect(lambda: self.show_page(GOALS))
        self.goal_page.title_changed.connect(self._goal_title)
        self.goal_page.conflicts_answered.connect(self.conflicts_answered)
        self._connect_focus()
        for index in range(len(NAV)):
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self,
                      lambda i=index: self.show_page(i))
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_goal)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self._palette_style.restyle()
        self._size_for_screen()
        self.show_page(GOALS, load=False)

    # --- building -------------------------------------------------------------------------

    def _sidebar(self) -> QFrame:
        side = QFrame()
        side.setObjectName("sidebar")
        side.setFixedWidth(max(200, self.fontMetrics().horizontalAdvance("x") * 30))
        self._sidebar_width = side.width()
        box = QVBoxLayout(side)
        box.setContentsMargins(12, 22, 12, 16)
        box.setSpacing(4)
        box.addWidget(label("Wise", "appName"))
        self.nav_group = QButtonGroup(self)
        self.nav_buttons: list[Any] = []
        for index, text in NAV:
            nav = button(text, "navButton", accessible=text,
                         tip=f"{text} (Ctrl+{index + 1})")
            nav.setCheckable(True)
            self.nav_group.addButton(nav, index)
            self.nav_buttons.append(nav)
            box.addWidget(nav)
        self.nav_buttons[GOAL].setEnabled(False)
        self.nav_buttons[GOAL].setAccessibleName("The chosen goal")
        self.nav_buttons[GOAL].setProperty("sub", True)  # shown under Goals
        self.nav_group.idClicked.connect(self.show_page)
        box.addStretch(1)
        box.addWidget(label("Ctrl+1–4 to move between pages · Ctrl+N new goal · Esc to "
                            "close", "navHint", wrap=True))
        return side

    def _size_for_screen(self) -> None:
        screen = self.screen() or QApplication.primaryScreen()
        width, height = DEFAULT_SIZE
        if screen is not None:
            room = screen.availableGeometry()
            width = min(width, int(room.width() * SCREEN_SHARE))
            height = min(height, int(room.height() * SCREEN_SHARE))
        self.setMinimumSize(min(640, width), min(460, height))
        self.resize(width, height)

    # --- public ---------------------------------------------------------------------------

    def show_goal(self, goal_id: int | None) -> None:
        """Bring the window forward, on the goal's page (or on all goals for None)."""
        self.show()
        self.raise_()
        self.activateWindow()
        if goal_id is None:
            self.show_page(GOALS)
        else:
            self.open_goal(goal_id)

    def page(self) -> int:
        return self.stack.currentIndex()

    def show_page(self, index: int, *, load: bool = True) -> None:
        if index == GOAL and self.goal_page.goal_id is None:
            return
        if self.stack.currentIndex() == GOAL and index != GOAL:
            self.goal_page.save_if_changed()
        self.stack.setCurrentIndex(index)
        self.nav_buttons[index].setChecked(True)
        if load and self.isVisible():
            self._load(index)

    def open_goal(self, goal_id: int) -> None:
        self.nav_buttons[GOAL].setEnabled(True)
        self.goal_page.show_goal(goal_id)
        self.show_page(GOAL, load=False)
        self.goal_page.title_edit.setFocus()

    def new_goal(self) -> None:
        self.dialog = GoalDialog(self, self._add_goal)
        self.dialog.open()

    def review_all(self) -> None:
        """Every active goal reviewed; titles read first (the filter may hide some)."""
        from app.ritual_data import goal_cards

        db, today, hour = self.context.db, self.context.today(), self.context.start_hour
        self.context.run(lambda _writer: {c.id: c.title for c in goal_cards(db, today, hour)},
                         self._review_all_with, owner=self, doing="read your goals")

    def _review_all_with(self, titles: dict[int, str]) -> None:
        from ui.review.wise_review import ReviewDialog

        self.dialog = ReviewDialog(self, self.context, goal_id=None, titles=titles)
        self.dialog.open()

    # --- focus --------------------------------------------------------------------------------

    def _connect_focus(self) -> None:
        self._settings: Any = None
        self.goal_page.start_step.connect(self.start_step)
        self.goals_page.start_step.connect(self.start_step)
        for page in (self.goals_page, self.goal_page):
            page.unit_chosen.connect(self.set_heatmap_unit)

    def remember_in(self, settings: Any) -> None:
        """Where view choices live (a QSettings: windows.ini); the heatmaps' unit is read
        back from it now."""
        from ui.review.focus_parts import UNIT_KEY

        self._settings = settings
        unit = str(settings.value(UNIT_KEY, "steps"))
        self.set_heatmap_unit(unit if unit in ("steps", "minutes") else "steps",
                              remember=False)

    def set_heatmap_unit(self, unit: str, *, remember: bool = True) -> None:
        """Every heatmap counts steps done or minutes given; remembered on this device."""
        from ui.review.focus_parts import UNIT_KEY

        for page in (self.goals_page, self.goal_page):
            page.show_unit(unit)
        if remember and self._settings is not None:
            self._settings.setValue(UNIT_KEY, unit)

    def break_down_step(self, action_id: int) -> None:
        """Break-down on one step (the end check-in's "Make it smaller"), over its goal's
        page when it has a goal."""
        from app.focus import step_row

        db = self.context.db
        self.context.run(lambda _writer: step_row(db, action_id), self._break_down_found,
                         owner=self, doing="read the step")

    def _break_down_found(self, step: Any) -> None:
        if step is None:
            self._say("That step is no longer in your journal.", problem=True)
            return
        if step.goal_id is not None:
            self.open_goal(step.goal_id)
        self.goal_page.break_down_action(step)

    # --- data ------------------------------------------------------------------------------

    def _load(self, index: int) -> None:
        [self.goals_page.reload, self.goal_page.reload, self.week_page.reload,
         self.memory_page.reload][index]()

    def _add_goal(self, title: str, why: str, cadence: int | None) -> None:
        from app.ritual_data import GoalTagTaken

        dialog = self.dialog

        def added(goal_id: int) -> None:
            self.context.changed.emit("goals")
            if isinstance(dialog, GoalDialog) and dialog.isVisible():
                dialog.saved()
            self.open_goal(int(goal_id))

        def refused(exc: Exception) -> None:
            if not (isinstance(dialog, GoalDialog) and dialog.isVisible()):
                self._say(f"Wise could not add the goal: {exc}", problem=True)
            elif isinstance(exc, GoalTagTaken):  # the one rule: no #run-2 beside #run
                existing = exc.existing
                dialog.refused(f"{exc.headline[:1].upper()}{exc.headline[1:]}. Open it, or "
                               "give the new goal another title.",
                               open_existing=lambda: self.open_goal(existing.id),
                               open_label=f"Open “{_short(existing.title)}”")
            else:
                dialog.refused(f"Wise could not add the goal: {exc}")

        self.context.run(lambda writer: writer.add_goal(title, why=why,
                                                        cadence_per_week=cadence),
                         added, owner=self, doing="add the goal", on_error=refused)

    def _journal_changed(self, what: str) -> None:
        if what in ("goals", "actions"):
            # Other pages read afresh when next shown; the one in view does now.
            self.goals_page.loaded = self.week_page.loaded = False
            if what == "goals":
                self.goals_changed.emit()
        current = self.stack.currentIndex()
        if self.isVisible() and (what != "memory" or current == MEMORY):
            self._load(current)
        if current != GOAL and what in ("goals", "actions") and self.goal_page.goal_id:
            self.goal_page.reload()  # a dialog may have changed it from another page

    def _goal_title(self, title: str) -> None:
        nav = self.nav_buttons[GOAL]
        font = QFont(nav.font())
        font.setBold(True)  # the chosen page's button is drawn bold
        short = QFontMetrics(font).elidedText(title, Qt.TextElideMode.ElideRight,
                                              self._sidebar_width - NAV_TEXT_ROOM)
        nav.setText(short)
        nav.setToolTip(f"{title} (Ctrl+2)")

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.status_line.setText(text)
        self.status_line.setProperty("problem", problem)
        self.status_line.setVisible(bool(text))
        repolish(self.status_line)

    # --- events ------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # First paint first; the current page fills in right after.
        QTimer.singleShot(0, self, lambda: self._load(self.stack.currentIndex()))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """On close and at quit: what was typed on a goal's page is saved, and model work
        of a closed window stops with it (nothing keeps running unseen)."""
        self.goal_page.save_if_changed()
        for child in self.findChildren(JsonChild):
            child.stop_now()


def _short(title: str, limit: int = 30) -> str:
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"
