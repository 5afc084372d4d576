"""A real WebDAV server for the sync tests: `rclone serve webdav` on 127.0.0.1, serving a
folder of the test's own, with a user and password."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import require_tools

USER, PASSWORD = "me", "dav-password"
STARTED = re.compile(r"WebDav Server started on \[?http://127\.0\.0\.1:(\d+)/")


@contextmanager
def rclone_webdav(served: Path) -> Iterator[str]:
    """Serve `served` (made if missing) until the block ends; yields the address of a
    `wise/` collection inside it. Skips, saying what to install, without rclone.

    rclone binds port 0 itself and says which port it got ("WebDav Server started on
    http://127.0.0.1:PORT/"): a port picked here and handed to it could be taken meanwhile
    by a test beside this one."""
    require_tools("rclone", install="rclone")
    served.mkdir(parents=True, exist_ok=True)
    log = served.with_name(f"{served.name}-rclone.log")
    with log.open("wb") as sink:  # the server keeps its own copy
        server = subprocess.Popen(
            ["rclone", "serve", "webdav", str(served), "--addr", "127.0.0.1:0",
             "--user", USER, "--pass", PASSWORD, "--config", "/dev/null"],
            stdout=subprocess.DEVNULL, stderr=sink)
    try:
        yield f"http://127.0.0.1:{_served_port(server, log)}/wise/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _served_port(server: subprocess.Popen, log: Path) -> int:
    deadline = time.monotonic() + 30  # a hang guard: it says so as it starts
    while True:
        said = log.read_text(encoding="utf-8", errors="replace")
        found = STARTED.search(said)
        if found:
            return int(found.group(1))
        if server.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"rclone serve webdav did not start: {said[-500:]}")
        time.sleep(0.05)
