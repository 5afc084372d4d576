"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1 for tests.

A real HTTP server (``ThreadingHTTPServer``) in a background thread speaks
``POST /v1/chat/completions`` (and ``/chat/completions``): plain JSON, or server-sent
events when the request says ``"stream": true``; ``GET /v1/models`` lists ``models``.
Each test scripts its replies::

    fake_openai.script(Reply("Hello there"), Reply(status=429, headers={"Retry-After": "2"}))

The queue is consumed one reply per request; once empty, ``fake_openai.default`` answers.
Every request is recorded (``fake_openai.requests``), and every stream whose client went
away before the end is counted (``fake_openai.disconnects``, ``wait_for_disconnects``).
A ``Reply(gate=Gate())`` streams one chunk per ``gate.open()``: the test paces the stream
by what it has seen arrive (no timing luck under load).

Registered as a pytest plugin from tests/conftest.py; the fixture is ``fake_openai``.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# No request is served for longer than this, whatever the script says (stalls, endless).
SAFETY_CAP_S = 60.0
_POLL_S = 0.05

_ERROR_TYPES = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("invalid_request_error", "Incorrect API key provided."),
    403: ("permission_denied", "You are not allowed to use this model."),
    404: ("invalid_request_error", "The model does not exist or you do not have access to it."),
    429: ("rate_limit_exceeded", "Rate limit reached. Please try again later."),
    500: ("server_error", "The server had an error while processing your request."),
    503: ("server_error", "The engine is currently overloaded, please try again later."),
}


class Gate:
    """Lets a stream's chunks out one at a time, as the test says it has seen each one."""

    def __init__(self) -> None:
        self._opened = 0
        self._changed = threading.Condition()

    @property
    def opened(self) -> int:
        with self._changed:
            return self._opened

    def open(self) -> None:
        """The reader has seen the last chunk: let the next one out."""
        with self._changed:
            self._opened += 1
            self._changed.notify_all()

    def wait(self, count: int, give_up: Callable[[], bool]) -> bool:
        """Until opened `count` times (True), or `give_up()` says so (False)."""
        with self._changed:
            while self._opened < count:
                if give_up():
                    return False
                self._changed.wait(_POLL_S)  # wakes at once on open(); polls give_up
            return True


@dataclass
class Reply:
    """One scripted answer. ``chunks`` defaults to ``text`` split into words (spaces kept)."""

    text: str = "Hello from the fake model."
    chunks: list[str] | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error_body: dict | None = None  # OpenAI-style {"error": {...}} for a non-200 status
    first_token_delay: float = 0.0  # seconds between the response headers and the 1st chunk
    chunk_delay: float = 0.0  # seconds between chunks
    stall_after: int | None = None  # after N chunks, send nothing more (connection kept open)
    endless: bool = False  # keep sending chunks until the client goes away (or the cap)
    usage: dict | None = None  # {"prompt_tokens": n, "completion_tokens": m}; default: rough
    # Paced by its reader: chunk n (n >= 1) is sent only once the test has opened the gate
    # n times (it does when it has seen the previous chunk arrive), so no two chunks can
    # reach the client together however slow the machine is.
    gate: Gate | None = None

    def pieces(self) -> list[str]:
        if self.chunks is not None:
            return list(self.chunks)
        words = self.text.split(" ")
        return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words) if w or i == 0]


@dataclass
class RecordedRequest:
    path: str
    headers: Message  # case-insensitive: headers["authorization"]
    json: Any  # the parsed body (None when it was not JSON)
    body: bytes = b""


class _ClientGone(Exception):
    """The client closed the connection while we were streaming to it."""


