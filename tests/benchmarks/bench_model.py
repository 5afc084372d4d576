"""Model: what the model worker costs, in time and memory, against a local server.

Every request goes to tests/fake_openai.py's FakeOpenAI, started in this process (a
threaded HTTP server on 127.0.0.1), which streams a fixed short reply (17 words, one SSE
chunk each, no delay) in OpenAI's format. The model is `openai/test-model` with
`llm.api_base` set to that server, as a user of a local OpenAI-compatible server would set
it (README, "Reflecting with a language model"); the request carries a reflection-sized
prompt (~3,000 tokens: a system message and ~11 KB of journal text). The API key comes
from OPENAI_API_KEY, set for this group only, so no system keyring is ever asked.

Measured:

  cold   from a stopped worker, round-robin over 5 rounds (2 with --quick):
         `ModelWorker.ping()` (start `python -m app.llm.worker_main`, import and set up
         litellm, "ready", one ping: the worker's cold start), then the first request of
         that just-ready worker (time to first token: litellm's first completion still has
         lazy work to do); the first `Gateway.complete()` of a fresh gateway, time to its
         first delta (all of it: worker start, import, first request); what the worker
         does before "ready" timed inside a separate process (model_probe_litellm.py
         `import`: litellm's import alone, and the RSS it brings); `python -c pass` (the
         interpreter's floor); a direct HTTP request.
  warm   one gateway whose worker is running, round-robin with a direct request to the
         same server (stdlib http.client, a fresh connection, the very body litellm sends;
         time to the first SSE `data:` line), 60 rounds (20 with --quick) after 5 warm-up
         rounds, 20 ms of rest after each call (litellm ends a call in its own threads;
         without the rest that work lands on whatever runs next): time to first token
         (first `on_delta`) and to the end of the reply (`complete()` returning, its
         llm_calls row written). Target: the gateway's extra time to first token, the
         median of the per-round differences, <= 50 ms. In the same loop,
         `ModelWorker.ping()` on the running worker: one JSON line each way through the
         pipes and the reader threads, the transport's floor. Then, in a separate process
         (model_probe_litellm.py `calls`), litellm without the worker: the worker's own
         `Worker.serve` (litellm.completion and its chunk loop) against the same direct
         request, round-robin in that one process: litellm's own per-call overhead. What
         is left of the gateway's extra is the gateway itself, the JSON lines and the pipe.
  rss    a CLI-like process (model_probe_rss.py) with a small journal (a goal and three
         captures) doing what `wise reflect` does, twice: whether litellm was ever
         imported there (target: no), its VmRSS just before the first reflection and after
         it (target: <= +10 MiB: the reflection's own code loads on first use, pydantic
         for the reply's schema above all) and after the second (target: <= +1 MiB); the
         worker's VmRSS, while still running, for comparison.
  shared the worker shared by every `wise` process (app.llm.shared_worker), against each
         process starting its own (WISE_MODEL_WORKER=private, as before there was a shared
         one), on a day with a goal and three captures: a whole `wise reflect --stream`
         process (the reflection window's child), time to its first delta line, the
         shared worker already running vs a private worker started cold, interleaved, 5
         rounds (2 with --quick), with a direct HTTP request in each round; a Gateway in
         this process over the shared worker's socket vs the direct request, 40
         interleaved rounds (10): the extra time to first token once the worker runs
         (target <= 50 ms); and memory: three `wise reflect` children at once (the server
         waits 3 s before answering, so all are in flight), the peak summed VmRSS of the
         children, their descendants and the shared worker, shared vs private.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.benchmarks.harness import (
    ROOT,
    Row,
    Stats,
    Workspace,
    last_line,
    med_p90,
    ms,
    ratio,
    run_cmd,
    time_calls_interleaved,
)
from tests.benchmarks.model_probe_litellm import direct_request, proc_kib, request_body
from tests.benchmarks.seed import TextGenerator

GROUP = "model: worker and gateway, local OpenAI-compatible server (fake, in-process)"
MODEL = "openai/test-model"
BENCH_KEY = "sk-bench-local-not-a-real-key"
REPLY_TEXT = ("You did three things today, and the walk helped. One tiny next step: "
              "call mum after lunch.")
EXTRA_TARGET_S = 0.050
RSS_GROWTH_TARGET_KIB = 10 * 1024  # the first reflection's lazy imports (pydantic...)
RSS_REPEAT_TARGET_KIB = 1024  # a second reflection: nothing more
PRELOAD = "prompts.structured"  # pydantic + the reply models, for the RSS breakdown
SETTLE_S = 0.02  # rest after each warm call: litellm ends a call in its own threads
REFLECTION_REPLY = {  # a valid daily reflection (prompts/daily_reflection.md's fields)
    "celebrate": "You went for a walk, and it helped.",
    "reflection": "Being there for your family seems to matter a lot to you.",
    "question": None, "next_step": "Open mum's contact after lunch and press call",
    "next_step_minutes": 2, "goal": "family"}


# ------------------------------------------------------------------------------ set-up


@contextlib.contextmanager
def _server() -> Iterator[object]:
    """The fake server, replying REPLY_TEXT to every request unless scripted."""
    from tests.fake_openai import FakeOpenAI, Reply

    server = FakeOpenAI().start()
    server.default = Reply(text=REPLY_TEXT)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def _bench_key() -> Iterator[None]:
    """OPENAI_API_KEY for this process while the group runs (no keyring lookups), and
    for the workers it starts; restored after."""
    old = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = BENCH_KEY
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("OPENAI_API_KEY", None)
        else:
            os.environ["OPENAI_API_KEY"] = old


def _home(ws: Workspace, name: str, base_url: str) -> Path:
    """A WISE_HOME under bench-out/run with the model settings (settings.toml)."""
    from app.settings.store import write_settings

    home = ws.run / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    write_settings(home / "settings.toml", {"llm.model": MODEL, "llm.api_base": base_url})
    return home


def _context(home: Path):
    from app.journal import Context
    from app.paths import resolve_paths
    from app.settings.store import load_settings

    paths = resolve_paths({"WISE_HOME": str(home)})
    context = Context(paths, load_settings(paths.settings_file))
    assert context.settings.get("llm.model") == MODEL, context.settings.warnings
    return context


def _messages() -> list[dict]:
    """A reflection-sized request: ~3,000 estimated tokens (deterministic text)."""
    gen = TextGenerator()
    system = ("You are a warm, practical companion. " + " ".join(
        gen.sentence_text() for _ in range(12)))
    journal = []
    while sum(len(line) for line in journal) < 10_500:
        journal.append(f"- {gen.sentence_text()}")
    user = ("Today is Thursday 26 November 2026.\n<journal-data>\n" + "\n".join(journal)
            + "\n</journal-data>\nReply with the JSON object described.")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _wire(messages: list[dict], base_url: str, context) -> dict:
    """The ModelCall the gateway sends for these messages (for the direct request and the
    worker-less litellm probe)."""
    from app.llm.types import ModelCall

    settings = context.settings
    return ModelCall(model=MODEL, messages=messages, api_base=base_url, api_key=BENCH_KEY,
                     timeout=float(settings.get("llm.timeout")),
                     temperature=float(settings.get("llm.temperature")),
                     max_tokens=int(settings.get("llm.max_output_tokens"))).to_wire()


class _FirstDelta:
    """on_delta that notes when the first delta arrived."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.first: float | None = None
        self.chars = 0

    def __call__(self, text: str) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.start
        self.chars += len(text)


