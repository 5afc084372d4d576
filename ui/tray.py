"""The tray icon and its menu: always there, never noisy. It only shows state and forwards
clicks to the app; it owns no logic of its own."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icons import IconState, home_mark_colour, tray_icon
from ui.menu_items import PAUSE_MENU_TEXT, SYNC_NOT_SET_UP, TrayActions, menu_items

__all__ = ["TrayActions", "WiseTray"]


class WiseTray(QSystemTrayIcon):
    """`home` names a data folder other than the usual one ("~/wise-work"): its tooltip
    and menu say which journal this owl keeps, and the owl wears that home's mark."""

    # Made by _build_menu from ui.menu_items, one per item.
    damage_action: QAction
    capture_action: QAction
    reflection_action: QAction
    review_action: QAction
    pause_hour_action: QAction
    pause_day_action: QAction
    resume_action: QAction
    sync_action: QAction
    settings_action: QAction
    folder_action: QAction
    quit_action: QAction

    def __init__(self, actions: TrayActions, *, home: str | None = None) -> None:
        super().__init__()
        self._actions = actions
        self._home = home
        self._name = f"Wise ({home})" if home else "Wise"
        self._state = IconState(home_mark=home_mark_colour(home) if home else None)
        self.setIcon(tray_icon(self._state))
        self.setToolTip(self._name)
        self._menu = QMenu()
        self._build_home_line()
        self._build_menu()
        self.setContextMenu(self._menu)
        self.activated.connect(self._on_activated)

    # -- the menu, built once, one small method per part ------------------------------

    def _build_home_line(self) -> None:
        self.home_action: QAction | None = None
        if self._home:
            self.home_action = self._menu.addAction(f"Journal in {self._home}")
            self.home_action.setEnabled(False)  # a label: which Wise this menu belongs to
            self._menu.addSeparator()

    def _build_menu(self) -> None:
        """One QAction per item of ui.menu_items, named as the item is, a separator
        between groups, the pause items in their submenu."""
        self.pause_menu = QMenu(PAUSE_MENU_TEXT, self._menu)
        group = None
        for item in menu_items(self._actions):
            if group is not None and group != item.group:
                self._menu.addSeparator()
            menu = self.pause_menu if item.submenu else self._menu
            if item.submenu and group != item.group:
                self._menu.addMenu(self.pause_menu)
            if item.name == "resume_action":
                self.pause_menu.addSeparator()
            setattr(self, item.name, self._add(item.text, item.slot, menu))
            group = item.group
        # Shown only while the journal is damaged: the one notice, again, on demand.
        self.damage_action.setVisible(False)
        self.sync_action.setVisible(False)  # shown once sync is set up on this device
        self.resume_action.setEnabled(False)

    def _add(self, text: str, slot, menu: QMenu | None = None) -> QAction:
        action = (menu or self._menu).addAction(text)
        # Called without arguments: `triggered` carries `checked`, which PySide would pass
        # to a slot with an optional parameter (show_review(goal_id=False)).
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def attach_nudges(self, notifier) -> None:
        """A "Nudges" submenu listing unanswered nudges with Done / Snooze / Not today: where
        no notification service shows them, nothing is lost."""
        from ui.notifications import build_pending_menu

        self.nudges_menu = QMenu("Nudges", self._menu)
        self._menu.insertMenu(self.reflection_action, self.nudges_menu)
        build_pending_menu(self.nudges_menu, notifier)

    # -- state ----------------------------------------------------------------------

    def set_state(self, state: IconState, *, paused_until: str = "") -> None:
        state = replace(state, home_mark=self._state.home_mark)  # the home never changes
        self._state = state
        self.setIcon(tray_icon(state))
        self.resume_action.setEnabled(state.paused)
        self.pause_menu.setTitle(f"Nudges paused until {paused_until}" if state.paused
                                 else PAUSE_MENU_TEXT)
        self.damage_action.setVisible(state.journal_damaged)
        tips = [self._name]
        if state.journal_damaged:
            tips.append("your journal is damaged: run wise doctor")
        if state.reflection_waiting:
            tips.append("a reflection is waiting")
        if state.paused:
            tips.append(f"nudges paused until {paused_until}")
        self.setToolTip(" — ".join(tips))

    def set_sync_text(self, text: str) -> None:
        """The last sync and any conflict, as one line that syncs now when clicked."""
        self.sync_action.setText(text)
        self.sync_action.setVisible(text != SYNC_NOT_SET_UP)
        self.sync_action.setEnabled(text != "Syncing…")

    @property
    def state(self) -> IconState:
        return self._state

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A left click is the quickest way to a capture; the menu stays on right click.
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self._actions.show_capture()

