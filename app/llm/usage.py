"""This month's model calls and their cost, from the journal's record of calls.

A month is the calendar month in local time: calls are stored with UTC timestamps, so the
month's bounds are computed locally and converted to UTC for the query."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from storage.db import JournalFile
from storage.repo.usage import UsageGroup, cost_between, usage_between


def month_bounds_utc(today: date) -> tuple[datetime, datetime]:
    """[first day 00:00, next month's first day 00:00) local time, as UTC."""
    start = datetime(today.year, today.month, 1).astimezone()
    if today.month == 12:
        end = datetime(today.year + 1, 1, 1).astimezone()
    else:
        end = datetime(today.year, today.month + 1, 1).astimezone()
    return start.astimezone(UTC), end.astimezone(UTC)


def month_cost(journal: JournalFile, today: date) -> float:
    return cost_between(journal.db_path, *month_bounds_utc(today))


@dataclass(frozen=True)
class CallCounts:
    """Calls, outcomes, tokens and cost of a group of calls."""

    calls: int = 0
    ok: int = 0
    error: int = 0
    cancelled: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


def summed(groups: list[UsageGroup]) -> CallCounts:
    def calls(status: str) -> int:
        return sum(g.calls for g in groups if g.status == status)

    return CallCounts(sum(g.calls for g in groups), calls("ok"), calls("error"),
                      calls("cancelled"), sum(g.input_tokens for g in groups),
                      sum(g.output_tokens for g in groups),
                      round(sum(g.cost_usd for g in groups), 6))


@dataclass(frozen=True)
class MonthUsage:
    month: str  # "2026-12"
    total: CallCounts
    by_model: dict[str, CallCounts] = field(default_factory=dict)
    by_purpose: dict[str, CallCounts] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"month": self.month, **asdict(self.total),
                "by_model": {k: asdict(v) for k, v in self.by_model.items()},
                "by_purpose": {k: asdict(v) for k, v in self.by_purpose.items()}}


def month_usage(journal: JournalFile, today: date) -> MonthUsage:
    """Calls, outcomes, tokens and cost this month, overall and per model and purpose."""
    groups = usage_between(journal.db_path, *month_bounds_utc(today))
    by_model: dict[str, list[UsageGroup]] = {}
    by_purpose: dict[str, list[UsageGroup]] = {}
    for group in groups:
        by_model.setdefault(group.model, []).append(group)
        by_purpose.setdefault(group.purpose, []).append(group)
    return MonthUsage(f"{today:%Y-%m}", summed(groups),
                      {k: summed(v) for k, v in by_model.items()},
                      {k: summed(v) for k, v in by_purpose.items()})
