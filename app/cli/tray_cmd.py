"""`wise status`, and starting the tray app in the background from the command line."""

from __future__ import annotations

import subprocess
from argparse import Namespace

from app.cli.output import emit
from app.ipc.client import TrayClient, TrayError, TrayUnavailable, UntrustedTray
from app.ipc.protocol import socket_path
from app.launch import tray_command
from app.paths import resolve_paths


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
        emit(args, {"running": False, "socket": str(path), "untrusted": str(exc),
                    "fix": exc.fix},
             f"Wise's tray cannot be reached: {exc}, so Wise does not use that socket. "
             f"{exc.fix}".rstrip())
        return 0
    except (TrayUnavailable, TrayError):
        info = None
    if not isinstance(info, dict):
        emit(args, {"running": False, "socket": str(path)},
             "Wise is not running. Start it with: wise")
    else:
        emit(args, {"running": True, "pid": info.get("pid"), "socket": str(path),
                    "version": info.get("version")},
             f"Wise is running (pid {info.get('pid')}, socket {path}).")
    return 0
