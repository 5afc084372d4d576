"""The tray's JSON-lines protocol, shared by the Qt server and the plain-socket client.

One request per line, one reply per line, UTF-8 JSON objects, at most MAX_LINE_BYTES each:

    -> {"id": 1, "cmd": "capture", "text": "call mum #family tomorrow", "uid": "<uuid4>"}
    <- {"id": 1, "ok": true, "result": {"saved": true, "kind": "todo", "id": 12, ...}}
    -> {"cmd": "ping"}
    <- {"ok": true, "result": {"pid": 4242, "version": "0.1.0", "socket": "/run/user/..."}}
    -> not json
    <- {"ok": false, "error": {"code": "bad-json", "message": "..."}}

Commands: capture (acknowledged only after the row is committed; "uid" makes a retry
harmless; the result's "warnings" say what was changed to save the text), show-capture,
show-reflection, show-review, show-welcome, ping, quit, focus-changed (the CLI changed
the focus session: look again). Error codes: bad-json (also for nesting too
deep to read), too-large, bad-request, unknown-command, bad-input (the text was refused;
nothing saved), failed (the journal could not be written; "kept" names the file the text
was kept in, null when it could not be kept on disk), busy.

Who may connect, and where the socket lives: app.ipc.trust and runtime_dir below.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Mapping
from pathlib import Path

from app.ipc.trust import Untrusted, check_private_folder

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (capture's path)
if TYPE_CHECKING:
    from app.ipc.replies import Reply

MAX_LINE_BYTES = 256 * 1024  # a 10,000-character capture is at most 40 kB of UTF-8
COMMANDS = ("capture", "show-capture", "show-reflection", "show-review", "show-welcome", "ping",
            "quit", "focus-changed")


class ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def runtime_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The private folder for the tray's socket: $XDG_RUNTIME_DIR when it is this user's
    alone (as the XDG spec promises), else a folder of our own, wise-UID, in TMPDIR or
    /tmp. Never a shared folder itself: a name there is predictable, so another user could
    listen on it first (the tray creates wise-UID 0700 and both ends check its owner)."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(xdg):
        try:
            check_private_folder(Path(xdg))
            return Path(xdg)
        except (OSError, Untrusted):
            pass  # gone, or not private: not a place for the journal's text
    base = env.get("TMPDIR") or "/tmp"  # noqa: S108  (a private folder of ours inside)
    return Path(base) / f"wise-{_user_id()}"


def socket_path(data_dir: Path, environ: Mapping[str, str] | None = None) -> Path:
    """A per-user, per-WISE_HOME socket path, short enough for AF_UNIX (108 bytes)."""
    # A checksum, not a hash: it only has to tell one user's data folders apart, and
    # hashlib would cost the CLI's capture path 2 ms to import.
    digest = f"{zlib.crc32(str(data_dir.resolve()).encode()):08x}"
    return runtime_dir(environ) / f"wise-{_user_id()}-{digest}.sock"


def _user_id() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.getlogin()


def encode(message: dict | Reply) -> bytes:
    """A request (a dict: the client builds it from its arguments) or a typed reply
    (app.ipc.replies: the tray's)."""
    if isinstance(message, dict):
        data = message
    else:
        from app.results import to_json

        data = to_json(message)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def decode_request(line: bytes) -> dict:
    """One request line -> a validated request, or ProtocolError saying what is wrong."""
    if len(line) > MAX_LINE_BYTES:
        raise ProtocolError("too-large", f"a request may be at most {MAX_LINE_BYTES} bytes")
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("bad-json", "each request must be one line of UTF-8 JSON") from None
    except RecursionError:  # [[[[... a hundred thousand deep: answered at once, not logged
        raise ProtocolError("bad-json", "the request is nested too deeply") from None
    if not isinstance(message, dict):
        raise ProtocolError("bad-request", "a request must be a JSON object")
    command = message.get("cmd")
    if command not in COMMANDS:
        raise ProtocolError("unknown-command",
                            f"unknown command {command!r}; known: {', '.join(COMMANDS)}")
    if command == "capture" and not isinstance(message.get("text"), str):
        raise ProtocolError("bad-request", "capture needs a \"text\" string")
    uid = message.get("uid")
    if uid is not None and (not isinstance(uid, str) or len(uid) > 64):
        raise ProtocolError("bad-request", "\"uid\" must be a short string")
    return message

