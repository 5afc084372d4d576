"""`wise capture`: through the running tray when there is one, straight to the journal when
not; `wise capture` alone brings up the quick-capture window.

This is the CLI's hot path: it imports the standard library, the socket client and, only
when no tray answers, the sqlite3 capture path.
"""

from __future__ import annotations

import os
import sys
from argparse import Namespace

from app.capture.ack import CaptureAck
from app.capture.validate import (
    MAX_CAPTURE_CHARS,
    REPLACED_WARNING,
    broken_characters,
    validate_capture_text,
)
from app.cli.output import emit, warn
from app.errors import BadInput, WiseError
from app.ipc.client import (
    STALL_CHECK_S,
    TrayBusy,
    TrayClient,
    TrayError,
    TrayStalled,
    TrayUnavailable,
    UntrustedTray,
)
from app.ipc.protocol import socket_path
from app.paths import resolve_paths
from storage.ids import new_uid


def run(args: Namespace) -> int:
    if not args.text:
        return summon_window(args)
    text = read_stdin() if args.text == ["-"] else argv_text(args.text)
    result = capture_text(text)
    for message in result.warnings:
        warn(message)
    summary = result.summary
    emit(args, result, f"{summary[:1].upper()}{summary[1:]}; not added twice."
         if result.already_open else f"Saved {summary}")
    if result.notice:
        warn(result.notice)
    return 0


def capture_text(text: str) -> CaptureAck:
    """Save one capture through the running tray, or directly when there is none (or it
    went away mid-request): the acknowledgement, only once the row is committed."""
    text = validate_capture_text(text)
    uid = new_uid()  # the same uid on a retry can never save the text twice
    result = _through_tray(text, uid)
    if result is None:
        result = _directly(text, uid)
    return result


def argv_text(words: list[str]) -> str:
    """The words of the command line as text. Bytes that are not UTF-8 (Python keeps them
    as lone surrogates) are replaced by U+FFFD, as on standard input, with a warning."""
    text = " ".join(words)
    if broken_characters(text):
        text = os.fsencode(text).decode("utf-8", errors="replace")
        warn(REPLACED_WARNING)
    return text


def _through_tray(text: str, uid: str) -> CaptureAck | None:
    paths = resolve_paths()
    client = TrayClient(socket_path(paths.data_dir), stall_check_s=STALL_CHECK_S)
    try:
        reply = client.request({"cmd": "capture", "text": text, "uid": uid})
    except UntrustedTray as exc:
        warn(f"not using the tray's socket: {exc}. Your text was not sent there; it is "
             f"written to your journal directly. {exc.fix}".rstrip())
        return None
    except TrayBusy:
        from app.logs import note_once

        note_once(paths.logs_dir, "tray-busy", "the tray's socket had too many waiting "
                  "connections; captures were written to the journal directly")
        return None
    except TrayUnavailable:
        # No tray, or it quit, died or stalled mid-request: write directly. The same uid
        # finds the row if the tray did commit it, so the text is never saved twice.
        return None
    except TrayError as exc:
        if exc.code == "bad-input":
            raise BadInput(str(exc)) from None
        if exc.code == "failed" and "kept" in exc.details and not exc.details["kept"]:
            # The tray could not keep it on disk either: the terminal is the last place.
            raise WiseError(f"{exc}\nHere it is to copy:\n{text}") from None
        raise WiseError(str(exc)) from None
    try:
        return CaptureAck.from_json(reply)
    except ValueError as exc:  # not this Wise's tray: the uid makes a direct write safe
        warn(f"{exc}; writing to the journal directly")
        return None


def _directly(text: str, uid: str) -> CaptureAck:
    from app.capture.service import CaptureNotSaved, capture
    from app.journal import Context

    context = Context.from_environment()
    for message in context.settings.warnings:
        warn(message)
    try:
        return capture(context, text, source="capture", uid=uid).ack()
    except CaptureNotSaved as exc:
        raise WiseError(exc.for_terminal()) from None


def summon_window(args: Namespace) -> int:
    from app.ipc.replies import Shown, TrayStarting

    client = TrayClient(socket_path(resolve_paths().data_dir), stall_check_s=STALL_CHECK_S)
    try:
        client.request({"cmd": "show-capture"})
    except UntrustedTray as exc:
        raise WiseError(f"cannot reach the tray: {exc}. `wise capture \"TEXT\"` still "
                        f"saves to your journal directly. {exc.fix}".rstrip()) from None
    except TrayStalled as exc:
        from app.cli.open_cmd import not_answering

        raise WiseError(f"{not_answering(exc, 'quick capture')}; `wise capture \"TEXT\"` "
                        f"still saves to your journal directly") from None
    except TrayUnavailable:
        from app.cli.tray_cmd import start_detached

        start_detached(show_capture=True)
        emit(args, TrayStarting(), "Starting Wise; quick capture opens in a moment.")
        return 0
    emit(args, Shown(), "")
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