def _gateway_ttft(gateway, messages: list[dict]) -> tuple[float, float]:
    """(seconds to the first on_delta, seconds for the whole complete() call)."""
    mark = _FirstDelta()
    result = gateway.complete("bench", messages, on_delta=mark)
    total = time.perf_counter() - mark.start
    if mark.first is None or result.text != REPLY_TEXT:
        raise RuntimeError(f"unexpected reply {result.text[:80]!r}")
    return mark.first, total


def _paired(a: list[float], b: list[float]) -> Stats:
    """Per-round differences a[i] - b[i] (the rounds were interleaved)."""
    return Stats.of([x - y for x, y in zip(a, b, strict=True)])


def _probe(module: str, *args: str, env: dict[str, str], timeout: float = 300) -> dict:
    """Run tests.benchmarks.<module> as its own process; its JSON line."""
    result = run_cmd([sys.executable, "-m", f"tests.benchmarks.{module}", *args], env,
                     cwd=ROOT, capture_stdout=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{module} exit {result.returncode}: {last_line(result.stderr)}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# -------------------------------------------------------------------------------- cold


def cold(ws: Workspace) -> list[Row]:
    from app.llm.gateway import Gateway
    from app.llm.worker_client import ModelWorker

    rounds = 2 if ws.quick else 5
    messages = _messages()
    samples: dict[str, list[float]] = {k: [] for k in (
        "ping", "ready_first", "first", "first_total", "import", "import_wall", "floor",
        "direct")}
    import_rss: list[int] = []
    with _bench_key(), _server() as server:
        home = _home(ws, "model-cold", server.base_url)
        context = _context(home)
        journal = context.open_journal()
        env = ws.env(OPENAI_API_KEY=BENCH_KEY)
        body = request_body(_wire(messages, server.base_url, context))
        try:
            # Untimed: fills the page cache and litellm's bytecode caches, as any earlier
            # use of Wise's model would have.
            _probe("model_probe_litellm", "import", env=env)
            direct_request(server.base_url, body, BENCH_KEY)
            for round_no in range(rounds):
                ws.log(f"model cold start, round {round_no + 1} of {rounds} ...")
                worker = ModelWorker(idle_exit_s=600)
                started = time.perf_counter()
                try:
                    pong = worker.ping()
                    samples["ping"].append(time.perf_counter() - started)
                    # The first request of a worker that has just said it is ready.
                    with_ready = Gateway(context, journal, worker=worker)
                    samples["ready_first"].append(_gateway_ttft(with_ready, messages)[0])
                finally:
                    worker.stop()

                # A worker not started yet (passed in: a gateway left to itself would
                # find the shared worker, warm after the first round).
                fresh = ModelWorker(idle_exit_s=600)
                gateway = Gateway(context, journal, worker=fresh)
                try:
                    first, total = _gateway_ttft(gateway, messages)
                    samples["first"].append(first)
                    samples["first_total"].append(total)
                finally:
                    fresh.stop()

                started = time.perf_counter()
                probe = _probe("model_probe_litellm", "import", env=env)
                samples["import_wall"].append(time.perf_counter() - started)
                samples["import"].append(probe["import_s"])
                import_rss.append(probe["rss_after_kib"] - probe["rss_before_kib"])

                floor = run_cmd([sys.executable, "-c", "pass"], env)
                samples["floor"].append(floor.seconds)
                samples["direct"].append(direct_request(server.base_url, body, BENCH_KEY)[0])
        finally:
            journal.close()

    st = {name: Stats.of(values) for name, values in samples.items()}
    version = pong.get("litellm_version", "?") if samples["ping"] else "?"
    rest = Stats.of([p - i - f for p, i, f in zip(samples["ping"], samples["import"],
                                                  samples["floor"], strict=True)]).median
    return [
        Row(GROUP, "cold start: worker started + ping (worker stopped)", med_p90(st["ping"]),
            f"python -c pass {ms(st['floor'].median)}",
            note=(f"median of {st['ping'].n}; litellm {version}: its import and set-up "
                  f"(timed inside the process) {ms(st['import'].median)}, the interpreter "
                  f"{ms(st['floor'].median)}, the rest (app.llm.worker_main, pipes, ready "
                  f"+ ping lines) {ms(rest)}"),
            data={"stats": st["ping"], "floor": st["floor"], "litellm_version": version}),
        Row(GROUP, "cold start: litellm import + set-up alone (in the worker's code)",
            med_p90(st["import"]),
            note=(f"Worker() from app.llm.worker_main in its own process (model_probe_"
                  f"litellm.py import; whole process {ms(st['import_wall'].median)}); it "
                  f"adds {statistics.median(import_rss) / 1024:.0f} MiB of RSS"),
            data={"stats": st["import"], "process": st["import_wall"],
                  "rss_added_kib": import_rss}),
        Row(GROUP, "cold: first request of a just-ready worker, first token",
            med_p90(st["ready_first"]), f"direct HTTP {ms(st['direct'].median)}",
            note=("after the ping above: litellm's first completion still loads its "
                  "provider code and builds its HTTP client"),
            data={"stats": st["ready_first"], "direct": st["direct"]}),
        Row(GROUP, "cold first call: time to first token (worker stopped)",
            med_p90(st["first"]), f"direct HTTP {ms(st['direct'].median)}",
            note=(f"a fresh Gateway: worker start + litellm import + the first request; "
                  f"whole reply {ms(st['first_total'].median)}; the direct request is its "
                  f"neighbour in the same rounds"),
            data={"stats": st["first"], "total": st["first_total"], "direct": st["direct"]}),
    ]


# -------------------------------------------------------------------------------- warm


def warm(ws: Workspace) -> list[Row]:
    from app.llm.gateway import Gateway
    from app.llm.worker_client import ModelWorker

    runs = 20 if ws.quick else 60
    messages = _messages()
    samples: dict[str, list[float]] = {k: [] for k in ("gateway", "direct", "gateway_total",
                                                        "direct_total")}
    with _bench_key(), _server() as server:
        home = _home(ws, "model-warm", server.base_url)
        context = _context(home)
        journal = context.open_journal()
        wire = _wire(messages, server.base_url, context)
        body = request_body(wire)
        worker = ModelWorker(idle_exit_s=600)
        gateway = Gateway(context, journal, worker=worker)
        try:
            def via_gateway(i: int) -> None:
                ttft, total = _gateway_ttft(gateway, messages)
                if i >= 0:
                    samples["gateway"].append(ttft)
                    samples["gateway_total"].append(total)
                time.sleep(SETTLE_S)

            def direct(i: int) -> None:
                ttft, total, _lines = direct_request(server.base_url, body, BENCH_KEY)
                if i >= 0:
                    samples["direct"].append(ttft)
                    samples["direct_total"].append(total)
                time.sleep(SETTLE_S)

            def ping(_i: int) -> None:
                worker.ping()

            ws.log("model worker starting (untimed) ...")
            worker.ping()
            ws.log(f"warm gateway vs direct HTTP x {runs} (+ ping) ...")
            # The harness keeps the order and the warm-up; the times that count are taken
            # inside (the settling pause is left out of them).
            timed = time_calls_interleaved({"gateway": via_gateway, "direct": direct,
                                            "ping": ping}, runs, warmup=5)
            worker_pid = worker.pid
            worker_rss = proc_kib(worker_pid) if worker_pid else 0
        finally:
            gateway.close()
            worker.stop()
            journal.close()

        ws.log(f"litellm without the worker vs direct HTTP x {runs} (own process) ...")
        with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="wise-bench-",
                                         delete=False) as f:
            json.dump(wire, f)
        try:
            probe = _probe("model_probe_litellm", "calls", server.base_url, str(runs), f.name,
                           str(SETTLE_S), env=ws.env(OPENAI_API_KEY=BENCH_KEY))
        finally:
            os.unlink(f.name)
        requests = len(server.requests)

    gw, di = Stats.of(samples["gateway"]), Stats.of(samples["direct"])
    extra = _paired(samples["gateway"], samples["direct"])
    gw_total, di_total = Stats.of(samples["gateway_total"]), Stats.of(samples["direct_total"])
    lite, lite_direct = Stats.of(probe["litellm"]["first"]), Stats.of(probe["direct"]["first"])
    lite_extra = _paired(probe["litellm"]["first"], probe["direct"]["first"])
    lite_total_extra = _paired(probe["litellm"]["total"], probe["direct"]["total"])
    ping = timed["ping"]
    rest = extra.median - lite_extra.median
    return [
        Row(GROUP, "warm: time to first token, gateway vs direct HTTP", med_p90(gw),
            med_p90(di), ratio(gw.median, di.median),
            note=(f"{gw.n} interleaved rounds, the same server and body; {requests} "
                  f"requests served in all; worker RSS {worker_rss / 1024:.0f} MiB"),
            data={"gateway": gw, "direct": di}),
        Row(GROUP, "warm: extra time to first token (gateway - direct)", med_p90(extra),
            target=f"≤ {EXTRA_TARGET_S * 1000:.0f} ms", met=extra.median <= EXTRA_TARGET_S,
            note="median and p90 of the per-round differences",
            data={"stats": extra}),
        Row(GROUP, "warm: whole reply, gateway vs direct HTTP", med_p90(gw_total),
            med_p90(di_total), ratio(gw_total.median, di_total.median),
            note="complete() returning, its llm_calls row written; the direct one: "
                 "`data: [DONE]` read",
            data={"gateway": gw_total, "direct": di_total}),
        Row(GROUP, "  of which litellm per call (no worker), first token",
            med_p90(lite), med_p90(lite_direct), ratio(lite.median, lite_direct.median),
            note=(f"Worker.serve in its own process vs the direct request there, "
                  f"{lite.n} rounds: litellm adds {ms(lite_extra.median)} to the first "
                  f"token (p90 {ms(lite_extra.p90)}) and {ms(lite_total_extra.median)} to "
                  f"the whole reply"),
            data={"litellm": lite, "direct": lite_direct, "extra": lite_extra,
                  "total_extra": lite_total_extra}),
        Row(GROUP, "  of which pipe round trip (ModelWorker.ping, warm)", med_p90(ping),
            note=(f"one JSON line each way; the gateway's extra minus litellm's leaves "
                  f"about {ms(rest)} for the gateway, the JSON lines and the pipe (medians from "
                  f"two processes: rough)"),
            data={"stats": ping, "rest_s": rest}),
    ]


