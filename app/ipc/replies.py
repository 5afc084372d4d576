"""The tray's replies on its socket (app.ipc.protocol says the protocol), shared by the
tray (ui/) and the CLI: `ok(id, result)` or `error(id, code, message)`, each result one
of the types below (or app.capture.ack.CaptureAck for a capture), turned into JSON by
app.results. Standard library only, like the rest of app.ipc; `wise capture` through the
tray does not import this (it reads the ack back into CaptureAck)."""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False
if TYPE_CHECKING:
    from app.results import Result


@dataclass(frozen=True)
class OkReply:
    id: object  # the request's, when it gave one
    ok: bool
    result: Result | None


@dataclass(frozen=True)
class ErrorDetail:
    code: str  # one of app.ipc.protocol's error codes
    message: str


@dataclass(frozen=True)
class NotSaved(ErrorDetail):
    """A capture the journal could not take (bad-input, failed)."""

    kept: str | None  # the file the text was kept in; None when it was not kept


@dataclass(frozen=True)
class ErrorReply:
    id: object
    ok: bool
    error: ErrorDetail


Reply = OkReply | ErrorReply


def ok(request_id: object, result: Result | None = None) -> OkReply:
    return OkReply(request_id, True, result)


def error(request_id: object, code: str, message: str) -> ErrorReply:
    return ErrorReply(request_id, False, ErrorDetail(code, message))


def not_saved(request_id: object, code: str, message: str, kept: str | None) -> ErrorReply:
    return ErrorReply(request_id, False, NotSaved(code, message, kept))


@dataclass(frozen=True)
class Shown:
    """show-capture, show-reflection, show-review, show-welcome: the window is up."""

    shown: bool = True


@dataclass(frozen=True)
class TrayStarting:
    """Not a reply: what the CLI says when no tray answered and it started one, which
    opens the window asked for once it runs."""

    started: bool = True


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
