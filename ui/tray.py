"""The tray icon and its menu: always there, never noisy. It only shows state and forwards
clicks to the app; it owns no logic of its own."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.focus_start import StartMenu
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
        self._state_tips: list[str] = []
        self._focus_tip = ""
        self._focus_shown: tuple[str, bool] | None = None
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
        self._build_focus_menu()

    def _build_focus_menu(self) -> None:
        """"Start a step…" lists today's best few, read when the menu opens; while a
        session runs, its line and Pause / Done / Stop instead."""
        # Right after Capture…, before the separator that follows it.
        entries = self._menu.actions()
        before = entries[entries.index(self.capture_action) + 1]
        self.start_menu = StartMenu(self._actions, self._menu)
        self._menu.insertMenu(before, self.start_menu)

        def line(text: str) -> QAction:
            action = QAction(text, self._menu)
            self._menu.insertAction(before, action)
            return action

        self.focus_line = line("")
        self.focus_line.setEnabled(False)
        self.focus_line.setVisible(False)
        self.focus_pause_action = line("Pause")
        self.focus_done_action = line("Done")
        self.focus_stop_action = line("Stop here")
        self.focus_window_action = line("Show the timer window")
        self.focus_window_action.setCheckable(True)
        self.focus_through_action = line("Let clicks pass through the timer")
        self.focus_through_action.setCheckable(True)
        for action in self._focus_actions():
            action.setVisible(False)

    def _focus_actions(self) -> tuple[QAction, ...]:
        return (self.focus_pause_action, self.focus_done_action, self.focus_stop_action,
                self.focus_window_action, self.focus_through_action)

    def attach_focus(self, focus) -> None:
        """Connect the running session's menu lines to the focus controller."""
        self.focus_pause_action.triggered.connect(
            lambda _c=False: focus.resume() if focus.view and focus.view.paused
            else focus.pause())
        self.focus_done_action.triggered.connect(lambda _c=False: focus.done())
        self.focus_stop_action.triggered.connect(lambda _c=False: focus.stop())
        self.focus_window_action.setChecked(focus.window_wanted)
        self.focus_window_action.toggled.connect(focus.set_window_wanted)
        self.focus_through_action.toggled.connect(focus.set_click_through)

    def set_focus_ring(self, ring: int | None, paused: bool) -> None:
        """The ring on the owl; the icon is redrawn only when it looks different."""
        if (ring, paused) != (self._state.focus_ring, self._state.focus_paused):
            self._state = replace(self._state, focus_ring=ring, focus_paused=paused)
            self.setIcon(tray_icon(self._state))

    def set_focus(self, line: str, *, paused: bool) -> None:
        """The running session's line ("write the intro — 7 min left"), or "" for none.
        Unchanged words change nothing: a panel repaints for every new tooltip."""
        if (line, paused) == self._focus_shown:
            return
        self._focus_shown = (line, paused)
        running = bool(line)
        self.focus_line.setText(line)
        self.focus_line.setVisible(running)
        self.start_menu.menuAction().setVisible(not running)
        for action in self._focus_actions():
            action.setVisible(running)
        self.focus_pause_action.setText("Resume" if paused else "Pause")
        self._focus_tip = line
        self._update_tooltip()

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
        # The home never changes; the focus ring is set apart (set_focus_ring).
        state = replace(state, home_mark=self._state.home_mark,
                        focus_ring=self._state.focus_ring,
                        focus_paused=self._state.focus_paused)
        self._state = state
        self.setIcon(tray_icon(state))
        self.resume_action.setEnabled(state.paused)
        self.pause_menu.setTitle(f"Nudges paused until {paused_until}" if state.paused
                                 else PAUSE_MENU_TEXT)
        self.damage_action.setVisible(state.journal_damaged)
        self._state_tips = []
        if state.journal_damaged:
            self._state_tips.append("your journal is damaged: run wise doctor")
        if state.reflection_waiting:
            self._state_tips.append("a reflection is waiting")
        if state.paused:
            self._state_tips.append(f"nudges paused until {paused_until}")
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        tips = [self._name, *self._state_tips]
        if self._focus_tip:
            tips.append(self._focus_tip)
        self.setToolTip(" — ".join(tips))

    def set_sync_text(self, text: str) -> None:
        """The last sync and any conflict, as one line: clicked, it opens the first
        conflict where its text lives, or syncs now when there is none."""
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

