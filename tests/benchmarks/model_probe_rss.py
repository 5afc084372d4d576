"""Helper for bench_model, run as its own process: a CLI-like process making reflections.

    python -m tests.benchmarks.model_probe_rss [MODULE ...]
                                                  (WISE_HOME set, settings.toml there)

Does what `wise reflect` does (app/cli/reflect_cmd.py): imports app.reflection, loads the
context from the environment, opens the journal, then calls `app.reflection.reflect`
twice (the model is whatever the settings say: the benchmark's local fake server). Its
own VmRSS is read from /proc/self/status at the start, just before the first reflection,
after it and after the second; the model worker (started by the gateway, kept by this
process so it can be looked at) is measured while still alive, then stopped. Prints one
JSON line, including whether litellm was ever imported here and which packages the first
reflection imported. MODULEs given are imported before the "before" reading (to see how
much of the growth they account for).
"""

from __future__ import annotations

import json
import sys
import time

from tests.benchmarks.model_probe_litellm import proc_kib


def _packages(names: set[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in names:
        top = name.split(".", 1)[0]
        counts[top] = counts.get(top, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def main(preload: list[str]) -> int:
    import importlib

    rss_start = proc_kib()
    from app.daytime import journal_day, local_now
    from app.journal import Context
    from app.llm.gateway import Gateway
    from app.llm.worker_client import ModelWorker
    from app.reflection import reflect

    context = Context.from_environment()
    day = journal_day(local_now(), context.day_start_hour)
    journal = context.open_journal()
    worker = ModelWorker(idle_exit_s=600)
    first_text: list[float] = []
    for name in preload:
        importlib.import_module(name)

    def on_text(_text: str) -> None:
        if not first_text:
            first_text.append(time.perf_counter())

    def once() -> dict:
        first_text.clear()
        started = time.perf_counter()
        outcome = reflect(context, journal, day, user_words="Tired, but the walk helped.",
                          gateway_factory=lambda: Gateway(context, journal, worker=worker),
                          on_text=on_text)
        return {"seconds": time.perf_counter() - started,
                "first_text_s": first_text[0] - started if first_text else None,
                "model": outcome.model, "chars": len(outcome.text)}

    modules_before = set(sys.modules)
    rss_before = proc_kib()
    first = once()
    rss_after_1 = proc_kib()
    new_modules = set(sys.modules) - modules_before
    modules_after_1 = set(sys.modules)
    second = once()
    rss_after_2 = proc_kib()
    worker_pid = worker.pid
    worker_rss = proc_kib(worker_pid) if worker_pid else 0
    worker_hwm = proc_kib(worker_pid, "VmHWM") if worker_pid else 0
    worker.stop()
    journal.close()
    result = {
        "rss_start_kib": rss_start, "rss_before_kib": rss_before,
        "rss_after_1_kib": rss_after_1, "rss_after_2_kib": rss_after_2,
        "hwm_kib": proc_kib("self", "VmHWM"),
        "litellm_loaded": "litellm" in sys.modules,
        "litellm_like": sorted(m for m in sys.modules
                               if m.split(".")[0] in ("litellm", "openai", "httpx", "tiktoken",
                                                      "tokenizers", "aiohttp")),
        "new_modules": len(new_modules), "new_packages": _packages(new_modules),
        "new_modules_2": len(set(sys.modules) - modules_after_1),
        "worker_pid": worker_pid, "worker_rss_kib": worker_rss, "worker_hwm_kib": worker_hwm,
        "reflections": [first, second],
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
