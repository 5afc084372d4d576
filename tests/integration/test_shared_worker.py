"""The shared model worker for real: one `python -m app.llm.worker_main --serve` process
with real litellm behind a private Unix socket, asked by several clients at once, talking
real HTTP to the scripted OpenAI-compatible server (tests/fake_openai.py).

The worker costs seconds to start (litellm), so the module shares one, killed by the last
of them. What a client does when the worker ends at a bad moment, or when the socket is
not to be trusted, is tested against a listener of the test's own, and the socket's life
(idle exit, one worker at a time) against the real server loop (app.llm.shared_server)
with a stand-in for litellm's side: no litellm is needed to hang up or to idle.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.llm.shared_server import serve
from app.llm.shared_worker import PreferShared, SharedUnavailable, SharedWorker, shared_paths
from app.llm.types import ModelCall, ModelError
from tests.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.timeout(240)  # a hang guard: each worker start imports litellm

KEY = "sk-test-1234567890"
IDLE_S = 30  # the module's worker leaves this long after its last request


def model_call(server: FakeOpenAI, **overrides) -> ModelCall:
    fields = {"model": "openai/test-model", "api_base": server.base_url, "api_key": KEY,
              "messages": [{"role": "user", "content": "I went for a walk today."}],
              "timeout": 20.0, **overrides}
    return ModelCall(**fields)


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data folder whose shared worker the module's tests use."""
    home = tmp_path_factory.mktemp("shared-worker-home")
    yield home
    SharedWorker(home).quit()


def worker_pid(home: Path) -> int | None:
    try:
        return int(SharedWorker(home).ping(start=False)["pid"])
    except SharedUnavailable:
        return None


def test_one_worker_serves_every_process_and_streams(shared_home: Path,
                                                     fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("Three things done today.", chunk_delay=0.05))
    deltas: list[str] = []
    first = SharedWorker(shared_home, idle_exit_s=IDLE_S).call(
        model_call(fake_openai), stall_timeout_s=10, on_delta=deltas.append)
    assert first.text == "Three things done today."
    assert deltas == ["Three ", "things ", "done ", "today."]  # streamed, in order
    pid = worker_pid(shared_home)
    assert pid is not None and pid != os.getpid()
    socket_file = shared_paths(shared_home)[0]
    assert oct(socket_file.stat().st_mode & 0o777) == oct(0o600)
    assert oct(socket_file.parent.stat().st_mode & 0o777) == oct(0o700)
    # Another client (as another `wise` process would be) finds the same worker running.
    second = SharedWorker(shared_home, idle_exit_s=IDLE_S).call(model_call(fake_openai),
                                                                stall_timeout_s=10)
    assert second.text == "Hello from the fake model."
    assert worker_pid(shared_home) == pid
    assert fake_openai.requests[-1].headers["authorization"] == f"Bearer {KEY}"


def test_two_clients_at_once_are_served_at_once(shared_home: Path,
                                                fake_openai: FakeOpenAI) -> None:
    pid = worker_pid(shared_home)
    fake_openai.script(Reply("slow one", first_token_delay=1.5),
                       Reply("quick one", first_token_delay=1.5))
    results: dict[int, str] = {}

    def ask(index: int) -> None:
        reply = SharedWorker(shared_home, idle_exit_s=IDLE_S).call(model_call(fake_openai),
                                                                   stall_timeout_s=10)
        results[index] = reply.text

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    # Both requests reach the server while neither has been answered: served side by side.
    assert fake_openai.wait_for_requests(2, timeout=10)
    assert not results
    for thread in threads:
        thread.join(30)
    assert sorted(results.values()) == ["quick one", "slow one"]
    assert worker_pid(shared_home) == pid  # one worker, not one each


def test_a_client_that_hangs_up_cancels_its_request(shared_home: Path,
                                                    fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Reply("and on and on", endless=True, chunk_delay=0.05))
    cancel = threading.Event()
    deltas: list[str] = []

    def on_delta(text: str) -> None:
        deltas.append(text)
        if len(deltas) == 3:
            cancel.set()

    with pytest.raises(ModelError) as raised:
        SharedWorker(shared_home, idle_exit_s=IDLE_S).call(
            model_call(fake_openai), stall_timeout_s=10, on_delta=on_delta, cancel=cancel)
    assert raised.value.kind == "cancelled"
    assert fake_openai.wait_for_disconnects(1)  # the worker closed the HTTP stream too
    assert worker_pid(shared_home) is not None  # and goes on serving


def test_a_worker_killed_mid_request_leaves_the_request_to_a_private_worker(
        shared_home: Path, fake_openai: FakeOpenAI) -> None:
    """(Last of the module's tests of its worker: it kills it.)"""
    home = shared_home
    fake_openai.script(Reply("never arrives", first_token_delay=30),
                       Reply("Answered by the private worker."))
    access = PreferShared(SharedWorker(home, idle_exit_s=IDLE_S), idle_exit_s=60)
    deltas: list[str] = []
    outcome: dict = {}

    def ask() -> None:
        try:
            outcome["result"] = access.call(model_call(fake_openai, timeout=60),
                                            stall_timeout_s=10, on_delta=deltas.append)
        except BaseException as exc:  # reported by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=ask)
    thread.start()
    try:
        assert fake_openai.wait_for_requests(1, timeout=120)  # the worker is mid-request
        pid = worker_pid(home)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        thread.join(120)
        assert "error" not in outcome, outcome.get("error")
        assert outcome["result"].text == "Answered by the private worker."
        assert "".join(deltas) == "Answered by the private worker."  # once, not twice
        assert access.pid is not None and access.pid != pid  # this process's own worker
        assert len(fake_openai.requests) == 2
    finally:
        access.stop()


