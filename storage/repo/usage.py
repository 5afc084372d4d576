"""The `llm_calls` table: one row per model call attempt, and what a period of them cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.db import writing
from storage.repo.reading import NoJournal, reading
from storage.timeutil import to_db


@dataclass(frozen=True)
class CallRecord:
    """One model call attempt as it is kept: never the messages or the key."""

    purpose: str
    model: str
    prompt_name: str | None
    prompt_version: str | None
    status: str  # storage.vocabulary.CallStatus
    latency_ms: int
    first_token_ms: int | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    error_kind: str | None = None
    error: str | None = None  # redacted by the caller


@dataclass(frozen=True)
class UsageGroup:
    """The calls of one (model, purpose, status) in a period, summed."""

    model: str
    purpose: str
    status: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


def record_call(db: Path, call: CallRecord) -> None:
    with writing(db) as tx:
        tx.execute(
            "INSERT INTO llm_calls (created_at, purpose, model, prompt_name, prompt_version, "
            "input_tokens, output_tokens, cost_usd, latency_ms, first_token_ms, status, "
            "error_kind, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (tx.now, call.purpose[:40], call.model[:200], call.prompt_name,
             call.prompt_version, int(call.input_tokens), int(call.output_tokens),
             float(call.cost_usd), call.latency_ms, call.first_token_ms, call.status,
             call.error_kind, call.error))


def cost_between(db: Path, start: datetime, end: datetime) -> float:
    """What the calls made in [start, end) cost, in US dollars (0 without a journal)."""
    try:
        with reading(db) as conn:
            total = conn.execute(
                "SELECT coalesce(sum(cost_usd), 0.0) FROM llm_calls "
                "WHERE created_at >= ? AND created_at < ?", (to_db(start), to_db(end))
            ).fetchone()[0]
    except NoJournal:
        return 0.0
    return float(total or 0.0)


def usage_between(db: Path, start: datetime, end: datetime) -> list[UsageGroup]:
    """The calls made in [start, end), summed per model, purpose and status."""
    try:
        with reading(db) as conn:
            rows = conn.execute(
                "SELECT model, purpose, status, count(*), coalesce(sum(input_tokens), 0), "
                "coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0.0) "
                "FROM llm_calls WHERE created_at >= ? AND created_at < ? "
                "GROUP BY model, purpose, status", (to_db(start), to_db(end))).fetchall()
    except NoJournal:
        return []
    return [UsageGroup(model, purpose, status, int(n), int(t_in), int(t_out), float(cost))
            for model, purpose, status, n, t_in, t_out, cost in rows]
