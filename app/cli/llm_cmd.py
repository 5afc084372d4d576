"""`wise llm test` (one tiny call: does the model answer, how fast, at what cost) and
`wise llm usage` (this month's model calls and their cost)."""

from __future__ import annotations

import sys
from argparse import Namespace

from app.cli.output import emit
from app.errors import BadInput
from app.journal import Context

TEST_MESSAGES = [
    {"role": "system", "content": "You are a connection check. Answer with one word."},
    {"role": "user", "content": "Reply with the single word: ready"},
]
TEST_MAX_TOKENS = 16


def run_test(args: Namespace) -> int:
    from app.llm.gateway import Gateway
    from app.llm.types import ModelError
    from app.logs import configure_logging

    context = Context.from_environment()
    _refuse_broken_settings(context)
    settings = context.settings
    model = settings.get("llm.model").strip()
    api_base = settings.get("llm.api_base").strip() or None
    journal = context.open_journal()
    configure_logging(context.paths.logs_dir)
    gateway = Gateway(context, journal)
    try:
        result = gateway.complete("llm_test", TEST_MESSAGES, max_tokens=TEST_MAX_TOKENS)
    except ModelError as exc:
        return _failed(args, exc, model, api_base)
    finally:
        gateway.close()
        journal.close()

    from app.llm.providers import is_local

    latency_ms = round(result.latency_s * 1000)
    first_ms = None if result.first_token_s is None else round(result.first_token_s * 1000)
    local = is_local(result.model, api_base if result.model == model else None)
    data = {"ok": True, "model": result.model, "reply": result.text.strip(),
            "latency_ms": latency_ms, "first_token_ms": first_ms,
            "input_tokens": result.input_tokens, "output_tokens": result.output_tokens,
            "cost_usd": result.cost_usd, "local": local, "api_base": api_base,
            "attempts": result.attempts}
    reply = " ".join(result.text.split())
    lines = [f"✓ {result.model} answered: {reply[:80]!r}"]
    if result.model != model:
        lines.append(f"  (the main model {model} failed; this is a fallback — see "
                     "`wise llm usage`)")
    if result.model == model and api_base:
        lines.append(f"  server       {api_base}")
    first = f" (first token after {first_ms} ms)" if first_ms is not None else ""
    lines.append(f"  latency      {latency_ms} ms{first}")
    lines.append(f"  tokens       {result.input_tokens} in, {result.output_tokens} out")
    lines.append(f"  cost         ${result.cost_usd:.6f}" + ("  (local: free)" if local else ""))
    if len(result.attempts) > 1:
        lines.append(f"  attempts     {len(result.attempts)}: {', '.join(result.attempts)}")
    emit(args, data, "\n".join(lines))
    return 0


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
    data = {"ok": False, "error_kind": exc.kind, "message": message, "model": model or None,
            "api_base": api_base}
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
    budget = float(context.settings.get("llm.monthly_budget_usd"))
    model = context.settings.get("llm.model").strip()
    usage["cost_usd"] = round(usage["cost_usd"], 6)
    data = {**usage, "budget_usd": budget,
            "remaining_usd": round(max(0.0, budget - usage["cost_usd"]), 6),
            "model": model or None}
    emit(args, data, format_usage(data, today))
    return 0


def format_usage(data: dict, today) -> str:
    month = f"{today:%B %Y}"
    model = data["model"]
    setting = f"Model: {model}" if model else ("No model is set (`wise llm test` says how "
                                               "to connect one).")
    if not data["calls"]:
        return (f"No model calls in {month}. Budget: ${data['budget_usd']:.2f} a month.\n"
                f"{setting}")
    lines = [
        f"Model calls in {month}: {data['calls']} ({data['ok']} ok, {data['error']} failed, "
        f"{data['cancelled']} cancelled)",
        f"Tokens: {data['input_tokens']:,} in, {data['output_tokens']:,} out",
        f"Cost: ${data['cost_usd']:.4f} of your ${data['budget_usd']:.2f} budget "
        f"(${data['remaining_usd']:.2f} left)",
        setting,
    ]
    for title, groups in (("By model", data["by_model"]), ("By purpose", data["by_purpose"])):
        lines += ["", title]
        width = max(len(name) for name in groups)
        for name, group in sorted(groups.items(), key=lambda item: -item[1]["calls"]):
            failed = f", {group['error']} failed" if group["error"] else ""
            lines.append(f"  {name:<{width}}  {group['calls']} call"
                         f"{'s' if group['calls'] != 1 else ''}{failed}  "
                         f"${group['cost_usd']:.4f}")
    return "\n".join(lines)
