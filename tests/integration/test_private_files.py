"""Every folder and file Wise creates is private (0700 folders, 0600 files), from the tray's
very first start and from the CLI, under WISE_HOME and at the default location, whatever
the umask of the process that starts Wise."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ipc.client import TrayClient
from app.ipc.protocol import socket_path

ROOT = Path(__file__).resolve().parents[2]
# The usual umask of a desktop session: without explicit modes, folders come out 0755.
SESSION_UMASK = 0o022


def _environment(tmp_path: Path, *, wise_home: Path | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("WISE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path))
    if wise_home is not None:
        env["WISE_HOME"] = str(wise_home)
    else:
        env["XDG_DATA_HOME"] = str(tmp_path / "xdg" / "data")
        env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg" / "config")
    return env


def _wise(env: dict[str, str], *args: str, output: Path | None = None) -> subprocess.Popen:
    sink = open(output, "ab") if output else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen([sys.executable, "-m", "ui.launcher", *args], cwd=ROOT,
                                env=env, stdout=sink, stderr=subprocess.STDOUT,
                                umask=SESSION_UMASK)
    finally:
        if output:
            sink.close()


def _bad_modes(*roots: Path) -> list[str]:
    """Every folder under the roots (and the roots) not 0700, every file not 0600."""
    found = []
    for root in roots:
        assert root.is_dir(), f"{root} was not created"
        for folder, _dirs, files in os.walk(root):
            mode = stat.S_IMODE(os.stat(folder).st_mode)
            if mode != 0o700:
                found.append(f"{folder} {mode:o}")
            for name in files:
                path = Path(folder) / name
                if stat.S_ISSOCK(path.lstat().st_mode):
                    continue
                mode = stat.S_IMODE(path.lstat().st_mode)
                if mode != 0o600:
                    found.append(f"{path} {mode:o}")
    return found


@pytest.fixture
def first_start(tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                ) -> Iterator[tuple[dict[str, str], Path, Path]]:
    """A tray started on a machine where Wise has never run, its capture committed:
    (environment, data folder, settings folder)."""
    default_location = request.param == "default location"
    home = None if default_location else tmp_path / "not" / "yet" / "wise"
    env = _environment(tmp_path, wise_home=home)
    data = tmp_path / "xdg" / "data" / "wise" if default_location else home
    config = tmp_path / "xdg" / "config" / "wise" if default_location else home
    assert not data.exists()
    output = tmp_path / "tray-output.txt"
    tray = _wise(env, "tray", output=output)
    monkeypatch.setenv("XDG_RUNTIME_DIR", env["XDG_RUNTIME_DIR"])  # where the socket is
    client = TrayClient(socket_path(data), timeout=10.0)
    try:
        deadline = time.monotonic() + 60
        while client.is_running() is None:
            assert tray.poll() is None, output.read_text()
            assert time.monotonic() < deadline, "the tray did not start listening"
            time.sleep(0.05)
        client.request({"cmd": "capture", "text": "first words #private"})
        # The journal is prepared (a `wise migrate` child) and the settings folder watched
        # a moment after the icon shows; wait for both.
        while not (config.is_dir() and (data / "wise.db").exists()):
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.05)
        yield env, data, config
    finally:
        tray.send_signal(signal.SIGTERM)
        try:
            tray.wait(15)
        except subprocess.TimeoutExpired:
            tray.kill()
            tray.wait()


@pytest.mark.parametrize("first_start", ["WISE_HOME", "default location"], indirect=True)
def test_the_trays_first_start_creates_everything_private(first_start) -> None:
    _env, data, config = first_start
    assert (data / "logs").is_dir()
    assert _bad_modes(data, config) == []


@pytest.mark.parametrize("first_start", ["WISE_HOME", "default location"], indirect=True)
def test_then_the_cli_adds_only_private_files(first_start) -> None:
    env, data, config = first_start
    for args in (("backup",), ("config", "set", "nudges.daily_cap", "2"),
                 ("nudge", "--dry-run")):
        done = subprocess.run([sys.executable, "-m", "ui.launcher", *args], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60,
                              umask=SESSION_UMASK, check=False)
        assert done.returncode == 0, done.stderr
    assert list((data / "backups").glob("wise-*.db"))
    assert (config / "settings.toml").exists()
    assert _bad_modes(data, config) == []
