"""Running the suite: each scenario (times `repeat`) through the real prompt, gateway and
worker, checked, and written as one JSON line the moment it completes.

A run lives in `<data folder>/evals/<run id>/`: `run.json` (what was asked: model, prompt
variant, scenarios, machine) and `results.jsonl` (one case a line). A run that was cut
short (a crash, Ctrl+C, a closed laptop) keeps every case it finished; `resume` carries
on from there. Nothing is sent to any model but the one the run names.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import BadInput
from app.evals.scenarios import Scenario

if TYPE_CHECKING:
    from app.journal import Context
    from app.llm.gateway import Gateway, Target
    from app.llm.model_memory import ModelMemory
    from app.llm.types import CallResult

RESULTS = "results.jsonl"
META = "run.json"
EVAL_SETTINGS = {"llm.timeout": "240", "llm.stall_timeout": "90", "llm.max_retries": "0",
                 "llm.temperature": "0.2", "llm.max_output_tokens": "300"}


@dataclass(frozen=True)
class RunSpec:
    """What a run was asked to do."""

    model: str
    api_base: str | None
    variant: str | None  # a prompt variant ("brief"), or None for each purpose's default
    scenarios: tuple[str, ...]
    repeat: int = 1
    scripted: str | None = None  # "good"/"bad": the CI server's scripted replies
    judge: str | None = None
    label: str = ""
    # The server's context window (llm.context_tokens); None: learned, or assumed (a local
    # server's 2,048, which gets the compact prompts first, as in the app).
    context_tokens: int | None = None

    @property
    def prompt_label(self) -> str:
        return f"variant {self.variant}" if self.variant else "default variants"


@dataclass
class CaseResult:
    scenario: str
    purpose: str
    family: str
    repeat: int
    prompt: str  # name@version+variant
    usable: bool
    checks: list[dict]
    reply: str
    raw: str
    error: str | None = None
    latency_s: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    # The prompts asked, in order ("breakdown", then "breakdown_small" when the gate refused
    # the first reply and the compact form was tried), and whether that compact retry ran.
    forms: list[str] = field(default_factory=list)
    compact_retry: bool = False
    judge: dict | None = None
    finished_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def key(self) -> tuple[str, int]:
        return (self.scenario, self.repeat)


def runs_dir(data_dir: Path) -> Path:
    return data_dir / "evals"


def new_run_dir(data_dir: Path, spec: RunSpec) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    slug = "".join(c if c.isalnum() else "-" for c in spec.model.split("/")[-1])[:24]
    runs_dir(data_dir).mkdir(parents=True, exist_ok=True)
    folder = runs_dir(data_dir) / f"{stamp}-{slug}"
    for again in range(2, 100):  # two runs started in the same second each get a folder
        try:
            folder.mkdir()
            break
        except FileExistsError:
            folder = runs_dir(data_dir) / f"{stamp}-{slug}-{again}"
    meta = asdict(spec) | {"started": datetime.now(UTC).isoformat(), "machine": machine()}
    (folder / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return folder


def machine() -> str:
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def read_meta(folder: Path) -> dict:
    try:
        return json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{folder} is not an eval run ({exc})") from None


def read_results(folder: Path) -> list[CaseResult]:
    """The cases a run finished; a line cut off by a crash is skipped, not fatal."""
    path = folder / RESULTS
    if not path.exists():
        return []
    results = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            results.append(CaseResult(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return results


def resumed(folder: Path) -> tuple[RunSpec, list[Scenario]]:
    """What a run was asked to do, and its scenarios, to carry it on (`--resume`)."""
    from app.evals.scenarios import load_suite

    meta = read_meta(folder)
    asked: dict[str, Any] = {k: (tuple(v) if k == "scenarios" else v)
                             for k, v in meta.items() if k in RunSpec.__annotations__}
    spec = RunSpec(**asked)
    return spec, [s for s in load_suite() if s.name in spec.scenarios]


def find_run(data_dir: Path, ref: str) -> Path:
    """A run by its folder name (or a unique prefix, or "last"), or by a path."""
    if Path(ref).is_dir() and (Path(ref) / META).exists():
        return Path(ref)
    runs = sorted(p for p in runs_dir(data_dir).glob("*") if (p / META).exists())
    if ref == "last" and runs:
        return runs[-1]
    matches = [p for p in runs if p.name.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise BadInput(f"no eval run {ref!r}; `wise eval list-runs` shows them")
    raise BadInput(f"{ref!r} names {len(matches)} runs; give more of the name")


def run_suite(spec: RunSpec, scenarios: Iterable[Scenario], folder: Path, *,
              progress: Callable[[int, int, CaseResult | None], None] | None = None,
              judge: Callable[[Scenario, CaseResult], dict] | None = None,
              worker=None) -> list[CaseResult]:
    """Every (scenario, repeat) not yet in `folder`'s results, appended as it completes.
    `worker`: a model worker to use (and leave running); else one for this run."""
    from app.llm.worker_client import ModelWorker

    done = {r.key: r for r in read_results(folder)}
    todo = [(s, n) for s in scenarios for n in range(1, spec.repeat + 1)
            if (s.name, n) not in done]
    total = len(done) + len(todo)
    if progress:
        progress(len(done), total, None)
    _end_cut_line(folder / RESULTS)
    own = worker is None
    if own:
        worker = ModelWorker(idle_exit_s=600)  # one worker for the whole run: litellm once
    try:
        with (folder / RESULTS).open("a", encoding="utf-8") as out:
            for index, (scenario, repeat) in enumerate(todo, start=len(done) + 1):
                result = run_case(spec, scenario, repeat, worker)
                if judge is not None and result.usable:
                    result.judge = judge(scenario, result)
                out.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
                out.flush()
                os.fsync(out.fileno())
                done[result.key] = result
                if progress:
                    progress(index, total, result)
    finally:
        if own:
            worker.stop()
    return list(done.values())


def _end_cut_line(path: Path) -> None:
    """A line a crash cut off stays alone on its line (it is skipped when read), so the
    next case appended is not glued to it."""
    if path.exists() and path.stat().st_size:
        with path.open("rb+") as file:
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":
                file.write(b"\n")


class _Recorder:
    """The gateway (an app.structured_call.ModelGateway), counting what every call (the
    repair included) cost."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.results: list[CallResult] = []
        self.forms: list[str] = []

    @property
    def context(self) -> Context:
        return self.gateway.context

    @property
    def memory(self) -> ModelMemory:
        return self.gateway.memory

    def targets(self) -> list[Target]:
        return self.gateway.targets()

    def complete(self, purpose: str, messages: list[dict], *, prompt_name: str | None = None,
                 prompt_version: str | None = None, json_schema: dict | None = None,
                 on_delta: Callable[[str], None] | None = None,
                 cancel: threading.Event | None = None,
                 max_tokens: int | None = None) -> CallResult:
        self.forms.append(prompt_name or "")
        result = self.gateway.complete(purpose, messages, prompt_name=prompt_name,
                                       prompt_version=prompt_version, json_schema=json_schema,
                                       on_delta=on_delta, cancel=cancel, max_tokens=max_tokens)
        self.results.append(result)
        return result


