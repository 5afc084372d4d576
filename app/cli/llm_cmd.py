"""`wise llm test` (one tiny structured call: does the model answer in shape, how fast, at
what cost), `wise llm usage` (this month's model calls and their cost) and `wise llm
refused` (the last replies the quality gate refused: "show what it said")."""

from __future__ import annotations

import sys
from argparse import Namespace
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.cli.output import emit
from app.errors import BadInput
from app.journal import Context
from app.results import omitted_when_none

if TYPE_CHECKING:
    from app.llm.usage import MonthUsage

@dataclass(frozen=True)
class ModelAnswered:
    """`wise llm test --json` when the model answered in shape and passed the gate."""

    ok: bool
    model: str  # the one that answered (a fallback when the main model failed)
    reply: str
    latency_ms: int
    first_token_ms: int | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    local: bool
    api_base: str | None
    attempts: list[str]
    structured: str  # json_schema, json_object or prompt_only
    structured_enforced: bool
    context_tokens: int | None
    passed_gate: bool


@dataclass(frozen=True)
class ModelTestFailed:
    """`wise llm test --json` when the call failed, or its reply was refused by the gate
    (then with the rule, the reply and passed_gate)."""

    ok: bool
    error_kind: str
    rule: str | None = omitted_when_none()
    message: str = ""
    model: str | None = None
    api_base: str | None = None
    reply: str | None = omitted_when_none()
    passed_gate: bool | None = omitted_when_none()


@dataclass(frozen=True)
class RefusedReplies:
    refused: list[dict]  # as kept in the model memory's file, newest last


TEST_STEP = "water the plants"  # the sample step of the test call (no journal is read)
TEST_GOAL = ("Home", "a calm place to come back to")


def run_test(args: Namespace) -> int:
    """One tiny structured call through the same path as a reflection (the nudge prompt
    with a sample step, the quality gate included): ✓ only for a reply that passed."""
    from app.llm.gateway import Gateway
    from app.llm.types import ModelError
    from app.logs import configure_logging
    from app.structured_call import RefusedReply

    context = Context.from_environment()
    _refuse_broken_settings(context)
    settings = context.settings
    model = settings.get("llm.model").strip()
    api_base = settings.get("llm.api_base").strip() or None
    journal = context.open_journal()
    configure_logging(context.paths.logs_dir)
    gateway = Gateway(context, journal)
    try:
        text, result = _test_call(gateway)
    except RefusedReply as exc:
        return _refused(args, gateway, exc, model, api_base)
    except ModelError as exc:
        return _failed(args, exc, model, api_base)
    finally:
        gateway.close()
        journal.close()

    from app.llm.providers import is_local
    from app.structured_call import context_tokens

    latency_ms = round(result.latency_s * 1000)
    first_ms = None if result.first_token_s is None else round(result.first_token_s * 1000)
    local = is_local(result.model, api_base if result.model == model else None)
    mode = result.structured_mode or "prompt_only"
    window = context_tokens(gateway)
    data = ModelAnswered(True, result.model, text, latency_ms, first_ms, result.input_tokens,
                         result.output_tokens, result.cost_usd, local, api_base,
                         list(result.attempts), mode, mode != "prompt_only", window, True)
    lines = [f"✓ {result.model} answered in shape: {text[:100]!r}"]
    if result.model != model:
        lines.append(f"  (the main model {model} failed; this is a fallback — see "
                     "`wise llm usage`)")
    if result.model == model and api_base:
        lines.append(f"  server       {api_base}")
    lines.append(f"  shape        {STRUCTURED_WORDS.get(mode, mode)}")
    lines.append("  context      " + (f"{window:,} tokens" if window
                                      else "large (not reported; a cloud model)"))
    first = f" (first token after {first_ms} ms)" if first_ms is not None else ""
    lines.append(f"  latency      {latency_ms} ms{first}")
    lines.append(f"  tokens       {result.input_tokens} in, {result.output_tokens} out")
    lines.append(f"  cost         ${result.cost_usd:.6f}" + ("  (local: free)" if local else ""))
    if len(result.attempts) > 1:
        lines.append(f"  attempts     {len(result.attempts)}: {', '.join(result.attempts)}")
    emit(args, data, "\n".join(lines))
    return 0


STRUCTURED_WORDS = {
    "json_schema": "enforced by the server (JSON schema)",
    "json_object": "enforced by the server (JSON with a grammar)",
    "prompt_only": "asked for in the prompt only (the server enforces none)",
}


def _test_call(gateway):
    from datetime import datetime

    from app.daytime import local_now
    from app.nudges.policy import Candidate
    from app.nudges.wording import nudge_call, nudge_problem
    from app.structured_call import ask
    from prompts.schemas import NudgeText

    now = local_now()
    candidate = Candidate(action_id=0, title=TEST_STEP, goal_id=None, goal_title=TEST_GOAL[0],
                          goal_why=TEST_GOAL[1], estimate_minutes=2, due_on=None,
                          created_at=datetime.now(now.tzinfo), last_nudged_at=None,
                          last_response=None, last_response_at=None, uid="test-step")
    call = nudge_call(gateway, candidate, "plain", now, None)
    call = replace(call, purpose="llm_test",
                   compact=replace(call.compact, purpose="llm_test") if call.compact else None)
    parsed, result = ask(gateway, call, NudgeText,
                         check=lambda reply: nudge_problem(reply, candidate))
    return " ".join(parsed.text.split()), result


