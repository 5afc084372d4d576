"""A private D-Bus session bus for a test: a dbus-daemon of its own on a socket in a fresh
folder, with nothing D-Bus-activated on it (no <servicedir>: an installed notification
daemon would otherwise be started on it)."""

from __future__ import annotations

import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import require_tools

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>{listen}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class Bus:
    address: str
    process: subprocess.Popen
    folder: Path


@contextmanager
def start_bus(socket_name: str | None = None) -> Iterator[Bus]:
    """Start a dbus-daemon; with `socket_name`, it listens at FOLDER/socket_name (as a
    desktop's bus sits at $XDG_RUNTIME_DIR/bus), else at a random name in FOLDER."""
    require_tools("dbus-daemon", install="dbus")
    folder = Path(tempfile.mkdtemp(prefix="wise-bus-"))  # short: socket paths are limited
    listen = f"unix:path={folder / socket_name}" if socket_name else f"unix:dir={folder}"
    config = folder / "bus.conf"
    config.write_text(BUS_CONFIG.format(listen=listen))
    process = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork",
                                "--print-address=1"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        address = process.stdout.readline().decode().strip() if ready else ""
        if not address:
            pytest.fail("dbus-daemon did not print its address")
        yield Bus(address, process, folder)
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)
