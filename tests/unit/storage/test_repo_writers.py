"""The repository's writers of the companion's own records (reflections, summaries, model
calls), with sqlite3 through writing(): one stamp per write from the one clock, read back
by the ORM exactly as the model defaults used to write them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from storage.clock import utc_now
from storage.engine import Journal
from storage.models import LLMCall, Reflection, Summary
from storage.repo.health import optimize_search_index
from storage.repo.reflections import ReflectionRecord, store_reflection
from storage.repo.summaries import store_summary
from storage.repo.usage import CallRecord, cost_between, record_call

DAY = date(2026, 11, 26)


def test_a_reflection_is_stored_with_its_uid_and_one_stamp(journal: Journal) -> None:
    before = utc_now()
    first = store_reflection(journal.db_path, ReflectionRecord(
        DAY, "daily_reflection", "3", "openai/gpt-4o-mini", "You walked.", '{"a": 1}', None,
        "tired but ok"))
    second = store_reflection(journal.db_path, ReflectionRecord(
        DAY, None, None, None, "A plain day.", None, "raw reply", None))
    with journal.read() as session:
        rows = session.scalars(select(Reflection).order_by(Reflection.id)).all()
    assert [row.id for row in rows] == [first, second]
    one, two = rows
    assert (one.kind, one.period, one.prompt_name, one.prompt_version, one.model,
            one.content, one.structured, one.raw, one.user_words) == (
        "daily", DAY, "daily_reflection", "3", "openai/gpt-4o-mini", "You walked.",
        '{"a": 1}', None, "tired but ok")
    assert (two.prompt_name, two.model, two.raw, two.user_words) == (None, None,
                                                                     "raw reply", None)
    assert len(one.uid) == 36 and one.uid != two.uid
    assert before <= one.created_at == one.updated_at <= utc_now()


def test_a_summary_is_stored_once(journal: Journal) -> None:
    week = DAY - timedelta(days=DAY.weekday())
    assert store_summary(journal.db_path, "week", week, week + timedelta(days=6), "A week.",
                         "model", "openai/gpt-4o-mini", "2")
    assert not store_summary(journal.db_path, "week", week, week + timedelta(days=6),
                             "Another.", "plain", None, "plain-1")
    with journal.read() as session:
        [row] = session.scalars(select(Summary)).all()
    assert (row.kind, row.period_start, row.period_end, row.content, row.source, row.model,
            row.prompt_version) == ("week", week, week + timedelta(days=6), "A week.", "model",
                                    "openai/gpt-4o-mini", "2")
    assert row.created_at <= utc_now()


def test_a_model_call_is_recorded_and_counted(journal: Journal) -> None:
    start = utc_now()
    record_call(journal.db_path, CallRecord("daily_reflection" + "x" * 50, "m" * 300, "p",
                                            "1", "ok", 120, 40, 900, 80, 0.0125))
    record_call(journal.db_path, CallRecord("llm_test", "openai/gpt-4o-mini", None, None,
                                            "error", 5, error_kind="auth", error="no key"))
    with journal.read() as session:
        ok, failed = session.scalars(select(LLMCall).order_by(LLMCall.id)).all()
    assert (len(ok.purpose), len(ok.model), ok.input_tokens, ok.output_tokens, ok.cost_usd,
            ok.latency_ms, ok.first_token_ms) == (40, 200, 900, 80, 0.0125, 120, 40)
    assert (failed.status, failed.error_kind, failed.error, failed.input_tokens,
            failed.first_token_ms) == ("error", "auth", "no key", 0, None)
    assert start <= ok.created_at <= failed.created_at <= utc_now()
    assert cost_between(journal.db_path, start, utc_now() + timedelta(seconds=1)) == 0.0125


def test_the_search_index_tidy_up_runs(journal: Journal) -> None:
    optimize_search_index(journal.db_path)  # on an empty index, and again: no error
    optimize_search_index(journal.db_path)
