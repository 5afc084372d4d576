"""The real tray process: one instance, captures through its socket, stale-socket recovery,
garbage on the socket, and clean shutdown. Qt runs on the offscreen platform."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ipc.client import TrayClient
from app.ipc.protocol import socket_path

ROOT = Path(__file__).resolve().parents[2]


def tray_env(home: Path) -> dict[str, str]:
    return {**os.environ, "WISE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
            "XDG_RUNTIME_DIR": str(home.parent)}


def start_tray(home: Path, *extra: str) -> subprocess.Popen:
    home.mkdir(parents=True, exist_ok=True)
    with open(home.parent / "tray-output.txt", "ab") as log:  # the child keeps its own copy
        return subprocess.Popen([sys.executable, "-m", "ui.launcher", "tray", *extra], cwd=ROOT,
                                env=tray_env(home), stdout=log, stderr=subprocess.STDOUT)


def client_for(home: Path) -> TrayClient:
    # XDG_RUNTIME_DIR is set by the `tray` fixture, as it is for the tray itself.
    return TrayClient(socket_path(home), timeout=5.0)


def wait_until_ready(home: Path, process: subprocess.Popen, timeout: float = 30) -> None:
    client = client_for(home)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, (home.parent / "tray-output.txt").read_text()
        if client.is_running():
            return
        time.sleep(0.05)
    raise AssertionError("the tray did not start listening")


@pytest.fixture
def tray(wise_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen]:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    process = start_tray(wise_home)
    wait_until_ready(wise_home, process)
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wise_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.launcher", *args], cwd=ROOT,
                          env=tray_env(home), capture_output=True, text=True, timeout=60,
                          check=False)


def rows(home: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(home / "wise.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_capture_goes_through_the_socket_and_is_committed(tray, wise_home: Path) -> None:
    result = wise_cli(wise_home, "capture", "--json", "through the tray #errand tomorrow")
    assert result.returncode == 0, result.stderr
    # The row exists the moment the command returns: acknowledged only after the commit.
    assert rows(wise_home, "SELECT title FROM actions") == [("through the tray",)]
    log = (wise_home / "logs" / "wise.log").read_text()
    assert "capture request over the socket" in log
    assert "through the tray" not in log  # journal text stays out of logs


def test_bad_capture_through_the_socket_is_refused_with_exit_2(tray, wise_home: Path) -> None:
    reply = client_for(wise_home)
    from app.ipc.client import TrayError

    with pytest.raises(TrayError) as caught:
        reply.request({"cmd": "capture", "text": "   "})
    assert caught.value.code == "bad-input"
    # Nothing was written (the journal may not even exist yet: it is prepared just after
    # the icon shows, and a refused capture does not need it).
    tables = rows(wise_home, "SELECT name FROM sqlite_master WHERE name = 'entries'")
    if tables:
        assert rows(wise_home, "SELECT count(*) FROM entries") == [(0,)]


def socket_captures_logged(home: Path) -> int:
    return (home / "logs" / "wise.log").read_text().count("capture request over the socket")


@pytest.mark.timeout(180)
def test_a_capture_retried_while_the_tray_stalls_is_saved_once(tray, wise_home: Path) -> None:
    """`wise capture` gives up on a tray that does not answer and writes directly, with the
    same uid; the tray, going on, finds that uid already saved: one row, not two."""
    assert wise_cli(wise_home, "capture", "before the stall").returncode == 0
    text = "written while the tray was stopped"
    os.kill(tray.pid, signal.SIGSTOP)
    try:
        stalled = wise_cli(wise_home, "capture", "--json", text)
    finally:
        os.kill(tray.pid, signal.SIGCONT)
    assert stalled.returncode == 0, stalled.stderr
    uid = json.loads(stalled.stdout)["uid"]
    assert rows(wise_home, f"SELECT uid FROM entries WHERE text = '{text}'") == [(uid,)]
    # The tray reads the request that waited on its socket, and saves it with the same
    # uid: the one row is found, not doubled. A capture after it, on the same worker,
    # is answered only once the earlier one is done.
    assert wise_cli(wise_home, "capture", "after the stall").returncode == 0
    assert socket_captures_logged(wise_home) == 3
    # ...and found there, not refused by the database (which would say so in the log).
    log = (wise_home / "logs" / "wise.log").read_text()
    assert " ERROR ui.app:" not in log, log
    assert rows(wise_home, f"SELECT uid FROM entries WHERE text = '{text}'") == [(uid,)]
    assert sorted(rows(wise_home, "SELECT text FROM entries")) == [
        ("after the stall",), ("before the stall",), (text,)]
    assert tray.poll() is None


def test_a_second_wise_does_not_start_a_second_tray(tray, wise_home: Path) -> None:
    second = wise_cli(wise_home, "tray")
    assert second.returncode == 0
    assert "already running" in second.stdout
    status = wise_cli(wise_home, "status", "--json")
    assert '"running": true' in status.stdout
    assert f'"pid": {tray.pid}' in status.stdout


def test_garbage_on_the_socket_gets_errors_and_the_tray_lives(tray, wise_home: Path) -> None:
    path = str(socket_path(wise_home))
    for payload in (b"not json\n", b"\x00\xff\xfe binary\n", b'{"cmd": "rm -rf"}\n',
                    b"[]\n", b'{"cmd": "capture", "text": 5}\n'):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(path)
            sock.sendall(payload)
            reply = sock.recv(65536)
        assert b'"ok":false' in reply, payload
    with socket.socket(socket.AF_UNIX) as sock:  # an endless line: refused, connection closed
        sock.settimeout(5)
        sock.connect(path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"x" * (300 * 1024))
        assert b"too-large" in sock.recv(65536)
    assert client_for(wise_home).is_running()["pid"] == tray.pid


def test_a_stale_socket_after_kill_9_is_recovered(tray, wise_home: Path) -> None:
    tray.kill()
    tray.wait()
    assert socket_path(wise_home).exists()  # what a crash leaves behind
    assert wise_cli(wise_home, "status", "--json").stdout.count('"running": false') == 1
    # With no tray, the CLI writes directly.
    assert wise_cli(wise_home, "capture", "while the tray is down").returncode == 0
    again = start_tray(wise_home)
    try:
        wait_until_ready(wise_home, again)
        assert wise_cli(wise_home, "capture", "after the restart").returncode == 0
        assert sorted(rows(wise_home, "SELECT text FROM entries")) == [
            ("after the restart",), ("while the tray is down",)]
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(10) == 0


def test_sigterm_and_quit_stop_the_tray_cleanly(tray, wise_home: Path) -> None:
    client_for(wise_home).request({"cmd": "quit"})
    assert tray.wait(10) == 0
    assert not client_for(wise_home).is_running()


def test_without_a_display_the_tray_says_so_instead_of_crashing(wise_home: Path) -> None:
    env = {k: v for k, v in tray_env(wise_home).items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "ui.launcher"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert "no graphical display" in proc.stderr and "wise capture" in proc.stderr
    assert "Traceback" not in proc.stderr


def mapped_packages(pid: int) -> set[str]:
    """Which heavy packages have compiled code mapped into process `pid`."""
    heavy = ("sqlalchemy", "pydantic_core", "litellm", "tiktoken", "_ssl")
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
        paths = {line.rstrip("\n").split(maxsplit=5)[-1] for line in maps}
    return {name for name in heavy for path in paths if f"/{name}" in path}


def test_the_ritual_windows_open_without_loading_the_orm_or_the_model(
        tray, wise_home: Path) -> None:
    # A first start: the tray had a `wise migrate` child create the journal.
    client = client_for(wise_home)
    deadline = time.monotonic() + 30
    while not (wise_home / "wise.db").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wise_cli(wise_home, "goals", "add", "Family", "--why", "to be there").returncode == 0
    assert wise_cli(wise_home, "capture", "+ called mum").returncode == 0
    for command in ("show-reflection", "show-review"):
        assert client.request({"cmd": command}) == {"shown": True}
    time.sleep(1.5)  # their reads and first paint, on the tray's threads
    assert tray.poll() is None
    # Alembic ran in a child; the windows read and write with plain sqlite3; model work
    # runs in `wise` children: none of it is mapped into the tray.
    assert mapped_packages(tray.pid) == set()