# --------------------------------------------------------------------------------- rss


def rss(ws: Workspace) -> list[Row]:
    from app.capture.service import capture
    from app.goals import add_goal
    from tests.fake_openai import Reply

    with _bench_key(), _server() as server:
        home = _home(ws, "model-rss", server.base_url)
        context = _context(home)
        journal = context.open_journal()
        try:
            add_goal(journal, "Family", why="I want to be there for them")
        finally:
            journal.close()
        for text in ("+ went for a walk ~20m", "[ ] call mum about the trip #family",
                     "slept badly, but the morning was calm"):
            capture(context, text)
        reply = json.dumps(REFLECTION_REPLY)
        server.script(Reply(text=reply), Reply(text=reply))
        ws.log("a CLI-like process making two reflections ...")
        env = ws.env(WISE_HOME=str(home), OPENAI_API_KEY=BENCH_KEY)
        result = _probe("model_probe_rss", env=env)
        requests = len(server.requests)
        # Again, with the structured-reply code (pydantic and the prompts' reply models)
        # imported before the "before" reading: its share of the growth.
        server.script(Reply(text=reply), Reply(text=reply))
        ws.log("... and again with prompts.structured imported beforehand ...")
        preloaded = _probe("model_probe_rss", PRELOAD, env=env)

    before, after1, after2 = (result["rss_before_kib"], result["rss_after_1_kib"],
                              result["rss_after_2_kib"])
    growth = after1 - before
    loaded = result["litellm_loaded"]
    models = [r["model"] for r in result["reflections"]]
    packages = ", ".join(f"{k} {v}" for k, v in list(result["new_packages"].items())[:6])
    mib = 1024
    growth_pre = preloaded["rss_after_1_kib"] - preloaded["rss_before_kib"]
    return [
        Row(GROUP, "CLI process: litellm imported by a reflection",
            "yes" if loaded else "no", target="no", met=not loaded,
            note=(f"{len(result['litellm_like'])} litellm/openai/httpx/tiktoken modules in "
                  f"sys.modules after two reflections (replies from {models}, {requests} "
                  f"requests)"),
            data={"litellm_like": result["litellm_like"]}),
        Row(GROUP, "CLI process RSS, before → after a reflection",
            f"{before / mib:.1f} → {after1 / mib:.1f} MiB (+{growth / mib:.1f})",
            target=f"≤ +{RSS_GROWTH_TARGET_KIB / mib:.0f} MiB",
            met=growth <= RSS_GROWTH_TARGET_KIB and all(models),
            note=(f"one-time lazy imports: the first reflection imported "
                  f"{result['new_modules']} modules ({packages}); with {PRELOAD} (pydantic "
                  f"and the reply's models) imported beforehand the growth is "
                  f"{growth_pre / mib:+.1f} MiB, so they account for "
                  f"{(growth - growth_pre) / mib:.1f} MiB; interpreter start "
                  f"{result['rss_start_kib'] / mib:.1f} MiB, peak {result['hwm_kib'] / mib:.1f}"
                  f" MiB"),
            data={**result, "preloaded": preloaded}),
        Row(GROUP, "CLI process RSS, after a second reflection",
            f"{after2 / mib:.1f} MiB ({(after2 - after1) / mib:+.1f})",
            target=f"≤ +{RSS_REPEAT_TARGET_KIB / mib:.0f} MiB",
            met=after2 - after1 <= RSS_REPEAT_TARGET_KIB,
            note=f"{result['new_modules_2']} more modules imported",
            data={"rss_after_2_kib": after2}),
        Row(GROUP, "model worker RSS (litellm loaded), for comparison",
            f"{result['worker_rss_kib'] / mib:.0f} MiB",
            f"CLI {after1 / mib:.0f} MiB", ratio(result["worker_rss_kib"], after1),
            note=f"VmRSS of the running worker after two calls (peak "
                 f"{result['worker_hwm_kib'] / mib:.0f} MiB)",
            data={"worker_rss_kib": result["worker_rss_kib"],
                  "worker_hwm_kib": result["worker_hwm_kib"]}),
    ]


