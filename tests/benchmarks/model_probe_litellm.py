"""Helper for bench_model, run as its own process: litellm without the worker around it.

    python -m tests.benchmarks.model_probe_litellm import
        Times what the model worker does before it says "ready": `Worker(...)` from
        app.llm.worker_main (litellm's import with Wise's offline settings, then its
        configuration), and the process's VmRSS before and after. One JSON line.

    python -m tests.benchmarks.model_probe_litellm calls BASE_URL RUNS BODY_FILE SETTLE_S
        In this one process, round-robin, SETTLE_S seconds of rest after each call: the
        worker's own code (`Worker.serve`, i.e. `litellm.completion(stream=True)` and its
        chunk loop) against a direct stdlib HTTP request, both to the server at BASE_URL
        with the same messages (BODY_FILE: the ModelCall wire dict as JSON). Time to the
        first delta and to the end of the reply, per run. One JSON line:
        {"litellm": {"first": [...], "total": [...]}, "direct": {...}}.
        No pipe, no JSON lines, no gateway: what is left over the direct request is
        litellm's own per-call overhead.

`direct_request` and `proc_kib` are also what bench_model uses in its own process (stdlib
only, so importing this module costs nothing).
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from urllib.parse import urlsplit


def proc_kib(pid: int | str = "self", field: str = "VmRSS") -> int:
    """A /proc/PID/status field in KiB (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def request_body(call: dict) -> bytes:
    """What litellm's OpenAI provider sends for this ModelCall wire dict (the same fields,
    so both contenders carry the same bytes)."""
    model = call["model"].split("/", 1)[1] if "/" in call["model"] else call["model"]
    return json.dumps({"model": model, "messages": call["messages"], "stream": True,
                       "stream_options": {"include_usage": True},
                       "max_tokens": call["max_tokens"],
                       "temperature": call["temperature"]}).encode()


def direct_request(base_url: str, body: bytes, api_key: str = "no-key-needed"
                   ) -> tuple[float, float, int]:
    """One streamed chat completion with http.client on a fresh connection: (seconds to
    the first SSE data line, seconds to `data: [DONE]`, data lines read)."""
    url = urlsplit(base_url)
    start = time.perf_counter()
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("POST", url.path.rstrip("/") + "/chat/completions", body=body,
                     headers={"Content-Type": "application/json", "Accept": "text/event-stream",
                              "Authorization": f"Bearer {api_key}"})
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {response.read()[:200]!r}")
        first = None
        lines = 0
        while True:
            line = response.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                lines += 1
                if first is None:
                    first = time.perf_counter() - start
                if line.strip() == b"data: [DONE]":
                    break
        response.read()  # the closing empty chunk
        total = time.perf_counter() - start
    finally:
        conn.close()
    if first is None:
        raise RuntimeError("the stream carried no data line")
    return first, total, lines


class _Collector:
    """Stands in for the worker's stdout protocol: notes when each line would be sent."""

    def __init__(self) -> None:
        self.start = 0.0
        self.first: float | None = None
        self.events: list[dict] = []

    def send(self, message: dict) -> None:
        if message.get("event") == "delta" and self.first is None:
            self.first = time.perf_counter() - self.start
        self.events.append(message)


def _import() -> dict:
    before = proc_kib()
    started = time.perf_counter()
    from app.llm.worker_main import Worker  # stdlib only; litellm comes with Worker()

    Worker(_Collector())
    seconds = time.perf_counter() - started
    return {"import_s": seconds, "rss_before_kib": before, "rss_after_kib": proc_kib(),
            "litellm_loaded": "litellm" in sys.modules}


def _calls(base_url: str, runs: int, body_file: str, settle_s: float) -> dict:
    from app.llm.worker_main import Worker

    with open(body_file, encoding="utf-8") as f:
        call = json.load(f)
    call["api_base"] = base_url
    out = _Collector()
    worker = Worker(out)
    body = request_body(call)

    def via_litellm() -> tuple[float, float]:
        out.events.clear()
        out.first = None
        out.start = time.perf_counter()
        worker.serve(1, call)
        total = time.perf_counter() - out.start
        last = out.events[-1] if out.events else {}
        if last.get("event") != "done" or out.first is None:
            raise RuntimeError(f"litellm call failed: {last}")
        return out.first, total

    def direct() -> tuple[float, float]:
        first, total, _lines = direct_request(base_url, body, call.get("api_key") or "x")
        return first, total

    contenders = {"litellm": via_litellm, "direct": direct}
    for _ in range(5):  # warm-up: litellm's first call builds its HTTP client and caches
        for fn in contenders.values():
            fn()
            time.sleep(settle_s)
    samples = {name: {"first": [], "total": []} for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            first, total = fn()
            samples[name]["first"].append(first)
            samples[name]["total"].append(total)
            # litellm finishes a call in its own threads (logging, usage); let that end
            # before the next contender starts, or it would slow that one down instead.
            time.sleep(settle_s)
    return samples


def main(argv: list[str]) -> int:
    if argv[:1] == ["import"]:
        result = _import()
    elif argv[:1] == ["calls"] and len(argv) == 5:
        result = _calls(argv[1], int(argv[2]), argv[3], float(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stderr.flush()
    import os

    os._exit(code)  # as the worker does: litellm's threads must not hold the exit up
