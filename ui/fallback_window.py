"""A small window that stands in for the tray where the desktop shows no tray icons: every
item of the tray's menu (ui.menu_items) is a button here, so nothing becomes unreachable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.menu_items import PAUSE_MENU_TEXT, SYNC_NOT_SET_UP, MenuItem, TrayActions, menu_items

EXPLANATION = (
    "Your desktop shows no tray icons, so Wise lives in this small window instead. "
    "On GNOME, the “AppIndicator and KStatusNotifierItem Support” extension brings "
    "the tray icon back.\n\n"
    "Quick capture still works from your keyboard shortcut and from the command "
    "line: wise capture \"…\""
)


class FallbackWindow(QWidget):
    """Buttons named as the tray's actions are (`reflection_button` for
    `reflection_action`); the pause items sit in the "Pause nudges" button's menu."""

    def __init__(self, actions: TrayActions, *, name: str = "Wise") -> None:
        super().__init__()
        self._actions = actions
        self.setWindowTitle(name)  # "Wise", or "Wise (~/wise-work)" for a second home
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(14)
        title = QLabel("<b>Wise is running</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        explanation = QLabel(EXPLANATION)
        explanation.setWordWrap(True)
        explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(title)
        layout.addWidget(explanation)
        self.pause_menu = QMenu(self)
        self.pause_actions: dict[str, QAction] = {}
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(8)
        bottom = QHBoxLayout()
        cells = 0
        for item in menu_items(actions):
            if item.submenu:
                self._pause_item(item)
            elif item.name == "damage_action":  # a line of its own, shown while it matters
                layout.addWidget(self._button(item))
            elif item.name in ("sync_action", "quit_action"):
                bottom.addWidget(self._button(item))
                if item.name == "sync_action":
                    bottom.addStretch(1)
            else:
                grid.addWidget(self._button(item), cells // 2, cells % 2)
                cells += 1
                if item.name == "capture_action":  # as in the tray's menu, right after it
                    grid.addWidget(self._start_button(), cells // 2, cells % 2)
                    cells += 1
                if item.name == "review_action":  # pausing sits with the rituals
                    grid.addWidget(self._pause_button(), cells // 2, cells % 2)
                    cells += 1
        self._grid, self._cells = grid, cells
        layout.addLayout(grid)
        layout.addWidget(self._focus_label())
        layout.addLayout(bottom)
        self.buttons["damage_action"].setVisible(False)
        self.buttons["sync_action"].setVisible(False)
        self.pause_actions["resume_action"].setEnabled(False)
        self.buttons["capture_action"].setDefault(True)
        self.setMinimumWidth(460)

    def _button(self, item: MenuItem) -> QPushButton:
        button = QPushButton(item.text, self)
        button.setObjectName(item.name.replace("_action", "_button"))
        button.clicked.connect(lambda _checked=False, slot=item.slot: slot())
        self.buttons[item.name] = button
        return button

    def _pause_item(self, item: MenuItem) -> None:
        if item.name == "resume_action":
            self.pause_menu.addSeparator()
        action = self.pause_menu.addAction(item.text)
        action.triggered.connect(lambda _checked=False, slot=item.slot: slot())
        self.pause_actions[item.name] = action

    def _pause_button(self) -> QPushButton:
        self.pause_button = QPushButton(PAUSE_MENU_TEXT, self)
        self.pause_button.setObjectName("pause_button")
        self.pause_button.setMenu(self.pause_menu)  # Space or a click opens it
        self.buttons["pause_menu"] = self.pause_button
        return self.pause_button

    def _start_button(self) -> QPushButton:
        """"Start a step…", with the tray's own menu of today's best few steps."""
        from ui.focus_start import START_MENU_TEXT, StartMenu

        self.start_menu = StartMenu(self._actions, self)
        self.start_button = QPushButton(START_MENU_TEXT, self)
        self.start_button.setObjectName("start_button")
        self.start_button.setMenu(self.start_menu)  # Space or a click opens it
        self.buttons["start_menu"] = self.start_button
        return self.start_button

    def _focus_label(self) -> QLabel:
        """The running session's line, as the tray's menu shows it (the timer window
        has its Pause, Done and Stop)."""
        self.focus_label = QLabel("", self)
        self.focus_label.setObjectName("focus_label")
        self.focus_label.setTextFormat(Qt.TextFormat.PlainText)  # the step's own words
        self.focus_label.setWordWrap(True)
        self.focus_label.hide()
        return self.focus_label

    def attach_nudges(self, notifier) -> None:
        """Unanswered nudges, as the tray's "Nudges" submenu has them: a button with that
        menu, shown while any waits."""
        from ui.notifications import build_pending_menu

        self.nudges_menu = QMenu("Nudges", self)
        self.nudges_button = QPushButton("Nudges", self)
        self.nudges_button.setObjectName("nudges_button")
        self.nudges_button.setMenu(self.nudges_menu)
        self._grid.addWidget(self.nudges_button, self._cells // 2, self._cells % 2)
        self._cells += 1
        self.nudges_menu.menuAction().changed.connect(self._follow_nudges_menu)
        build_pending_menu(self.nudges_menu, notifier)
        self._follow_nudges_menu()

    def _follow_nudges_menu(self) -> None:
        self.nudges_button.setText(self.nudges_menu.title())
        self.nudges_button.setVisible(self.nudges_menu.menuAction().isVisible())

    # -- state, as the tray shows it --------------------------------------------------

    def set_paused(self, paused: bool, until: str) -> None:
        self.pause_button.setText(f"Nudges paused until {until}" if paused
                                  else PAUSE_MENU_TEXT)
        self.pause_actions["resume_action"].setEnabled(paused)

    def set_focus(self, line: str, *, paused: bool) -> None:
        """The running session's line ("write the intro — 7 min left"), or "" for none:
        while one runs, starting another is not offered (the button stays, greyed, so
        the buttons keep their places)."""
        del paused  # the line says it ("paused, 7 min left")
        self.focus_label.setText(f"Focus: {line}" if line else "")
        self.focus_label.setVisible(bool(line))
        self.start_button.setEnabled(not line)
        self.start_button.setToolTip("One step at a time: this one first" if line else "")

    def set_journal_damaged(self, damaged: bool) -> None:
        self.buttons["damage_action"].setVisible(damaged)

    def set_sync_text(self, text: str) -> None:
        button = self.buttons["sync_action"]
        button.setText(text)
        button.setVisible(text != SYNC_NOT_SET_UP)
        button.setEnabled(text != "Syncing…")

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing must not quit (there is no tray to come back through): tuck it away.
        event.ignore()
        self.showMinimized()
