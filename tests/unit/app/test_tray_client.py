"""The socket client's wait for a tray that has its request: a stalled tray (alive, its
socket accepting, nothing answering) is given up on once it does not answer a ping; a
slow one (answering pings while its journal commits) is waited for. A stand-in tray on a
real Unix socket, in a private folder of the test's own."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.cli import capture_cmd, open_cmd
from app.cli.main import main
from app.ipc import client as client_module
from app.ipc.client import TrayClient, TrayLost, TrayStalled
from app.ipc.protocol import socket_path as tray_socket_path
from app.paths import resolve_paths


class StandIn:
    """Accepts every connection and reads its request line; `answer(request)` gives the
    reply line or None to leave it unanswered (the connection kept open, as a stopped
    tray's would be)."""

    def __init__(self, path: Path, answer: Callable[[dict], dict | None]) -> None:
        self.requests: list[dict] = []
        self.seen = threading.Condition()
        self.answer = answer
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(path))
        path.chmod(0o600)
        self.server.listen(8)
        self.kept: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.kept.append(conn)
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError):
            request = json.loads(conn.makefile("rb").readline())
            with self.seen:
                self.requests.append(request)
                self.seen.notify_all()
            reply = self.answer(request)
            if reply is not None:
                conn.sendall(json.dumps(reply).encode() + b"\n")

    def commands(self, count: int) -> list[str]:
        """The commands of the first `count` requests, once that many arrived, sorted
        (each connection is read on a thread of its own)."""
        with self.seen:
            assert self.seen.wait_for(lambda: len(self.requests) >= count, timeout=60)
            return sorted(r["cmd"] for r in self.requests)

    def close(self) -> None:
        self.server.close()
        for conn in self.kept:
            conn.close()


@pytest.fixture
def socket_path(tmp_path: Path) -> Path:
    folder = tmp_path / "runtime"
    folder.mkdir(mode=0o700)
    return folder / "wise-tray.sock"


@pytest.fixture
def stand_in(socket_path: Path) -> Iterator[Callable[..., StandIn]]:
    made: list[StandIn] = []

    def make(answer: Callable[[dict], dict | None]) -> StandIn:
        made.append(StandIn(socket_path, answer))
        return made[-1]

    yield make
    for tray in made:
        tray.close()


CAPTURE = {"cmd": "capture", "text": "a thought", "uid": "u-1"}


def test_a_stalled_tray_is_given_up_on_when_it_does_not_answer_a_ping(
        socket_path: Path, stand_in, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the ping, the capture waited out the whole timeout (10 s) before writing
    directly."""
    monkeypatch.setattr(client_module, "PING_TIMEOUT_S", 0.2)  # nothing will answer it
    tray = stand_in(lambda request: None)
    client = TrayClient(socket_path, timeout=600, stall_check_s=0.1)
    with pytest.raises(TrayStalled, match="the tray stalled: it did not answer a ping") as stalled:
        client.request(CAPTURE)
    assert tray.commands(2) == ["capture", "ping"]
    # The process at the socket (here the test's own, which listens): named to the person.
    assert stalled.value.pid == (os.getpid() if hasattr(socket, "SO_PEERCRED") else None)


def test_a_slow_tray_that_answers_pings_is_waited_for(socket_path: Path, stand_in) -> None:
    """Its commit takes long (a busy disk): the capture is answered after the first ping,
    and the client, having seen the tray alive, was still waiting for it."""
    pinged = threading.Event()

    def answer(request: dict) -> dict:
        if request["cmd"] == "ping":
            pinged.set()
            return {"ok": True, "result": {"pid": 1}}
        pinged.wait(600)  # a hang guard; the client pings after its stall check
        return {"id": None, "ok": True, "result": {"saved": True, "uid": request["uid"]}}

    tray = stand_in(answer)
    client = TrayClient(socket_path, timeout=600, stall_check_s=0.05)
    assert client.request(CAPTURE) == {"saved": True, "uid": "u-1"}
    assert tray.commands(2) == ["capture", "ping"]


def test_without_a_stall_check_the_timeout_alone_ends_the_wait(socket_path: Path,
                                                              stand_in) -> None:
    tray = stand_in(lambda request: None)
    with pytest.raises(TrayLost, match="timed out"):
        TrayClient(socket_path, timeout=0.2).request(CAPTURE)
    assert tray.commands(1) == ["capture"]



@pytest.mark.parametrize(("argv", "shown"), [
    (["open", "reflection"], "show-reflection"),
    (["review"], "show-review"),
    (["capture"], "show-capture"),
])
def test_opening_a_window_of_a_stalled_tray_says_so_at_once(
        argv: list[str], shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`wise open`, `wise review`, `wise capture` alone: the same stall check as a capture's
    (they waited out the whole 10 s, then started a second tray beside the stalled one),
    then one line naming the tray's process and what to do, and a failing exit."""
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    for module in (open_cmd, capture_cmd):
        monkeypatch.setattr(module, "STALL_CHECK_S", 0.05)
    monkeypatch.setattr(client_module, "PING_TIMEOUT_S", 0.2)  # nothing will answer it
    tray = StandIn(tray_socket_path(resolve_paths().data_dir), lambda request: None)
    try:
        assert main(argv) == 1
        assert tray.commands(2) == sorted(["ping", shown])
    finally:
        tray.close()
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    pid = os.getpid() if hasattr(socket, "SO_PEERCRED") else None
    if pid is None:
        assert "Wise's tray is not answering" in err
    else:
        assert f"Wise's tray (pid {pid}) is not answering" in err
        assert f"`kill {pid}`" in err
    if argv == ["capture"]:
        assert 'wise capture "TEXT"` still saves to your journal directly' in err