# ------------------------------------------------------------------------------ shared


def _stream_ttft(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """A `wise reflect --stream` child: (seconds to its first delta line, to its end)."""
    import subprocess

    started = time.perf_counter()
    first: float | None = None
    with subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as child:
        assert child.stdout is not None
        for raw in child.stdout:
            event = json.loads(raw).get("event")
            if first is None and event in ("delta", "done"):
                first = time.perf_counter() - started
            if event == "done" and json.loads(raw).get("fallback"):
                raise RuntimeError(f"the reflection fell back: {raw[:200]!r}")
        code = child.wait(300)
    if code != 0 or first is None:
        raise RuntimeError(f"wise reflect --stream exit {code}")
    return first, time.perf_counter() - started


def _tree_kib(pids: list[int]) -> int:
    """VmRSS of these processes and all their descendants (a private worker is the child
    of the `wise` process that started it)."""
    seen: set[int] = set()
    todo = list(pids)
    total = 0
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += proc_kib(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return total


def _peak_of_children(argvs: list[list[str]], env: dict[str, str],
                      also: list[int]) -> tuple[int, int]:
    """Run these children at once; (peak summed VmRSS of them, their descendants and the
    `also` pids while they ran, in KiB; how many ended with exit 0)."""
    import subprocess

    children = [subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL) for argv in argvs]
    peak = 0
    while any(c.poll() is None for c in children):
        peak = max(peak, _tree_kib([c.pid for c in children if c.poll() is None] + also))
        time.sleep(0.1)
    return peak, sum(c.wait() == 0 for c in children)


def _seed_a_day(context) -> None:
    """A goal and three captures: a day with something to reflect on."""
    from app.capture.service import capture
    from app.goals import add_goal

    journal = context.open_journal()
    try:
        add_goal(journal, "Family", why="I want to be there for them")
    finally:
        journal.close()
    for text in ("+ went for a walk ~20m", "[ ] call mum about the trip #family",
                 "slept badly, but the morning was calm"):
        capture(context, text)


def shared(ws: Workspace) -> list[Row]:
    """The model worker shared by every `wise` process (app.llm.shared_worker) against
    each process starting its own (WISE_MODEL_WORKER=private, as before it existed)."""
    from app.llm.gateway import Gateway
    from app.llm.shared_worker import SharedWorker
    from tests.fake_openai import Reply

    rounds = 2 if ws.quick else 5
    children = 3
    reply = json.dumps(REFLECTION_REPLY)
    samples: dict[str, list[float]] = {k: [] for k in ("warm", "warm_total", "cold",
                                                        "cold_total", "direct")}
    with _bench_key(), _server() as server:
        server.default = Reply(text=reply)
        home = _home(ws, "model-shared", server.base_url)
        context = _context(home)
        _seed_a_day(context)
        body = request_body(_wire(_messages(), server.base_url, context))
        env = ws.env(WISE_HOME=str(home), OPENAI_API_KEY=BENCH_KEY)
        private_env = {**env, "WISE_MODEL_WORKER": "private"}
        argv = [sys.executable, "-m", "app.cli.main", "reflect", "--stream"]
        try:
            ws.log("the shared worker starting: a first `wise reflect` (untimed) ...")
            _stream_ttft(argv, env)
            direct_request(server.base_url, body, BENCH_KEY)
            for round_no in range(rounds):
                ws.log(f"wise reflect --stream: shared warm vs private cold, round "
                       f"{round_no + 1} of {rounds} ...")
                first, total = _stream_ttft(argv, env)
                samples["warm"].append(first)
                samples["warm_total"].append(total)
                first, total = _stream_ttft(argv, private_env)
                samples["cold"].append(first)
                samples["cold_total"].append(total)
                samples["direct"].append(direct_request(server.base_url, body, BENCH_KEY)[0])

            ws.log("a gateway over the shared worker's socket vs direct HTTP ...")
            journal = context.open_journal()
            gateway = Gateway(context, journal)  # finds the shared worker, warm
            messages = _messages()
            socket_samples: dict[str, list[float]] = {"gateway": [], "direct": []}
            try:
                def via_socket(i: int) -> None:
                    server.script(Reply(text=REPLY_TEXT))
                    ttft, _total = _gateway_ttft(gateway, messages)
                    if i >= 0:
                        socket_samples["gateway"].append(ttft)
                    time.sleep(SETTLE_S)

                def direct(i: int) -> None:
                    server.script(Reply(text=REPLY_TEXT))
                    ttft = direct_request(server.base_url, body, BENCH_KEY)[0]
                    if i >= 0:
                        socket_samples["direct"].append(ttft)
                    time.sleep(SETTLE_S)

                time_calls_interleaved({"gateway": via_socket, "direct": direct},
                                       10 if ws.quick else 40, warmup=3)
            finally:
                gateway.close()
                journal.close()

            ws.log(f"{children} `wise reflect` children at once: shared vs private ...")
            server.default = Reply(text=reply, first_token_delay=3.0)  # all in flight
            worker = SharedWorker(home)
            worker_pid = int(worker.ping()["pid"])
            many = [argv] * children
            shared_peak, shared_ok = _peak_of_children(many, env, [worker_pid])
            private_peak, private_ok = _peak_of_children(many, private_env, [])
            worker_kib = proc_kib(worker_pid)
        finally:
            SharedWorker(home).quit()

    warm, cold, direct = (Stats.of(samples[k]) for k in ("warm", "cold", "direct"))
    over_socket = Stats.of(socket_samples["gateway"])
    socket_direct = Stats.of(socket_samples["direct"])
    socket_extra = _paired(socket_samples["gateway"], socket_samples["direct"])
    warm_total, cold_total = Stats.of(samples["warm_total"]), Stats.of(samples["cold_total"])
    mib = 1024
    return [
        Row(GROUP, "wise reflect --stream, first token: shared worker warm vs own worker "
                   "(cold, as before)", med_p90(warm), med_p90(cold),
            ratio(warm.median, cold.median),
            note=(f"{warm.n} interleaved rounds of a whole `wise reflect --stream` process "
                  f"(the reflection window's child); whole run {ms(warm_total.median)} vs "
                  f"{ms(cold_total.median)}; a direct HTTP request to the same server: "
                  f"{ms(direct.median)}"),
            data={"warm": warm, "cold": cold, "direct": direct, "warm_total": warm_total,
                  "cold_total": cold_total}),
        Row(GROUP, "  shared warm, first token vs a direct HTTP request", med_p90(warm),
            med_p90(direct), ratio(warm.median, direct.median),
            note="what remains is the `wise` process itself (interpreter, imports, journal, "
                 "context) and the reflection's prompt; the worker's own part is the warm "
                 "gateway row above",
            data={"warm": warm, "direct": direct}),
        Row(GROUP, "shared worker: gateway's time to first token vs direct HTTP",
            med_p90(over_socket), med_p90(socket_direct),
            ratio(over_socket.median, socket_direct.median),
            note=(f"{over_socket.n} interleaved rounds; a Gateway in this process, over "
                  f"the shared worker's Unix socket (a connection per request)"),
            data={"gateway": over_socket, "direct": socket_direct}),
        Row(GROUP, "shared worker: extra time to first token (gateway - direct)",
            med_p90(socket_extra), target=f"≤ {EXTRA_TARGET_S * 1000:.0f} ms",
            met=socket_extra.median <= EXTRA_TARGET_S,
            note="the second reflection's model call, once the worker runs: median and "
                 "p90 of the per-round differences", data={"stats": socket_extra}),
        Row(GROUP, f"memory: {children} `wise reflect` children at once, shared worker vs "
                   f"one worker each", f"{shared_peak / mib:.0f} MiB",
            f"{private_peak / mib:.0f} MiB", ratio(shared_peak, private_peak),
            note=(f"peak summed VmRSS while all were waiting for the model (the children, "
                  f"their workers, and the shared worker: {worker_kib / mib:.0f} MiB); "
                  f"{shared_ok} and {private_ok} of {children} ended well"),
            data={"shared_kib": shared_peak, "private_kib": private_peak,
                  "worker_kib": worker_kib}),
    ]


STEPS = (cold, warm, rss, shared)
