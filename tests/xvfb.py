"""A private virtual X server for tests and benchmarks: Xvfb picks a free display itself
and reports it (-displayfd) once it accepts connections."""

from __future__ import annotations

import os
import select
import subprocess
import time
from typing import Any


def start_xvfb(*, screen: str = "1280x800x24", timeout: float = 15.0,
               **popen_kwargs: Any) -> tuple[subprocess.Popen, str]:
    """Start Xvfb; returns the process and its display (":N"). RuntimeError (after
    stopping it) when it does not report a display within `timeout` seconds."""
    read_fd, write_fd = os.pipe()
    popen_kwargs.setdefault("stdout", subprocess.DEVNULL)
    popen_kwargs.setdefault("stderr", subprocess.DEVNULL)
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
        pass_fds=(write_fd,), **popen_kwargs)
    os.close(write_fd)
    try:
        number = b""
        deadline = time.monotonic() + timeout
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_fd, 16) if ready else b""
            if not chunk:
                server.kill()
                server.wait()
                raise RuntimeError("Xvfb did not report its display")
            number += chunk
    finally:
        os.close(read_fd)
    return server, f":{int(number)}"
