"""`wise open reflection|review|capture|welcome` (and `wise reflection`, `wise review`): open one of
the tray's windows from the command line, starting the tray first when it is not running.
Standard library only, like `wise capture`: the windows are the tray's, not this process's."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass

from app.cli.output import emit
from app.errors import WiseError
from app.ipc.client import (
    STALL_CHECK_S,
    TrayClient,
    TrayStalled,
    TrayUnavailable,
    UntrustedTray,
)
from app.ipc.protocol import socket_path
from app.paths import resolve_paths
from app.results import omitted_when_none

# What can be opened, with the socket command that opens it and its name for a person.
WINDOWS: dict[str, tuple[str, str]] = {
    "capture": ("show-capture", "quick capture"),
    "reflection": ("show-reflection", "today's reflection"),
    "review": ("show-review", "the goal review"),
    "welcome": ("show-welcome", "the welcome"),
}


@dataclass(frozen=True)
class WindowOpened:
    window: str
    shown: bool  # by the running tray
    started: bool  # the tray was started, and opens it once it runs
    pid: int | None = omitted_when_none()  # the started tray's


def run(args: Namespace) -> int:
    return open_window(args, args.window)


def run_reflection(args: Namespace) -> int:
    return open_window(args, "reflection")


def run_review(args: Namespace) -> int:
    return open_window(args, "review")


def open_window(args: Namespace, window: str) -> int:
    command, words = WINDOWS[window]
    client = TrayClient(socket_path(resolve_paths().data_dir), stall_check_s=STALL_CHECK_S)
    try:
        client.request({"cmd": command})
    except UntrustedTray as exc:
        raise WiseError(f"cannot reach the tray to open {words}: {exc}. {exc.fix}".rstrip()
                        ) from None
    except TrayStalled as exc:
        raise WiseError(not_answering(exc, words)) from None
    except TrayUnavailable:
        from app.cli.tray_cmd import start_detached

        pid = start_detached(open_window=window)
        emit(args, WindowOpened(window, shown=False, started=True, pid=pid),
             f"Starting Wise; {words} opens in a moment.")
        return 0
    emit(args, WindowOpened(window, shown=True, started=False), "")
    return 0


def not_answering(exc: TrayStalled, words: str) -> str:
    """One line for a tray that took the request and answers nothing, not even a ping
    (stopped or hung): rather than start a second tray beside it, the person is told
    which process it is and what to do. Nothing of theirs was in the request."""
    if exc.pid is None:
        return (f"Wise's tray is not answering, so {words} did not open; wait a moment, or "
                f"quit it from your system's task manager, then try again")
    return (f"Wise's tray (pid {exc.pid}) is not answering, so {words} did not open; wait a "
            f"moment, or quit it (`kill {exc.pid}`, or `kill -9 {exc.pid}` if it stays), "
            f"then try again")
