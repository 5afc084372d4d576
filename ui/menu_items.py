"""The tray's menu items, declared once: the tray menu and the fallback window (shown where
the desktop has no tray) both build from this list, so neither can lose an item."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


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
    def focus_steps(self, fill: Callable[[list], None]) -> None: ...
    def start_step(self, action_id: int, minutes: int | None = None) -> None: ...


@dataclass(frozen=True)
class MenuItem:
    name: str  # the attribute the tray and the fallback give the item ("reflection_action")
    text: str
    slot: Callable[[], None]
    group: int  # items of one group sit together; a separator between groups
    submenu: str = ""  # "pause": inside the "Pause nudges" submenu


PAUSE_MENU_TEXT = "Pause nudges"
SYNC_NOT_SET_UP = "Sync: not set up"


def menu_items(actions: TrayActions) -> list[MenuItem]:
    """Every item, in menu order. The damage item and the sync line are shown only while
    they mean something (a damaged journal, sync set up)."""
    return [
        MenuItem("damage_action", "Your journal is damaged: what to do…",
                 actions.show_journal_damage, 0),
        MenuItem("capture_action", "Capture…", actions.show_capture, 0),
        MenuItem("reflection_action", "Today's reflection", actions.show_reflection, 1),
        MenuItem("review_action", "Goal review", actions.show_review, 1),
        MenuItem("pause_hour_action", "For 1 hour", actions.pause_nudges_for_an_hour, 2,
                 "pause"),
        MenuItem("pause_day_action", "Until tomorrow", actions.pause_nudges_until_tomorrow, 2,
                 "pause"),
        MenuItem("resume_action", "Resume nudges", actions.resume_nudges, 2, "pause"),
        MenuItem("sync_action", SYNC_NOT_SET_UP, actions.sync_now, 3),
        MenuItem("settings_action", "Settings…", actions.show_settings, 3),
        MenuItem("folder_action", "Open data folder", actions.open_data_folder, 3),
        MenuItem("quit_action", "Quit Wise", actions.quit, 4),
    ]
