"""The tray's socket trusts only this user: a stranger at its place never receives a
capture's text, never makes `wise capture` say "Saved" for nothing, and never stops
`wise tray` with "already running"; the tray shuts out other users' connections.

Another user is real where the tests run as root (CI does): a Python child starts as
root, imports what it needs, then drops to uid 65534 (os.setuid) before it listens or
connects, so the kernel reports that uid to its peer. Elsewhere those tests are skipped;
the folder-mode test runs as any user.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ipc.protocol import socket_path
from tests.integration.test_tray_process import ROOT, alive, rows, stop

STRANGER = 65534  # nobody

# Everything imported first: once it is uid 65534 the child cannot read much.
BECOME_STRANGER = f"""
import json, os, socket, sys
os.setgroups([])
os.setgid({STRANGER})
os.setuid({STRANGER})
"""

# Binds argv[1] (a socket file then handed to the stranger), becomes the stranger, listens
# (the kernel reports the listener's credentials as of listen()), records every byte it
# is sent, and answers like a tray would, so that a client that trusts it prints "Saved"
# for a capture nobody stored.
LISTENER = f"""
import json, os, socket, sys
path = sys.argv[1]
server = socket.socket(socket.AF_UNIX)
server.bind(path)
os.chown(path, {STRANGER}, {STRANGER})
os.chmod(path, 0o777)
""" + BECOME_STRANGER + r"""
server.listen(16)
print("ready", os.getuid(), flush=True)
while True:
    conn, _ = server.accept()
    data = conn.recv(65536)
    print("got", data.hex(), flush=True)
    conn.sendall(json.dumps({"id": None, "ok": True, "result": {
        "saved": True, "summary": "note 1: (not saved anywhere)", "pid": 1,
        "shown": True, "warnings": []}}).encode() + b"\n")
    conn.close()
