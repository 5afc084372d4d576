"""`wise capture`: through the running tray when there is one, straight to the journal when
not; `wise capture` alone brings up the quick-capture window.

This is the CLI's hot path: it imports the standard library, the socket client and, only
when no tray answers, the sqlite3 capture path.
"""

from __future__ import annotations

import sys
from argparse import Namespace

from app.capture.validate import MAX_CAPTURE_CHARS, validate_capture_text
from app.cli.output import emit, warn
from app.errors import BadInput, WiseError
from app.ipc.client import TrayClient, TrayError, TrayUnavailable
from app.ipc.protocol import socket_path
from app.paths import resolve_paths
from storage.ids import new_uid


def run(args: Namespace) -> int:
    if not args.text:
        return summon_window(args)
    text = read_stdin() if args.text == ["-"] else " ".join(args.text)
    text = validate_capture_text(text)
    uid = new_uid()  # the same uid on a retry can never save the text twice
    result = _through_tray(text, uid)
    if result is None:
        result = _directly(text, uid)
    summary = result["summary"]
    emit(args, result, f"{summary[:1].upper()}{summary[1:]}; not added twice."
         if result.get("already_open") else f"Saved {summary}")
    return 0


def _through_tray(text: str, uid: str) -> dict | None:
    client = TrayClient(socket_path(resolve_paths().data_dir))
    try:
        return client.request({"cmd": "capture", "text": text, "uid": uid})
    except (TrayUnavailable, TimeoutError):
        return None  # no tray, or a stuck one: write directly (the uid prevents doubles)
    except TrayError as exc:
        if exc.code == "bad-input":
            raise BadInput(str(exc)) from None
        raise WiseError(str(exc)) from None


def _directly(text: str, uid: str) -> dict:
    from app.capture.service import capture
    from app.journal import Context

    context = Context.from_environment()
    for message in context.settings.warnings:
        warn(message)
    return capture(context, text, source="capture", uid=uid).as_dict()


def summon_window(args: Namespace) -> int:
    client = TrayClient(socket_path(resolve_paths().data_dir))
    try:
        client.request({"cmd": "show-capture"})
    except (TrayUnavailable, TimeoutError):
        from app.cli.tray_cmd import start_detached

        start_detached(show_capture=True)
        emit(args, {"started": True}, "Starting Wise; quick capture opens in a moment.")
        return 0
    emit(args, {"shown": True}, "")
    return 0


def read_stdin() -> str:
    # Read bytes, not text: the decoding decisions below are ours to make and to explain.
    limit = MAX_CAPTURE_CHARS * 4 + 1  # the most bytes MAX_CAPTURE_CHARS UTF-8 chars can take
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise BadInput(f"standard input is longer than a capture may be "
                       f"({MAX_CAPTURE_CHARS:,} characters); nothing was saved")
    if b"\x00" in data:
        raise BadInput("standard input contains NUL bytes (is it a binary file?); "
                       "nothing was saved")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warn("standard input is not valid UTF-8; undecodable bytes were replaced by �")
        return data.decode("utf-8", errors="replace")