class FakeOpenAI:
    """The server. Start with ``start()`` (or use the ``fake_openai`` fixture)."""

    def __init__(self) -> None:
        self.default = Reply()
        self.models: list[str] = ["test-model"]  # what GET /v1/models lists (LM Studio's way)
        # What a server says of its context window: fields added to each /v1/models entry
        # (vLLM's "max_model_len", llama.cpp's "meta"), GET /props (llama.cpp's server;
        # None: 404) and POST /api/show (Ollama's; None: 404).
        self.model_fields: dict = {}
        self.props: dict | None = None
        self.ollama_show: dict | None = None
        self.asked: list[str] = []  # the paths of those questions, in order (not requests)
        # response_format types this server refuses, with the HTTP status it answers
        # ({"json_schema": 500} is llama-cpp-python's way); such a request takes no
        # scripted reply.
        self.refuse_formats: dict[str, int] = {}
        self.requests: list[RecordedRequest] = []
        self.disconnected = threading.Event()  # set at the first stream cut by its client
        self._disconnects = 0
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting and inspection ---------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "the fake server is not running"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def disconnects(self) -> int:
        with self._lock:
            return self._disconnects

    def wait_for_disconnects(self, count: int = 1, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.disconnects >= count:
                return True
            time.sleep(0.02)
        return self.disconnects >= count

    def wait_for_requests(self, count: int = 1, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.requests) >= count:
                return True
            time.sleep(0.02)
        return len(self.requests) >= count

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:  # idle keep-alive connections and stalled streams
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(5)
        self._httpd = None

    # -- used by the handler --------------------------------------------------------------

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._queue.pop(0) if self._queue else self.default

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _count_disconnect(self) -> None:
        with self._lock:
            self._disconnects += 1
        self.disconnected.set()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    protocol_version = "HTTP/1.1"  # keep-alive, chunked streams: what real clients meet
    timeout = SAFETY_CAP_S  # an idle keep-alive connection is dropped after this

    def setup(self) -> None:
        super().setup()
        self.fake._track(self.connection, True)

    def finish(self) -> None:
        self.fake._track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- requests ----------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.fake.asked.append(path)
        if path == "/v1/models":
            self._send_json(200, {"object": "list", "data": [
                {"id": name, "object": "model", **self.fake.model_fields}
                for name in self.fake.models]})
            return
        if path == "/props" and self.fake.props is not None:
            self._send_json(200, self.fake.props)
            return
        self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        path = self.path.split("?", 1)[0]
        if path == "/api/show":
            self.fake.asked.append(path)
            if self.fake.ollama_show is not None:
                self._send_json(200, self.fake.ollama_show)
            else:
                self._send_json(404, {"error": "not found"})
            return
        self.fake._record(RecordedRequest(path=path, headers=self.headers, json=parsed, body=body))
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {path}",
                                            "type": "invalid_request_error"}})
            return
        if not isinstance(parsed, dict):
            self._send_json(400, {"error": {"message": "the body is not a JSON object",
                                            "type": "invalid_request_error"}})
            return
        form = (parsed.get("response_format") or {}).get("type") if isinstance(
            parsed.get("response_format"), dict) else None
        if form in self.fake.refuse_formats:
            status = self.fake.refuse_formats[form]
            self._send_json(status, {"error": {
                "message": f"response_format: Input should be 'text' or 'json_object', "
                           f"not {form!r}", "type": "invalid_request_error",
                "param": "response_format", "code": None}})
            return
        reply = self.fake._next_reply()
        try:
            if reply.status != 200:
                self._send_error_reply(reply)
            elif parsed.get("stream"):
                self._stream(reply, parsed)
            else:
                self._complete(reply, parsed)
        except _ClientGone:
            self.fake._count_disconnect()
            self.close_connection = True

    # -- replies -----------------------------------------------------------------------

    def _send_json(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _send_error_reply(self, reply: Reply) -> None:
        kind, message = _ERROR_TYPES.get(reply.status, ("server_error", "Something went wrong."))
        body = reply.error_body or {"error": {"message": message, "type": kind,
                                              "param": None, "code": None}}
        self._send_json(reply.status, body, reply.headers)

    def _usage(self, reply: Reply, request: dict, sent: list[str]) -> dict:
        if reply.usage is not None:
            prompt = int(reply.usage.get("prompt_tokens", 0))
            completion = int(reply.usage.get("completion_tokens", 0))
        else:
            chars = sum(len(str(m.get("content", ""))) for m in request.get("messages") or [])
            prompt = max(1, chars // 4)
            completion = max(1, len("".join(sent)) // 4)
        return {"prompt_tokens": prompt, "completion_tokens": completion,
                "total_tokens": prompt + completion}

    def _complete(self, reply: Reply, request: dict) -> None:
        if not self._sleep(reply.first_token_delay):
            return
        text = "".join(reply.pieces())
        self._send_json(200, {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model", "test-model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": self._usage(reply, request, [text]),
        }, reply.headers)

    def _stream(self, reply: Reply, request: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self._flush()

        ident = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        model = request.get("model", "test-model")
        created = int(time.time())

        def chunk(delta: dict, finish: str | None = None, **extra: Any) -> dict:
            return {"id": ident, "object": "chat.completion.chunk", "created": created,
                    "model": model, "system_fingerprint": None,
                    "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                 "finish_reason": finish}], **extra}

        if not self._sleep(reply.first_token_delay):
            raise _ClientGone
        sent: list[str] = []
        started = time.monotonic()
        pieces = reply.pieces() or [""]
        i = 0
        while True:
            if reply.stall_after is not None and i >= reply.stall_after:
                self._stall()
                return
            if reply.endless:
                piece = pieces[i % len(pieces)]
                if time.monotonic() - started > SAFETY_CAP_S or self.fake._stopping.is_set():
                    break
            elif i < len(pieces):
                piece = pieces[i]
            else:
                break
            if i and not self._sleep(reply.chunk_delay):
                raise _ClientGone
            if i and reply.gate is not None and not self._wait_for_gate(reply.gate, i, started):
                return
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            self._event(chunk(delta))
            sent.append(piece)
            i += 1

        self._event(chunk({}, "stop"))
        options = request.get("stream_options") or {}
        if options.get("include_usage"):
            usage_chunk = chunk({}, usage=self._usage(reply, request, sent))
            usage_chunk["choices"] = []
            self._event(usage_chunk)
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_raw(b"0\r\n\r\n")

    # -- low level -----------------------------------------------------------------------

    def _event(self, payload: dict) -> None:
        self._write_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _write_chunk(self, data: bytes) -> None:
        self._write_raw(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _write_raw(self, data: bytes) -> None:
        if self._client_gone():
            raise _ClientGone
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as e:
            raise _ClientGone from e
        self._flush()

    def _flush(self) -> None:
        try:
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError) as e:
            raise _ClientGone from e

    def _client_gone(self) -> bool:
        """True when the peer closed its end (readable, and a peek reads nothing)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _sleep(self, seconds: float) -> bool:
        """Wait, watching the client; False when it went away (or the server stops)."""
        deadline = time.monotonic() + min(seconds, SAFETY_CAP_S)
        while True:
            if self._client_gone():
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            if self.fake._stopping.wait(min(_POLL_S, left)):
                return True

    def _wait_for_gate(self, gate: Gate, count: int, started: float) -> bool:
        """Hold the next chunk until the test opens the gate; False: the stream is cut
        (its end never sent) because the test never did, within the cap."""
        if gate.wait(count, lambda: self._client_gone() or self.fake._stopping.is_set()
                     or time.monotonic() - started > SAFETY_CAP_S):
            return True
        if self._client_gone():
            raise _ClientGone
        self.close_connection = True
        return False

    def _stall(self) -> None:
        """Send nothing more; hold the connection until the client leaves or the test ends."""
        deadline = time.monotonic() + SAFETY_CAP_S
        while time.monotonic() < deadline and not self.fake._stopping.is_set():
            if self._client_gone():
                raise _ClientGone
            time.sleep(_POLL_S)
        self.close_connection = True


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh scripted server for one test, stopped at teardown."""
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.stop()
