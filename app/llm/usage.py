"""This month's model calls and their cost, from the `llm_calls` table.

A month is the calendar month in local time: calls are stored with UTC timestamps, so the
month's bounds are computed locally and converted to UTC for the query."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from storage.engine import Journal
from storage.models import LLMCall


def month_bounds_utc(today: date) -> tuple[datetime, datetime]:
    """[first day 00:00, next month's first day 00:00) local time, as UTC."""
    start = datetime(today.year, today.month, 1).astimezone()
    if today.month == 12:
        end = datetime(today.year + 1, 1, 1).astimezone()
    else:
        end = datetime(today.year, today.month + 1, 1).astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)


def month_cost(journal: Journal, today: date) -> float:
    start, end = month_bounds_utc(today)
    with journal.read() as session:
        total = session.scalar(select(func.coalesce(func.sum(LLMCall.cost_usd), 0.0))
                               .where(LLMCall.created_at >= start, LLMCall.created_at < end))
    return float(total or 0.0)


def month_usage(journal: Journal, today: date) -> dict:
    """Calls, outcomes, tokens and cost this month, overall and per model and purpose."""
    start, end = month_bounds_utc(today)
    with journal.read() as session:
        rows = session.execute(
            select(LLMCall.model, LLMCall.purpose, LLMCall.status,
                   func.count(), func.coalesce(func.sum(LLMCall.input_tokens), 0),
                   func.coalesce(func.sum(LLMCall.output_tokens), 0),
                   func.coalesce(func.sum(LLMCall.cost_usd), 0.0))
            .where(LLMCall.created_at >= start, LLMCall.created_at < end)
            .group_by(LLMCall.model, LLMCall.purpose, LLMCall.status)).all()

    def bucket() -> dict:
        return {"calls": 0, "ok": 0, "error": 0, "cancelled": 0, "input_tokens": 0,
                "output_tokens": 0, "cost_usd": 0.0}

    total = bucket()
    by_model: dict[str, dict] = {}
    by_purpose: dict[str, dict] = {}
    for model, purpose, status, count, tokens_in, tokens_out, cost in rows:
        for target in (total, by_model.setdefault(model, bucket()),
                       by_purpose.setdefault(purpose, bucket())):
            target["calls"] += count
            target[status] = target.get(status, 0) + count
            target["input_tokens"] += int(tokens_in)
            target["output_tokens"] += int(tokens_out)
            target["cost_usd"] += float(cost)
    for group in (total, *by_model.values(), *by_purpose.values()):
        group["cost_usd"] = round(group["cost_usd"], 6)
    return {"month": f"{today:%Y-%m}", **total, "by_model": by_model,
            "by_purpose": by_purpose}
