"""`wise status`, and starting the tray app in the background from the command line."""

from __future__ import annotations

import subprocess
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path

from app.cli.output import emit
from app.ipc.client import TrayClient, TrayError, TrayUnavailable, UntrustedTray
from app.ipc.protocol import socket_path
from app.launch import tray_command
from app.paths import resolve_paths
from app.results import omitted_when_none


@dataclass(frozen=True)
class TrayStatus:
    """`wise status --json`."""

    running: bool
    pid: int | None = omitted_when_none()
    socket: Path | None = None
    version: str | None = omitted_when_none()
    untrusted: str | None = omitted_when_none()  # why the socket is not used
    fix: str | None = omitted_when_none()  # with untrusted: what to do about it


def start_detached(*, show_capture: bool = False, open_window: str = "") -> int:
    """Start the tray app on its own (it outlives this command); returns its pid. It opens
    quick capture, or `open_window` ("reflection", "review"), once started."""
    argv = tray_command()
    if show_capture:
        argv.append("--show-capture")
    if open_window:
        argv += ["--open", open_window]
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    return process.pid


def run_tray(args: Namespace) -> int:
    """`python -m app.cli.main tray`: hand over to the tray entry point."""
    return subprocess.call([*tray_command(), *args.tray_args])


def run_status(args: Namespace) -> int:
    path = socket_path(resolve_paths().data_dir)
    try:
        info = TrayClient(path, timeout=2.0).request({"cmd": "ping"})
    except UntrustedTray as exc:
        emit(args, TrayStatus(False, socket=path, untrusted=str(exc), fix=exc.fix),
             f"Wise's tray cannot be reached: {exc}, so Wise does not use that socket. "
             f"{exc.fix}".rstrip())
        return 0
    except (TrayUnavailable, TrayError):
        info = None
    if not isinstance(info, dict):
        emit(args, TrayStatus(False, socket=path),
             "Wise is not running. Start it with: wise")
    else:
        emit(args, TrayStatus(True, pid=info.get("pid"), socket=path,
                              version=info.get("version")),
             f"Wise is running (pid {info.get('pid')}, socket {path}).")
    return 0
