"""The real tray process: one instance, captures through its socket, stale-socket recovery,
garbage on the socket, and clean shutdown. Qt runs on the offscreen platform."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
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
from tests.helpers import ReadOnlyFolder, assert_write_lock_free, quiesce

ROOT = Path(__file__).resolve().parents[2]


def tray_env(home: Path) -> dict[str, str]:
    return {**os.environ, "WISE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
            "XDG_RUNTIME_DIR": str(home.parent)}


def start_tray(home: Path, *extra: str, prefix: tuple[str, ...] = ()) -> subprocess.Popen:
    home.mkdir(parents=True, exist_ok=True)
    with open(home.parent / "tray-output.txt", "ab") as log:  # the child keeps its own copy
        return subprocess.Popen([*prefix, sys.executable, "-m", "ui.launcher", "tray", *extra],
                                cwd=ROOT, env=tray_env(home), stdout=log,
                                stderr=subprocess.STDOUT)


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


def wait_for_windows(home: Path, expected: dict[str, bool], timeout: float = 60) -> dict:
    """Until the tray says these windows are on screen (and loaded, for True)."""
    client = client_for(home)
    deadline = time.monotonic() + timeout
    windows: dict = {}
    while time.monotonic() < deadline:
        info = client.is_running()
        windows = info.get("windows", {}) if isinstance(info, dict) else {}
        if all(windows.get(name) == loaded for name, loaded in expected.items()):
            return windows
        time.sleep(0.05)
    raise AssertionError(f"the tray shows {windows}, not {expected}")


def read_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def alive(process: subprocess.Popen) -> bool:
    return process.poll() is None


def stop(process: subprocess.Popen) -> None:
    if alive(process):
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def tray(wise_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen]:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    process = start_tray(wise_home)
    wait_until_ready(wise_home, process)
    yield process
    stop(process)


def wise_cli(home: Path, *args: str, prefix: tuple[str, ...] = ()
             ) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "ui.launcher", *args], cwd=ROOT,
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
                    b"[]\n", b'{"cmd": "capture", "text": 5}\n',
                    b"[" * 100_000 + b"]" * 100_000 + b"\n"):
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
    # Their reads and first paint, on the tray's threads: until both say they loaded.
    wait_for_windows(wise_home, {"reflection": True, "review": True})
    assert tray.poll() is None
    # Alembic ran in a child; the windows read and write with plain sqlite3; model work
    # runs in `wise` children: none of it is mapped into the tray.
    assert mapped_packages(tray.pid) == set()


def test_half_an_emoji_is_saved_replaced_and_leaves_the_journal_free(
        tray, wise_home: Path) -> None:
    """What a JavaScript client sends for half an emoji: a lone surrogate. It is saved
    with U+FFFD in its place (as undecodable bytes on stdin are), and the tray's writer
    is left outside any transaction: other writers and the next capture go ahead."""
    client = client_for(wise_home)
    path = str(socket_path(wise_home))
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(30)
        sock.connect(path)
        sock.sendall(b'{"cmd": "capture", "text": "half \\ud83d emoji"}\n')
        reply = json.loads(read_line(sock))  # one recv may return part of it under load
    assert reply["ok"] is True, reply
    assert reply["result"]["text"] == "half \ufffd emoji"
    assert "replaced" in reply["result"]["warnings"][0]
    assert_write_lock_free(wise_home / "wise.db")
    assert wise_cli(wise_home, "goals", "add", "Another writer").returncode == 0
    assert client.request({"cmd": "capture", "text": "and the next"})["saved"] is True
    assert rows(wise_home, "SELECT text FROM entries ORDER BY id") == [
        ("half \ufffd emoji",), ("and the next",)]


def test_the_log_is_private(tray, wise_home: Path) -> None:
    assert wise_cli(wise_home, "capture", "something to log about").returncode == 0
    logs = wise_home / "logs"
    assert logs.stat().st_mode & 0o777 == 0o700
    assert (logs / "wise.log").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_trays_started_at_the_same_moment_leave_exactly_one_running(
        wise_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The socket alone let two trays started ~0.1 s apart both run (two schedulers,
    two check-ins). The instance lock decides: one runs, the others say so and leave."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    for round_no in range(6):
        trays = [start_tray(wise_home) for _ in range(3)]
        try:
            deadline = time.monotonic() + 90
            while sum(map(alive, trays)) > 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            # All but one ended, each with exit 0; the one left answers on the socket.
            losers = [t for t in trays if not alive(t)]
            assert len(losers) == 2, f"round {round_no}: {[t.poll() for t in trays]}"
            assert all(t.returncode == 0 for t in losers)
            [winner] = [t for t in trays if alive(t)]
            wait_until_ready(wise_home, winner)
            assert client_for(wise_home).is_running()["pid"] == winner.pid
        finally:
            for tray in trays:
                stop(tray)
    output = (wise_home.parent / "tray-output.txt").read_text()
    assert output.count("already running") == 12, output
    started = (wise_home / "logs" / "wise.log").read_text().count(" started (pid ")
    assert started == 6


@pytest.mark.parametrize("logs", ["a writable log folder", "no log folder either"])
def test_on_a_read_only_data_folder_the_tray_starts_and_no_text_reaches_its_log(
        wise_home: Path, monkeypatch: pytest.MonkeyPatch, logs: str) -> None:
    """The journal and the rescue file cannot be written: the tray still starts (it
    crashed), answers a capture with "failed", keeps the text out of its log (it wrote
    it there), and `wise capture` prints it for the user to copy."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    assert wise_cli(wise_home, "capture", "written before").returncode == 0
    quiesce(wise_home / "wise.db")
    if logs == "a writable log folder":
        (wise_home / "logs").mkdir(mode=0o700, exist_ok=True)
    else:
        shutil.rmtree(wise_home / "logs", ignore_errors=True)
    text = "a private thought with nowhere to go"
    with ReadOnlyFolder(wise_home) as read_only:
        tray = start_tray(wise_home, prefix=read_only.prefix)
        try:
            wait_until_ready(wise_home, tray)
            result = wise_cli(wise_home, "capture", text, prefix=read_only.prefix)
            assert result.returncode == 1, result.stdout + result.stderr
            assert "Traceback" not in result.stderr
            assert "could not be kept on disk" in result.stderr
            assert result.stderr.rstrip().endswith(text)  # there to copy
            assert alive(tray)
        finally:
            stop(tray)
    assert tray.returncode == 0
    output = (wise_home.parent / "tray-output.txt").read_text()
    assert "Traceback" not in output
    log = wise_home / "logs" / "wise.log"
    if logs == "a writable log folder":
        assert "a capture could not be saved" in log.read_text()
        assert text not in log.read_text()
    else:
        assert not log.exists() and "logging to standard error" in output
    assert text not in output
    assert rows(wise_home, "SELECT text FROM entries") == [("written before",)]