# -- a listener of the test's own at the worker's socket -----------------------------------


class Listener:
    """Binds the shared worker's socket for `home` and answers each connection with
    `lines` (then hangs up); records what it was sent."""

    def __init__(self, home: Path, lines: list[dict]) -> None:
        self.path = shared_paths(home)[0]
        self.path.parent.mkdir(mode=0o700, exist_ok=True)
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(str(self.path))
        self.path.chmod(0o600)
        self.server.listen(4)
        self.lines = lines
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                self.received.append(conn.recv(65536))
                for line in self.lines:
                    request_id = json.loads(self.received[-1])["id"]
                    conn.sendall(json.dumps({"id": request_id, **line}).encode() + b"\n")

    def close(self) -> None:
        self.server.close()
        self.path.unlink(missing_ok=True)


@pytest.fixture
def listener_home(tmp_path: Path) -> Path:
    return tmp_path / "listened"


def test_a_worker_that_ends_after_text_was_shown_is_not_asked_again(
        listener_home: Path, fake_openai: FakeOpenAI) -> None:
    listener = Listener(listener_home, [{"event": "accepted"},
                                        {"event": "delta", "text": "Half a rep"}])
    deltas: list[str] = []
    try:
        with pytest.raises(ModelError) as raised:
            SharedWorker(listener_home).call(model_call(fake_openai), stall_timeout_s=10,
                                             on_delta=deltas.append)
    finally:
        listener.close()
    assert raised.value.kind == "worker_died"  # the caller keeps the text it has
    assert deltas == ["Half a rep"]


def test_a_worker_that_hangs_up_before_taking_the_request_is_unavailable(
        listener_home: Path, fake_openai: FakeOpenAI) -> None:
    listener = Listener(listener_home, [])
    try:
        with pytest.raises(SharedUnavailable) as raised:
            SharedWorker(listener_home).call(model_call(fake_openai), stall_timeout_s=10)
    finally:
        listener.close()
    assert not raised.value.lasting  # the next request may find a worker again
    assert len(listener.received) == 1


@pytest.mark.allow_warning_logs("not using the shared model worker")
def test_a_socket_others_may_use_is_not_trusted(listener_home: Path,
                                                fake_openai: FakeOpenAI) -> None:
    listener = Listener(listener_home, [{"event": "accepted"}])
    listener.path.chmod(0o666)
    try:
        with pytest.raises(SharedUnavailable) as raised:
            SharedWorker(listener_home).call(model_call(fake_openai), stall_timeout_s=10)
    finally:
        listener.close()
    assert "mode 666" in str(raised.value) and raised.value.lasting
    assert listener.received == []  # not a byte of the request went there


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another "
                                                          "user (CI runs as root)")


@needs_root
@pytest.mark.allow_warning_logs("not using the shared model worker")
def test_a_socket_of_another_user_is_not_trusted(listener_home: Path,
                                                 fake_openai: FakeOpenAI) -> None:
    from tests.integration.test_socket_trust import STRANGER, Stranger

    path = shared_paths(listener_home)[0]
    path.parent.mkdir(mode=0o700, exist_ok=True)
    stranger = Stranger(path)  # listens as uid 65534
    try:
        # Its file, as it leaves it: another user's.
        with pytest.raises(SharedUnavailable, match=f"another user, .*\\(uid {STRANGER}\\)"):
            SharedWorker(listener_home).call(model_call(fake_openai), stall_timeout_s=10)
        # Made to look like ours (owner and mode): the peer's uid still gives it away.
        os.chown(path, os.getuid(), os.getgid())
        path.chmod(0o600)
        with pytest.raises(SharedUnavailable, match="runs as another user"):
            SharedWorker(listener_home).call(model_call(fake_openai), stall_timeout_s=10)
    finally:
        stranger.stop()
    assert stranger.received == []


# -- the socket's life, with a stand-in for litellm's side ----------------------------------


class NoModel:
    """What app.llm.shared_server needs of the worker, without litellm."""

    version = "none"

    def serve(self, request_id, call: dict, out, streams: list) -> None:
        out.send({"id": request_id, "event": "done", "model": call["model"]})

    @staticmethod
    def close_stream(stream) -> None:
        pass


def serving(home: Path, idle_exit_s: float) -> tuple[threading.Thread, list[int]]:
    path, lock, _log = shared_paths(home)
    exits: list[int] = []
    thread = threading.Thread(target=lambda: exits.append(serve(
        path, lock, idle_exit_s=idle_exit_s, make_worker=NoModel)), daemon=True)
    thread.start()
    return thread, exits


def test_one_worker_at_a_time_and_an_idle_one_leaves_with_its_socket(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first, first_exit = serving(home, idle_exit_s=1.5)
    deadline = time.monotonic() + 20
    while worker_pid(home) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker_pid(home) == os.getpid()  # the stand-in serves from this process
    assert SharedWorker(home).holder() == os.getpid()  # the lock says who holds it
    # A second one (two `wise` children started one each at the same moment) finds the
    # lock held and the first answering: it leaves at once.
    second, second_exit = serving(home, idle_exit_s=60)
    second.join(20)
    assert second_exit == [0] and first.is_alive()
    first.join(20)  # idle: it leaves
    assert first_exit == [0]
    socket_file, lock_file, _log = shared_paths(home)
    assert not socket_file.exists()
    import fcntl

    with open(lock_file, "rb") as lock:  # released: the next start may take it
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert SharedWorker(home).holder() is None