def run_case(spec: RunSpec, scenario: Scenario, repeat: int, worker) -> CaseResult:
    """One scenario through the real path: build, plan, ask (one repair), check."""
    from app.daytime import journal_day, local_now
    from app.evals.build import START_HOUR, build_journal, connect
    from app.evals.checks import Reply, run_checks
    from app.evals.purposes import plan, read_reply
    from app.llm.gateway import Gateway
    from app.llm.types import ModelError
    from app.settings.store import set_setting
    from app.structured_call import StructuredCall, UnreadableReply, ask
    from prompts.loader import SMALL_SUFFIX

    today = journal_day(local_now(), START_HOUR)
    with tempfile.TemporaryDirectory(prefix="wise-eval-") as tmp:
        home = Path(tmp)
        context, journal = build_journal(scenario, home, today)
        context = connect(context, spec.model, spec.api_base)
        for key, value in EVAL_SETTINGS.items():
            set_setting(context.paths.settings_file, key, value)
        if spec.context_tokens:
            set_setting(context.paths.settings_file, "llm.context_tokens",
                        str(spec.context_tokens))
        context = connect(context, spec.model, spec.api_base)
        gateway = _Recorder(Gateway(context, journal, worker=worker))
        # planned as the app plans it: fitted to this model's window, its forms in order
        request = plan(scenario, context, journal, today, spec.variant, gateway=gateway.gateway)
        parsed, raw, error = None, "", None
        started = time.monotonic()
        try:
            if request.schema is not None:
                # the app's own call: full form, then the compact one if the gate refuses
                call = request.call or StructuredCall(
                    request.purpose, request.messages, request.prompt_name,
                    request.prompt_version, request.json_schema)
                parsed, result = ask(gateway, call, request.schema, check=request.check)
                raw = result.text
            else:
                raw = gateway.complete(request.purpose, request.messages,
                                       prompt_name=request.prompt_name,
                                       prompt_version=request.prompt_version,
                                       max_tokens=request.max_tokens).text
        except UnreadableReply as exc:
            raw, error = exc.raw, f"refused by the gate, also on the retry: {exc}"
        except ModelError as exc:
            error = f"{exc.kind}: {exc}"
        latency = time.monotonic() - started
        parts = read_reply(request, parsed, raw)
        checks = run_checks(Reply(scenario, request, parts))
        echo = next(c for c in checks if c.name == "not_an_echo")
        usable = error is None and bool(parts.text.strip()) and echo.passed
        if not usable:  # an unusable reply is never scored as the companion's words
            checks = [c for c in checks if c.name == "not_an_echo"]
        calls = gateway.results
        return CaseResult(
            scenario=scenario.name, purpose=scenario.purpose, family=scenario.family,
            repeat=repeat, prompt=f"{request.prompt_name}@{request.prompt_version}",
            usable=usable, checks=[c.as_dict() for c in checks], reply=parts.text,
            raw=raw[:4000], error=error, latency_s=round(latency, 3),
            input_tokens=sum(r.input_tokens for r in calls),
            output_tokens=sum(r.output_tokens for r in calls),
            cost_usd=sum(r.cost_usd for r in calls), calls=len(calls),
            forms=gateway.forms,
            compact_retry=(len(gateway.forms) > 1
                           and gateway.forms[-1].endswith(SMALL_SUFFIX)))