def _refused(args: Namespace, gateway, exc, model: str, api_base: str | None) -> int:
    message = (f"{exc.model} answered, but its reply {exc.verdict.words} "
               f"({exc.verdict}); Wise would show its plain words instead. A larger model, "
               "or one made for chat, usually does better. `wise llm refused` shows what "
               "it said.")
    data = ModelTestFailed(False, "bad_output", exc.verdict.rule, message, model or None,
                           api_base, exc.raw[:500], passed_gate=False)
    if args.json:
        emit(args, data, "")
    print(f"wise: ✗ {message}", file=sys.stderr)
    return 1


def _refuse_broken_settings(context: Context) -> None:
    """A model setting that cannot work is the user's input to fix: exit code 2."""
    from app.llm.gateway import settings_problem

    broken = [w for w in context.settings.warnings if "llm." in w]
    if broken:
        raise BadInput("; ".join(broken))
    problem = settings_problem(context.settings)
    if problem:
        raise BadInput(f"{problem} (change it with `wise config set`)")


def _failed(args: Namespace, exc, model: str, api_base: str | None) -> int:
    message = str(exc)
    if exc.kind == "unreachable" and api_base and api_base not in message:
        message += f" [llm.api_base is {api_base}]"
    data = ModelTestFailed(False, exc.kind, message=message, model=model or None,
                           api_base=api_base)
    if args.json:
        emit(args, data, "")
    print(f"wise: {message}", file=sys.stderr)
    return 1


def run_usage(args: Namespace) -> int:
    from app.daytime import local_now
    from app.llm.usage import month_usage

    context = Context.from_environment()
    journal = context.open_journal()
    try:
        today = local_now().date()
        usage = month_usage(journal, today)
    finally:
        journal.close()
    report = UsageReport(usage, float(context.settings.get("llm.monthly_budget_usd")),
                         context.settings.get("llm.model").strip() or None)
    emit(args, report, format_usage(report, today))
    return 0


@dataclass(frozen=True)
class UsageReport:
    """`wise llm usage`: this month's calls beside the budget and the model set."""

    usage: MonthUsage
    budget_usd: float
    model: str | None

    @property
    def remaining_usd(self) -> float:
        return round(max(0.0, self.budget_usd - self.usage.total.cost_usd), 6)

    def as_dict(self) -> dict:
        return {**self.usage.as_dict(), "budget_usd": self.budget_usd,
                "remaining_usd": self.remaining_usd, "model": self.model}


def format_usage(report: UsageReport, today) -> str:
    month = f"{today:%B %Y}"
    total = report.usage.total
    setting = f"Model: {report.model}" if report.model else (
        "No model is set (`wise llm test` says how to connect one).")
    if not total.calls:
        return (f"No model calls in {month}. Budget: ${report.budget_usd:.2f} a month.\n"
                f"{setting}")
    lines = [
        f"Model calls in {month}: {total.calls} ({total.ok} ok, {total.error} failed, "
        f"{total.cancelled} cancelled)",
        f"Tokens: {total.input_tokens:,} in, {total.output_tokens:,} out",
        f"Cost: ${total.cost_usd:.4f} of your ${report.budget_usd:.2f} budget "
        f"(${report.remaining_usd:.2f} left)",
        setting,
    ]
    for title, groups in (("By model", report.usage.by_model),
                          ("By purpose", report.usage.by_purpose)):
        lines += ["", title]
        width = max(len(name) for name in groups)
        for name, group in sorted(groups.items(), key=lambda item: -item[1].calls):
            failed = f", {group.error} failed" if group.error else ""
            lines.append(f"  {name:<{width}}  {group.calls} call"
                         f"{'s' if group.calls != 1 else ''}{failed}  "
                         f"${group.cost_usd:.4f}")
    return "\n".join(lines)


def run_refused(args: Namespace) -> int:
    """The last replies the quality gate refused, newest last, as they were written."""
    from datetime import datetime

    from app.llm.model_memory import ModelMemory

    context = Context.from_environment()
    records = ModelMemory(context.paths.data_dir).refused()
    if not records:
        emit(args, RefusedReplies([]), "No refused replies are kept: every model reply so far "
                                    "passed the quality gate (or no model was asked).")
        return 0
    blocks = []
    for record in records[-5:]:
        when = datetime.fromtimestamp(float(record.get("at") or 0)).strftime("%Y-%m-%d %H:%M")
        blocks.append(f"{when}  {record.get('purpose')}  {record.get('model')}\n"
                      f"  refused: {record.get('rule')} ({record.get('detail')})\n"
                      f"  it said: {' '.join(str(record.get('text') or '').split())[:600]}")
    head = (f"The last {min(len(records), 5)} of {len(records)} replies the quality gate "
            "refused (never shown as Wise's words):")
    emit(args, RefusedReplies(records), "\n\n".join([head, *blocks]))
    return 0
