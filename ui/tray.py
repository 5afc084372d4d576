"""The tray icon and its menu: always there, never noisy. It only shows state and forwards
clicks to the app; it owns no logic of its own."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icons import IconState, home_mark_colour, tray_icon


class TrayActions(Protocol):
    def show_capture(self) -> None: ...
    def show_reflection(self) -> None: ...
    def show_review(self) -> None: ...
    def pause_nudges_for_an_hour(self) -> None: ...
    def pause_nudges_until_tomorrow(self) -> None: ...
    def resume_nudges(self) -> None: ...
    def show_settings(self) -> None: ...
    def sync_now(self) -> None: ...
    def open_data_folder(self) -> None: ...
    def show_journal_damage(self) -> None: ...
    def quit(self) -> None: ...
    def focus_steps(self, fill) -> None: ...
    def start_step(self, action_id: int) -> None: ...


class WiseTray(QSystemTrayIcon):
    """`home` names a data folder other than the usual one ("~/wise-work"): its tooltip
    and menu say which journal this owl keeps, and the owl wears that home's mark."""

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
        # Shown only while the journal is damaged: the one notice, again, on demand.
        self.damage_action = self._add("Your journal is damaged: what to do…",
                                       self._actions.show_journal_damage)
        self.damage_action.setVisible(False)
        self.capture_action = self._add("Capture…", self._actions.show_capture)
        self._build_focus_menu()
        self._menu.addSeparator()
        self.reflection_action = self._add("Today's reflection", self._actions.show_reflection)
        self.review_action = self._add("Goal review", self._actions.show_review)
        self._menu.addSeparator()
        self._build_pause_menu()
        self._menu.addSeparator()
        self.sync_action = self._add("Sync: not set up", self._actions.sync_now)
        self.sync_action.setVisible(False)  # shown once sync is set up on this device
        self.settings_action = self._add("Settings…", self._actions.show_settings)
        self.folder_action = self._add("Open data folder", self._actions.open_data_folder)
        self._menu.addSeparator()
        self.quit_action = self._add("Quit Wise", self._actions.quit)

    def _build_focus_menu(self) -> None:
        """"Start a step…" lists today's best few, read when the menu opens; while a
        session runs, its line and Pause / Done / Stop instead."""
        self.start_menu = self._menu.addMenu("Start a step…")
        self.start_menu.aboutToShow.connect(self._fill_start_menu)
        self.focus_line = self._menu.addAction("")
        self.focus_line.setEnabled(False)
        self.focus_line.setVisible(False)
        self.focus_pause_action = self._menu.addAction("Pause")
        self.focus_done_action = self._menu.addAction("Done")
        self.focus_stop_action = self._menu.addAction("Stop here")
        self.focus_window_action = self._menu.addAction("Show the timer window")
        self.focus_window_action.setCheckable(True)
        self.focus_through_action = self._menu.addAction("Let clicks pass through the timer")
        self.focus_through_action.setCheckable(True)
        for action in self._focus_actions():
            action.setVisible(False)

    def _focus_actions(self) -> tuple[QAction, ...]:
        return (self.focus_pause_action, self.focus_done_action, self.focus_stop_action,
                self.focus_window_action, self.focus_through_action)

    def _fill_start_menu(self) -> None:
        self.start_menu.clear()
        waiting = self.start_menu.addAction("Looking…")
        waiting.setEnabled(False)
        self._actions.focus_steps(self.show_start_choices)

    def show_start_choices(self, steps: list) -> None:
        """(id, title, estimate) rows: each starts that step."""
        self.start_menu.clear()
        if not steps:
            empty = self.start_menu.addAction("No open steps: capture one first")
            empty.setEnabled(False)
        for action_id, title, estimate in steps:
            shown = title if len(title) <= 50 else title[:49] + "…"
            length = f"{estimate} min" if estimate else "2 min"
            item = self.start_menu.addAction(f"{shown}  ·  {length}")
            item.triggered.connect(lambda _c=False, i=action_id: self._actions.start_step(i))

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

    def _build_pause_menu(self) -> None:
        self.pause_menu = self._menu.addMenu("Pause nudges")
        self.pause_hour_action = self._add("For 1 hour", self._actions.pause_nudges_for_an_hour,
                                           self.pause_menu)
        self.pause_day_action = self._add("Until tomorrow",
                                          self._actions.pause_nudges_until_tomorrow,
                                          self.pause_menu)
        self.pause_menu.addSeparator()
        self.resume_action = self._add("Resume nudges", self._actions.resume_nudges,
                                       self.pause_menu)
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
        # The home never changes; the focus ring is set apart (set_focus_ring).
        state = replace(state, home_mark=self._state.home_mark,
                        focus_ring=self._state.focus_ring,
                        focus_paused=self._state.focus_paused)
        self._state = state
        self.setIcon(tray_icon(state))
        self.resume_action.setEnabled(state.paused)
        self.pause_menu.setTitle(f"Nudges paused until {paused_until}" if state.paused
                                 else "Pause nudges")
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
        """The last sync and any conflict, as one line that syncs now when clicked."""
        self.sync_action.setText(text)
        self.sync_action.setVisible(text != "Sync: not set up")
        self.sync_action.setEnabled(text != "Syncing…")

    @property
    def state(self) -> IconState:
        return self._state

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # A left click is the quickest way to a capture; the menu stays on right click.
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self._actions.show_capture()

