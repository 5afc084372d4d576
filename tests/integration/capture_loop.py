"""A child process for the durability and concurrency tests: captures in a loop, in-process.

    python capture_loop.py PREFIX COUNT [--wait] [--cli]

Imports the capture service once, prints "ready", then (with --wait) blocks until a line
arrives on standard input, the barrier that lets several children start together. Then it
captures "PREFIX 0", "PREFIX 1", ... (COUNT of them; 0 means until killed) into the journal
at $WISE_HOME, each through `capture()` exactly as `wise capture` does, and prints
"ack <uid>" only after `capture()` has returned, i.e. after the row was committed.
With --cli each capture is the whole `wise capture --json TEXT` command instead (through
the running tray when there is one, directly when not), run in this process; its exit
code must be 0. Finally it prints "done <count>". Any error ends it with a traceback (or
the command's message) and a non-zero code.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys

from app.capture.service import capture
from app.cli.main import main as wise
from app.journal import Context


def through_the_command(text: str) -> str:
    """`wise capture --json TEXT` in this process: the uid it acknowledged."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = wise(["capture", "--json", text])
    if code != 0:
        raise SystemExit(f"`wise capture {text!r}` ended with {code}")
    return json.loads(printed.getvalue())["uid"]


def main(argv: list[str]) -> int:
    prefix, count = argv[0], int(argv[1])
    wait = "--wait" in argv[2:]
    cli = "--cli" in argv[2:]
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    if wait and not sys.stdin.readline():
        return 3  # the parent went away before releasing us
    n = 0
    while count == 0 or n < count:
        text = f"{prefix} {n}"
        uid = (through_the_command(text) if cli
               else capture(Context.from_environment(), text).saved.uid)
        # One write() of a short line: atomic on a pipe, so a kill never leaves half an ack.
        out.write(f"ack {uid}\n")
        out.flush()
        n += 1
    out.write(f"done {n}\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
