"""A focus session's sounds: one soft sound at half time, five minutes left and the end,
only when the user turned sounds on (Settings → Focus sessions; off by default).

The desktop's own sound theme plays them, through the player the desktop ships:
`canberra-gtk-play` (the freedesktop sound theme, at the desktop's event volume), else
PipeWire's or PulseAudio's player on the theme's file. The player runs detached
(`ui.children.start_detached`): the tray never waits for it, and a machine with no audio
device, no player or no theme simply stays silent (said once in the log). PySide6's
Essentials wheel, which Wise uses, has no QtMultimedia to play a sound in-process.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from ui.children import start_detached

log = logging.getLogger(__name__)

# Cue -> the freedesktop sound theme's event id.
EVENTS = {"half": "message", "five": "message", "end": "complete"}
THEME_FILES = (Path("/usr/share/sounds/freedesktop/stereo"),)


class CueSound:
    """`play(kind)` sounds a cue if `enabled()` says the user wants sounds."""

    def __init__(self, enabled: Callable[[], bool], *, search_path: str | None = None) -> None:
        self._enabled = enabled
        self._search_path = search_path  # None: $PATH (the tests pass their own folder)
        self._command: Callable[[str], list[str] | None] | None = None
        self._told_silent = False
        self.played: list[str] = []  # the cues sounded, for the tests and the benchmark

    def play(self, kind: str) -> bool:
        """Sound `kind` ("half", "five", "end"); False when sounds are off, the cue has no
        sound, or nothing here can play one. Never blocks, never raises."""
        event = EVENTS.get(kind)
        if event is None or not self._enabled():
            return False
        argv = self._argv(event)
        if argv is None:
            if not self._told_silent:
                self._told_silent = True
                log.info("focus sounds are on, but no sound player was found "
                         "(canberra-gtk-play, pw-play or paplay)")
            return False
        ok = start_detached(argv)
        if ok:
            self.played.append(kind)
        return ok

    def _argv(self, event: str) -> list[str] | None:
        if self._command is None:
            self._command = self._find_player()
        return self._command(event)

    def _find_player(self) -> Callable[[str], list[str] | None]:
        path = self._search_path if self._search_path is not None else os.environ.get("PATH")
        canberra = shutil.which("canberra-gtk-play", path=path)
        if canberra:
            return lambda event: [canberra, "--id", event, "--description", "Wise focus"]
        player = shutil.which("pw-play", path=path) or shutil.which("paplay", path=path)
        if player:
            def theme_file(event: str) -> list[str] | None:
                for folder in THEME_FILES:
                    for suffix in (".oga", ".ogg", ".wav"):
                        file = folder / f"{event}{suffix}"
                        if file.is_file():
                            return [player, str(file)]
                return None

            return theme_file
        return lambda _event: None