"""

needs_stranger = pytest.mark.skipif(os.geteuid() != 0,
                                    reason="needs root to act as another user (CI runs as "
                                           "root)")


class Stranger:
    """A listener of another user's, and what it was sent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.process = subprocess.Popen([sys.executable, "-c", LISTENER, str(path)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        ready = self.process.stdout.readline()
        assert ready.startswith(f"ready {STRANGER}"), ready + self.process.stderr.read()
        self.received: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            data = bytes.fromhex(line[4:].strip()) if line.startswith("got ") else b""
            if data:  # a client that hangs up at once (it checked us) sends nothing
                self.received.append(data)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)
        self._reader.join(10)
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder like /tmp: anyone may create in it (sticky, 1777). Not under pytest's
    own temporary folder, which other users cannot enter."""
    folder = Path(tempfile.mkdtemp(prefix="wise-test-shared-", dir="/tmp"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "TMPDIR")}
    return {**env, "WISE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", **extra}


def wise(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def doctor_check(env: dict[str, str], name: str) -> dict:
    checks = json.loads(wise(env, "doctor", "--json").stdout)["checks"]
    return next(check for check in checks if check["name"] == name)


def start_tray(env: dict[str, str], output: Path) -> subprocess.Popen:
    with open(output, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "ui.launcher", "tray"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for_log(home: Path, words: str, tray: subprocess.Popen, timeout: float = 60) -> str:
    log = home / "logs" / "wise.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert alive(tray), f"the tray ended ({tray.poll()})"
        text = log.read_text() if log.exists() else ""
        if words in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{words!r} never appeared in {log}")


def assert_captured_directly(result: subprocess.CompletedProcess, home: Path, text: str,
                             why: str) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert why in result.stderr and "written to your journal directly" in result.stderr
    assert result.stdout.startswith(f"Saved note 1: {text}"), result.stdout
    assert rows(home, "SELECT text FROM entries") == [(text,)]


@needs_stranger
def test_a_strangers_folder_where_the_socket_goes_is_never_trusted(
        tmp_path: Path, shared_tmp: Path) -> None:
    """No XDG_RUNTIME_DIR: the socket goes in a folder of ours inside the shared /tmp.
    Another user made that folder first and listens where the socket would be."""
    home = tmp_path / "wise-home"
    env = env_for(home, TMPDIR=str(shared_tmp))
    path = socket_path(home, env)
    squatted = path.parent
    squatted.mkdir(mode=0o777)  # made first by the stranger (mkdir, then chown: root can)
    os.chown(squatted, STRANGER, STRANGER)
    stranger = Stranger(path)
    tray = None
    try:
        secret = "my secret diary line"
        result = wise(env, "capture", secret)
        # Said plainly: whose the folder is, that Wise never uses it, and what to do.
        whose = f"{squatted} belongs to another user, {pwd.getpwuid(STRANGER).pw_name} "
        what_to_do = (f"Remove it (sudo rm -r {squatted}), or set XDG_RUNTIME_DIR to a "
                      "folder only you can open")
        assert_captured_directly(result, home, secret, whose)
        assert "Wise never uses it" in result.stderr and what_to_do in result.stderr
        status = wise(env, "status").stdout
        assert whose in status and what_to_do in status
        doctor = doctor_check(env, "tray socket")
        assert doctor["status"] == "warning" and what_to_do in doctor["detail"]

        tray = start_tray(env, tmp_path / "tray-output.txt")
        wait_for_log(home, "the tray runs without its socket", tray)
        time.sleep(1.0)
        assert alive(tray), (tmp_path / "tray-output.txt").read_text()
        assert "already running" not in (tmp_path / "tray-output.txt").read_text()
    finally:
        if tray is not None:
            stop(tray)
        stranger.stop()
    assert stranger.received == []


@needs_stranger
def test_a_socket_whose_listener_is_another_user_is_never_trusted(
        tmp_path: Path, shared_tmp: Path) -> None:
    """Folder and socket file look like ours (root can arrange that); only the process
    at the other end (SO_PEERCRED) tells: it runs as another user."""
    home = tmp_path / "wise-home"
    env = env_for(home, XDG_RUNTIME_DIR=str(tmp_path))
    path = socket_path(home, env)
    stranger = Stranger(shared_tmp / "bound-by-the-stranger.sock")
    tray = None
    try:
        os.rename(stranger.path, path)  # a bound socket keeps working under a new name
        os.chown(path, os.getuid(), os.getgid())
        path.chmod(0o700)
        secret = "another private line"
        result = wise(env, "capture", secret)
        assert_captured_directly(result, home, secret, "runs as another user")

        tray = start_tray(env, tmp_path / "tray-output.txt")
        wait_for_log(home, " started (pid ", tray)
        assert "already running" not in (tmp_path / "tray-output.txt").read_text()
        # The tray took the socket's place, so captures go through it again.
        through = wise(env, "capture", "through our own tray")
        assert through.returncode == 0 and through.stderr == "", through.stderr
        assert "capture request over the socket" in (home / "logs" / "wise.log").read_text()
    finally:
        if tray is not None:
            stop(tray)
        stranger.stop()
    assert stranger.received == []


def test_a_socket_folder_open_to_others_is_not_trusted_and_the_tray_tightens_it(
        tmp_path: Path) -> None:
    """A folder of ours, but mode 777: anyone could have put the socket there. The CLI
    does not send text into it; the tray (it is ours) makes it 0700 and listens."""
    home = tmp_path / "wise-home"
    env = env_for(home, TMPDIR=str(tmp_path / "tmp"))
    path = socket_path(home, env)
    path.parent.mkdir(parents=True)
    path.parent.chmod(0o777)
    received: list[bytes] = []
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    received.append(conn.recv(65536))

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    tray = None
    try:
        secret = "a line for nobody else"
        result = wise(env, "capture", secret)
        assert_captured_directly(result, home, secret, "can be used by other users")
        assert doctor_check(env, "tray socket")["status"] == "warning"

        tray = start_tray(env, tmp_path / "tray-output.txt")
        log = wait_for_log(home, " started (pid ", tray)
        assert "it is private (0700) now" in log
        assert path.parent.stat().st_mode & 0o777 == 0o700
        assert wise(env, "capture", "now through the tray").returncode == 0
        assert doctor_check(env, "tray socket")["status"] == "ok"
    finally:
        if tray is not None:
            stop(tray)
        listener.close()
        server.join(10)
    assert all(secret.encode() not in data for data in received)


@needs_stranger
def test_the_tray_shuts_out_another_users_connection(tmp_path: Path,
                                                     shared_tmp: Path) -> None:
    """Even when the folder and socket modes let another user in (changed by hand, or
    root), the tray closes that user's connections without reading a request."""
    home = tmp_path / "wise-home"
    env = env_for(home, TMPDIR=str(shared_tmp))
    path = socket_path(home, env)
    tray = start_tray(env, tmp_path / "tray-output.txt")
    try:
        wait_for_log(home, " started (pid ", tray)
        path.parent.chmod(0o711)
        path.chmod(0o777)
        ping = BECOME_STRANGER + (
            "s = socket.socket(socket.AF_UNIX); s.settimeout(20)\n"
            "s.connect(sys.argv[1]); s.sendall(b'{\"cmd\": \"ping\"}\\n')\n"
            "print(repr(s.recv(65536)))\n")
        answer = subprocess.run([sys.executable, "-c", ping, str(path)],
                                capture_output=True, text=True, timeout=60, check=False)
        assert answer.stdout.strip() in ("b''", ""), answer.stdout  # hung up, no reply
        assert "pid" not in answer.stdout
        log = wait_for_log(home, "refused a connection to the socket", tray)
        assert f"uid {STRANGER}" in log
        assert alive(tray)
    finally:
        stop(tray)
    assert tray.returncode in (0, -signal.SIGKILL)
    output = (tmp_path / "tray-output.txt").read_text()
    assert "Traceback" not in output
