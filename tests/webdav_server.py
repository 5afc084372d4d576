"""A real WebDAV server for the sync tests: `rclone serve webdav` on 127.0.0.1, serving a
folder of the test's own, with a user and password."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import require_tools

USER, PASSWORD = "me", "dav-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def rclone_webdav(served: Path) -> Iterator[str]:
    """Serve `served` (made if missing) until the block ends; yields the address of a
    `wise/` collection inside it. Skips, saying what to install, without rclone."""
    require_tools("rclone", install="rclone")
    served.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        ["rclone", "serve", "webdav", str(served), "--addr", f"127.0.0.1:{port}",
         "--user", USER, "--pass", PASSWORD, "--config", "/dev/null"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/wise/"
    finally:
        server.terminate()
        server.wait(timeout=10)