def test_a_full_socket_queue_falls_back_to_a_direct_write_and_says_so_once(
        tray, wise_home: Path) -> None:
    """A burst of connections fills the socket's queue (here: the tray is stopped and
    the queue filled by hand). Captures are written directly, as before, and the log
    says so once, without their text."""
    path = str(socket_path(wise_home))
    waiting: list[socket.socket] = []
    tray.send_signal(signal.SIGSTOP)
    try:
        while len(waiting) < 5000:
            sock = socket.socket(socket.AF_UNIX)
            sock.setblocking(False)
            try:
                sock.connect(path)
            except BlockingIOError:  # EAGAIN: the queue is full
                sock.close()
                break
            waiting.append(sock)
        secrets = [f"written during the burst {n}" for n in range(3)]
        for secret in secrets:
            result = wise_cli(wise_home, "capture", secret)
            assert result.returncode == 0 and result.stderr == "", result.stderr
    finally:
        for sock in waiting:
            sock.close()
        tray.send_signal(signal.SIGCONT)
    assert sorted(rows(wise_home, "SELECT text FROM entries")) == [(s,) for s in secrets]
    log = (wise_home / "logs" / "wise.log").read_text()
    assert log.count("too many waiting connections") == 1, log
    assert not any(secret in log for secret in secrets)
    wait_until_ready(wise_home, tray)  # the queue drains, and the tray goes on


def test_wise_review_and_reflection_open_the_running_trays_windows(tray,
                                                                  wise_home: Path) -> None:
    result = wise_cli(wise_home, "review")
    assert result.returncode == 0, result.stderr
    wait_for_windows(wise_home, {"review": True})
    result = wise_cli(wise_home, "open", "reflection", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"window": "reflection", "shown": True,
                                         "started": False}
    wait_for_windows(wise_home, {"reflection": True, "review": True})


def test_wise_open_starts_the_tray_when_it_is_not_running(
        wise_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    wise_home.mkdir(parents=True, exist_ok=True)
    result = wise_cli(wise_home, "open", "reflection", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["started"] is True and answer["window"] == "reflection"
    client = client_for(wise_home)
    try:
        windows = wait_for_windows(wise_home, {"reflection": True})
        assert "review" not in windows
        assert client.is_running()["pid"] == answer["pid"]  # the tray this command started
    finally:
        info = client.is_running()
        if info is not None:
            client.request({"cmd": "quit"})
            deadline = time.monotonic() + 30
            while client.is_running() is not None and time.monotonic() < deadline:
                time.sleep(0.1)


def test_wise_open_refuses_an_unknown_window(wise_home: Path) -> None:
    result = wise_cli(wise_home, "open", "cellar")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
