"""`wise open reflection|review|capture|welcome` (and `wise reflection`, `wise review`): open one of
the tray's windows from the command line, starting the tray first when it is not running.
Standard library only, like `wise capture`: the windows are the tray's, not this process's."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass

from app.cli.output import emit
from app.errors import WiseError
from app.ipc.client import TrayClient, TrayUnavailable, UntrustedTray
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
    client = TrayClient(socket_path(resolve_paths().data_dir))
    try:
        client.request({"cmd": command})
    except UntrustedTray as exc:
        raise WiseError(f"cannot reach the tray to open {words}: {exc}. {exc.fix}".rstrip()
                        ) from None
    except TrayUnavailable:
        from app.cli.tray_cmd import start_detached

        pid = start_detached(open_window=window)
        emit(args, WindowOpened(window, shown=False, started=True, pid=pid),
             f"Starting Wise; {words} opens in a moment.")
        return 0
    emit(args, WindowOpened(window, shown=True, started=False), "")
    return 0
