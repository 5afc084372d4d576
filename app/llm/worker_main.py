"""The model worker: a child process that imports litellm once and serves model calls.

Run as ``python -m app.llm.worker_main [--idle-exit SECONDS]`` by ``worker_client``. It is
the only module of Wise that imports litellm, so the tray and the CLI never pay for it.

Protocol: JSON lines, one request at a time. stdin carries requests, stdout only replies
(everything libraries print goes to stderr):

    <- {"event": "ready", "pid": 123, "litellm_version": "1.110.2"}      (once, at start)
    -> {"id": 1, "call": ModelCall.to_wire()}
    <- {"id": 1, "event": "delta", "text": "Hel"}  ...
    <- {"id": 1, "event": "done", "model": ..., "input_tokens": ..., "output_tokens": ...,
        "cost_usd": ..., "finish": "stop" | "length" | "capped"}
    <- {"id": 1, "event": "error", "kind": "<ModelError kind>", "message": ..., "retry_after": s}
    -> {"id": 2, "cmd": "ping"}
    <- {"id": 2, "event": "pong", "pid": 123, "litellm_version": "1.110.2"}

The API key arrives in the request line (never argv or env) and is scrubbed from every
message sent back. The worker exits when stdin closes, or after ``--idle-exit`` seconds
without a request.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import json
import logging
import os
import queue
import re
import signal
import socket
import ssl
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, NoReturn
from urllib.parse import urlparse

# Stdlib only, like this module: which models are local and what a text costs in tokens
# are decided in one place each.
from app.llm.providers import is_local
from app.memory.tokens import (  # when the provider reports no usage
    estimate_message_tokens,
    estimate_tokens,
)

# Set before litellm is imported: no fetch of the model cost map, the Anthropic beta
# headers or the blog feed at import (each otherwise goes to GitHub), no tokenizer
# downloads, and quiet logs.
_LITELLM_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
    "LITELLM_LOCAL_BLOG_POSTS": "True",
    "LITELLM_OFFLINE_MODE": "true",
    "LITELLM_LOG": "ERROR",
    "LITELLM_SUPPRESS_STARTUP_OUTPUT": "true",
}

# A reply longer than max_tokens is cut here: ~4 characters a token, with a margin.
CHARS_PER_TOKEN = 4
CAP_MARGIN = 1.5

_EOF = object()


class _Protocol:
    """Writes reply lines to the real stdout (sys.stdout itself points at stderr)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message: dict) -> None:
        line = json.dumps(message, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self._stream.write(line)
                self._stream.flush()
            except (BrokenPipeError, OSError):  # the parent is gone: nothing left to serve
                os._exit(0)


def _take_over_stdout() -> IO[str]:
    """Keep fd 1 for the protocol alone; whatever anything else prints goes to stderr."""
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(protocol_fd, "w", encoding="utf-8", newline="\n")


def _read_stdin(lines: queue.Queue, busy: threading.Event) -> None:
    stdin = sys.stdin.buffer
    while True:
        try:
            raw = stdin.readline()
        except (OSError, ValueError):
            raw = b""
        if not raw:
            if busy.is_set():  # the parent is gone mid-request: drop the request with us
                with contextlib.suppress(Exception):
                    sys.stderr.flush()
                os._exit(0)
            lines.put(_EOF)
            return
        lines.put(raw)


# -- pure helpers (no litellm) ----------------------------------------------------------


def scrub(text: str, secret: str | None) -> str:
    """Remove the key from text, and anything that looks like an OpenAI-style key."""
    if secret:
        text = text.replace(secret, "[key]")
    # Masked echoes ("sk-test-***7890") and other keys in the provider's words.
    return re.sub(r"\bsk-[A-Za-z0-9*_\-]{6,}", "[key]", text)


def where(call: dict) -> str:
    if call.get("api_base"):
        parsed = urlparse(call["api_base"])
        if parsed.hostname:  # scheme, host and port only: never a user:password@ part
            host = f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname
            port = f":{parsed.port}" if parsed.port else ""
            return f"{parsed.scheme}://{host}{port}"
        return "the configured API base"
    model = call.get("model") or ""
    return f"the {model.split('/', 1)[0]} provider" if "/" in model else "the provider"


def parse_retry_after(headers: Any) -> float | None:
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
    except (AttributeError, TypeError, ValueError):
        return None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    # The real clock, not Wise's (storage.clock): the server's date is real time.
    return max(0.0, when.timestamp() - time.time())


# -- the litellm side ---------------------------------------------------------------------


class Worker:
    def __init__(self, out: _Protocol | None = None) -> None:
        self.out = out  # None in the shared worker: each connection has its own sender
        for name, value in _LITELLM_ENV.items():
            os.environ[name] = value  # ours, whatever the environment says
        import litellm  # the one import of litellm in Wise

        self.litellm = litellm
        litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banners
        litellm.set_verbose = False
        litellm.drop_params = True  # a parameter the model does not take is dropped, not fatal
        litellm.telemetry = False  # gone from recent releases; harmless where it exists
        litellm.callbacks = []
        litellm.success_callback = []
        litellm.failure_callback = []
        litellm._async_success_callback = []
        litellm._async_failure_callback = []
        litellm.turn_off_message_logging = True
        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "httpx", "openai"):
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            from importlib.metadata import version

            self.version = version("litellm")
        except Exception:  # metadata missing in a frozen bundle
            self.version = getattr(litellm, "__version__", "unknown")

    # -- one call ---------------------------------------------------------------------

    def serve(self, request_id: Any, call: dict, out: Any = None,
              streams: list | None = None) -> None:
        """Answer one call on `out` (this worker's stdout unless a socket connection's
        sender is given). `streams` receives the open HTTP stream, so that another thread
        can close it when the asker went away (the shared worker's cancel)."""
        key = call.get("api_key")
        out = out if out is not None else self.out
        try:
            self._complete(request_id, call, out, streams)
        except Exception as e:  # every failure becomes one clear error line
            kind, message, retry_after = self.classify(e, call)
            out.send({"id": request_id, "event": "error", "kind": kind,
                      "message": scrub(message, key), "retry_after": retry_after})

    def _complete(self, request_id: Any, call: dict, out: Any,
                  streams: list | None) -> None:
        litellm = self.litellm
        model = call["model"]
        timeout = float(call.get("timeout") or 60.0)
        max_tokens = int(call.get("max_tokens") or 700)
        kwargs: dict[str, Any] = {
            "model": model, "messages": call["messages"], "timeout": timeout,
            "max_tokens": max_tokens,
            "stream": True, "stream_options": {"include_usage": True},
            "num_retries": 0, "max_retries": 0,
        }
        if call.get("temperature") is not None:
            kwargs["temperature"] = call["temperature"]
        if call.get("api_base"):
            kwargs["api_base"] = call["api_base"]
        if call.get("api_key"):
            kwargs["api_key"] = call["api_key"]
        response_format = self.response_format(call)
        if response_format is not None:
            kwargs["response_format"] = response_format

        deadline = time.monotonic() + timeout
        cap_chars = int(max_tokens * CHARS_PER_TOKEN * CAP_MARGIN) + 16
        parts: list[str] = []
        sent_chars = 0
        usage = None
        finish = None
        stream = litellm.completion(**kwargs)
        if streams is not None:
            streams.append(stream)
        try:
            for chunk in stream:
                chunk_usage = getattr(chunk, "usage", None)
                if chunk_usage is not None and getattr(chunk_usage, "completion_tokens", None):
                    usage = chunk_usage
                for choice in getattr(chunk, "choices", None) or []:
                    delta = getattr(choice, "delta", None)
                    text = getattr(delta, "content", None) if delta is not None else None
                    if text:
                        parts.append(text)
                        sent_chars += len(text)
                        out.send({"id": request_id, "event": "delta", "text": text})
                    if getattr(choice, "finish_reason", None):
                        finish = choice.finish_reason
                if sent_chars > cap_chars:  # a reply that does not end: keep what came
                    finish = "capped"
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the reply took longer than {timeout:g} s")
        finally:
            self.close_stream(stream)

        text = "".join(parts)
        input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0) if usage else 0
        output_tokens = int(getattr(usage, "completion_tokens", 0) or 0) if usage else 0
        if not input_tokens:
            input_tokens = self.count_prompt_tokens(model, call["messages"])
        if not output_tokens:
            output_tokens = estimate_tokens(text)
        out.send({"id": request_id, "event": "done", "model": model,
                       "input_tokens": input_tokens, "output_tokens": output_tokens,
                       "cost_usd": self.cost(model, call.get("api_base"), input_tokens,
                                             output_tokens),
                       "finish": finish or "stop"})

    @staticmethod
    def close_stream(stream: Any) -> None:
        """Close the HTTP response now, so a cut reply really stops at the provider."""
        inner = getattr(stream, "completion_stream", None)
        for thing in (stream, inner):
            close = getattr(thing, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()
            response = getattr(thing, "response", None)
            if response is not None and callable(getattr(response, "close", None)):
                with contextlib.suppress(Exception):
                    response.close()

    def response_format(self, call: dict) -> dict | None:
        """The reply's shape, asked for the way the gateway chose (see model_memory)."""
        schema = call.get("json_schema")
        mode = call.get("structured_mode") or "json_schema"
        if not schema or mode == "prompt_only":
            return None
        if mode == "json_object":  # llama-cpp-python's grammar-constrained JSON
            return {"type": "json_object", "schema": schema}
        model = call["model"]
        # A server of the user's own (or Ollama, whose `format` litellm fills from this)
        # is asked; a cloud model only when litellm knows it takes a schema.
        if call.get("api_base") or is_local(model) or self.supports_schema(model):
            return {"type": "json_schema", "json_schema": {
                "name": "reply", "schema": schema, "strict": False}}
        return None

    def supports_schema(self, model: str) -> bool:
        try:
            return bool(self.litellm.supports_response_schema(model=model))
        except Exception:
            return False

    def count_prompt_tokens(self, model: str, messages: list[dict]) -> int:
        try:
            return int(self.litellm.token_counter(model=model, messages=messages))
        except Exception:
            return estimate_message_tokens(messages)

    def cost(self, model: str, api_base: str | None, input_tokens: int,
             output_tokens: int) -> float:
        if is_local(model, api_base):
            return 0.0
        try:
            prompt_cost, completion_cost = self.litellm.cost_per_token(
                model=model, prompt_tokens=input_tokens, completion_tokens=output_tokens)
        except Exception:  # not in the cost map: we cannot know, so we do not invent
            return 0.0
        return float(prompt_cost or 0.0) + float(completion_cost or 0.0)

    # -- errors -------------------------------------------------------------------------

    def classify(self, e: BaseException, call: dict) -> tuple[str, str, float | None]:
        ex = self.litellm.exceptions
        status = getattr(e, "status_code", None)
        detail = self._detail(e)
        # Before the status checks: litellm reports a refused connection or a failed DNS
        # lookup as InternalServerError with status 500 ("Connection error.").
        unreachable = self._connection_failure(e)
        if unreachable is not None:
            return "unreachable", f"cannot reach {where(call)}: {unreachable}", None
        if isinstance(e, ex.Timeout | TimeoutError):  # litellm.Timeout carries status 408
            return "timeout", (f"the model did not answer within "
                               f"{float(call.get('timeout') or 60):g} s"), None
        if isinstance(e, ex.AuthenticationError | ex.PermissionDeniedError) or status in (401,
                                                                                           403):
            # (a 403 arrives as litellm.APIError with status 403)
            return "auth", _with("the provider refused the API key", status, detail), None
        if isinstance(e, ex.RateLimitError) or status == 429:
            retry_after = self._retry_after(e)
            words = "the provider is rate-limiting requests"
            if retry_after is not None:
                words += f"; it asks to wait {retry_after:g} s"
            return "rate_limited", _with(words, status, detail), retry_after
        if isinstance(e, ex.LiteLLMUnknownProvider) or "LLM Provider NOT provided" in detail:
            return "not_found", (f"unknown model {call.get('model')!r}: name it with its "
                                 f"provider, e.g. openai/gpt-4o-mini or ollama_chat/llama3"), None
        if isinstance(e, ex.NotFoundError) or status == 404:
            return "not_found", _with(f"unknown model {call.get('model')!r}", status, detail), None
        if isinstance(e, ex.ContextWindowExceededError):
            return "bad_request", _with("the request is too long for this model", status,
                                        detail), None
        if isinstance(e, ex.BadRequestError | ex.UnprocessableEntityError) or status in (400,
                                                                                          422):
            return "bad_request", _with("the provider refused the request", status, detail), None
        if isinstance(e, ex.InternalServerError | ex.ServiceUnavailableError
                      | ex.BadGatewayError) or (isinstance(status, int) and status >= 500):
            return "server", _with("the provider had a server error", status, detail), None
        if isinstance(e, ex.APIConnectionError):
            return "unreachable", f"cannot reach {where(call)}: {detail}", None
        return "other", f"the model call failed: {type(e).__name__}: {detail}", None

    def _connection_failure(self, e: BaseException) -> str | None:
        """Why no connection could be made, if that is what happened (else None)."""
        import httpx  # already loaded by litellm

        seen: list[BaseException] = []
        cause: BaseException | None = e
        while cause is not None and len(seen) < 12 and cause not in seen:
            seen.append(cause)
            cause = cause.__cause__ or cause.__context__
        if not any(isinstance(c, httpx.ConnectError | httpx.ConnectTimeout) for c in seen):
            return None
        for c in reversed(seen):  # the root cause says it best
            if isinstance(c, ConnectionRefusedError):
                return "connection refused"
            if isinstance(c, socket.gaierror):
                return "the host name could not be resolved"
            if isinstance(c, ssl.SSLError):
                return "the secure connection failed"
            if isinstance(c, httpx.ConnectTimeout | TimeoutError):
                return "the connection timed out"
        return "the connection failed"

    @staticmethod
    def _detail(e: BaseException) -> str:
        """The provider's own words, short, without litellm's prefixes."""
        message = " ".join(str(getattr(e, "message", None) or e).split())
        prefix = re.compile(r"^(?:litellm\.)?\w*(?:Error|Exception)\s*(?::|-)\s*")
        while (shorter := prefix.sub("", message, count=1)) != message:
            message = shorter
        return message[:300]

    @staticmethod
    def _retry_after(e: BaseException) -> float | None:
        # litellm keeps the provider's response: e.response.headers has Retry-After.
        for source in (getattr(e, "response", None), e):
            for headers in (getattr(source, "headers", None),
                            getattr(source, "litellm_response_headers", None)):
                found = parse_retry_after(headers)
                if found is not None:
                    return found
        return None


def _with(words: str, status: Any, detail: str) -> str:
    head = f"{words} (HTTP {status})" if isinstance(status, int) else words
    return f"{head}: {detail}" if detail else head


# -- the loop ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.llm.worker_main")
    parser.add_argument("--idle-exit", type=float, default=600.0,
                        help="exit after this many seconds without a request")
    parser.add_argument("--serve", metavar="SOCKET",
                        help="be the shared worker: serve any number of this user's "
                             "processes on this Unix socket (app.llm.shared_server)")
    parser.add_argument("--lock", metavar="FILE", help="with --serve: the lock that makes "
                                                       "this the one shared worker")
    args = parser.parse_args(argv)
    if args.serve:
        from app.llm.shared_server import serve

        with contextlib.suppress(ValueError, OSError, AttributeError):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        return serve(Path(args.serve), Path(args.lock or f"{args.serve}.lock"),
                     idle_exit_s=args.idle_exit, make_worker=Worker)

    out = _Protocol(_take_over_stdout())
    # Ctrl+C in a terminal reaches the whole process group; the parent decides for us.
    with contextlib.suppress(ValueError, OSError, AttributeError):
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    worker = Worker(out)
    out.send({"event": "ready", "pid": os.getpid(), "litellm_version": worker.version})

    lines: queue.Queue = queue.Queue()
    busy = threading.Event()
    threading.Thread(target=_read_stdin, args=(lines, busy), name="stdin", daemon=True).start()
    while True:
        try:
            raw = lines.get(timeout=args.idle_exit)
        except queue.Empty:
            return 0  # idle: the parent starts a new worker when it needs one
        if raw is _EOF:
            return 0
        try:
            request = json.loads(raw)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            out.send({"id": None, "event": "error", "kind": "other",
                      "message": "the worker got a line that is not a JSON object",
                      "retry_after": None})
            continue
        request_id = request.get("id")
        if request.get("cmd") == "ping":
            out.send({"id": request_id, "event": "pong", "pid": os.getpid(),
                      "litellm_version": worker.version})
        elif isinstance(request.get("call"), dict):
            busy.set()
            try:
                worker.serve(request_id, request["call"])
            finally:
                busy.clear()
        else:
            out.send({"id": request_id, "event": "error", "kind": "other",
                      "message": "the worker got a request it does not know",
                      "retry_after": None})


def run_process(argv: list[str] | None = None) -> NoReturn:
    """The worker as a whole process (`python -m`, or the frozen bundle's hidden entry)."""
    code = main(argv)
    for stream in (sys.stderr, sys.__stderr__):  # (__stderr__ is None without a console)
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    # Straight out: a normal shutdown would wait on litellm's threads and trip over the
    # stdin reader thread (a daemon blocked in readline).
    os._exit(code)


if __name__ == "__main__":
    run_process()
