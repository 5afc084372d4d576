"""The results the tray's socket sends back, shared by the tray (ui/) and the CLI: each
reply's "result" is one of these (or app.capture.ack.CaptureAck for a capture), turned
into JSON by app.results. Standard library only, like the rest of app.ipc."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shown:
    """show-capture, show-reflection, show-review, show-welcome: the window is up."""

    shown: bool = True


@dataclass(frozen=True)
class Seen:
    """focus-changed: the tray looked at the journal's focus session again."""

    seen: bool = True


@dataclass(frozen=True)
class Quitting:
    quitting: bool = True


@dataclass(frozen=True)
class NoTrayFocus:
    session: None = None


@dataclass(frozen=True)
class TrayFocus:
    """The focus session as the tray sees it (no journal words)."""

    session: int  # its id
    left_seconds: int
    over: bool
    paused: bool
    ends_at: str  # ISO moment
    cues: list[str]  # the cues said so far
    last_cue: str | None
    slept_past_end: bool


@dataclass(frozen=True)
class Pong:
    """ping: the tray is alive, which Wise it is, and what it has on screen."""

    pid: int
    version: str
    socket: str
    windows: dict[str, bool]  # each window on screen, with whether its content loaded
    focus: TrayFocus | NoTrayFocus
