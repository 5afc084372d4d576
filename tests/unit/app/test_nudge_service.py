"""The nudge service on a real, migrated SQLite journal (WISE_HOME per test), the nudge
wording, and `wise nudge --dry-run`. The "model" is a small object with the gateway's
complete() method, as the gateway is to this module; SQLAlchemy is only listened to
(to count statements), never patched."""

from __future__ import annotations

import json
import random
import re
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import event, func, select

from app.journal import Context
from app.llm.types import CallResult, ModelError
from app.nudges import policy
from app.nudges.learner import STYLES
from app.nudges.policy import Candidate
from app.nudges.service import NudgeOutcome, NudgeService, load_candidates
from app.nudges.wording import BANNED, plain_nudge, problems, starter_step
from storage.db import reading
from storage.models import Action, Entry, Goal, Nudge
from storage.repo import nudges as nudge_repo
from storage.repo.nudges import OpenStep

TZ = timezone(timedelta(hours=1))
DAY = date(2026, 11, 26)


def at(hh: int, mm: int = 0, day: int = 0) -> datetime:
    return datetime.combine(DAY + timedelta(days=day), time(hh, mm), tzinfo=TZ)


@pytest.fixture
def context(wise_home) -> Context:
    return Context.from_environment()


@pytest.fixture
def journal(context: Context):
    from storage.engine import Journal

    context.prepare_storage()  # the ORM: the test arranges rows with it
    opened = Journal(context.paths.db)
    yield opened
    opened.close()


@pytest.fixture
def service(context: Context, journal) -> NudgeService:
    """The clock rules alone decide the moment (the learner's timing has its own tests)."""
    return NudgeService(context, journal, rng=random.Random(5), learn_timing=False)


def add_goal(journal, title="Family", why="I want to be there for them", status="active",
             slug=None) -> int:
    with journal.write() as session:
        goal = Goal(title=title, why=why, status=status, slug=slug or title.lower(),
                    created_at=at(9, day=-60))
        session.add(goal)
        session.flush()
        return goal.id


def add_step(journal, title="call mum about the trip", *, goal_id=None, due_on=None,
             estimate=None, created=None, status="open") -> int:
    with journal.write() as session:
        action = Action(title=title, goal_id=goal_id, due_on=due_on, estimate_minutes=estimate,
                        status=status, created_at=created or at(9, day=-1))
        session.add(action)
        session.flush()
        return action.id


def nudges(journal) -> list[Nudge]:
    with journal.read() as session:
        return list(session.scalars(select(Nudge).order_by(Nudge.id)))


def action(journal, action_id: int) -> Action:
    with journal.read() as session:
        return session.get(Action, action_id)


@pytest.fixture
def statements(journal):
    """SQL statements sent to SQLite (not BEGIN/COMMIT/ROLLBACK), while the fixture is
    alive: through SQLAlchemy's engine and through the repository's sqlite3 connections
    (storage.db.connect), each with its library's own hook."""
    from storage import db

    seen: list[str] = []

    def note(statement: str) -> None:
        if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK)", statement):
            seen.append(statement)

    def record(conn, cursor, statement, parameters, context, executemany):
        note(statement)

    def trace(conn) -> None:
        conn.set_trace_callback(note)

    event.listen(journal.engine, "before_cursor_execute", record)
    db.CONNECTION_LISTENERS.append(trace)
    yield seen
    db.CONNECTION_LISTENERS.remove(trace)
    event.remove(journal.engine, "before_cursor_execute", record)


# --------------------------------------------------------------------------- tick


def test_tick_records_one_nudge(service, journal) -> None:
    goal = add_goal(journal)
    step = add_step(journal, goal_id=goal, due_on=DAY, estimate=5)
    outcome = service.tick(at(10, 15))
    assert isinstance(outcome, NudgeOutcome)
    assert (outcome.action_id, outcome.goal_id, outcome.hour_bucket) == (step, goal, 10)
    assert outcome.reason == "due today and small (~5 min)"
    assert outcome.style in STYLES and outcome.source == "plain"
    assert "call mum about the trip" in outcome.text
    [row] = nudges(journal)
    assert row.id == outcome.nudge_id and row.created_at == at(10, 15).astimezone(UTC)
    assert (row.action_id, row.goal_id, row.hour_bucket, row.style, row.source) == (
        step, goal, 10, outcome.style, "plain")
    assert row.text == outcome.text and row.reason == outcome.reason
    assert row.response is None and row.responded_at is None
    # The next tick respects the gap and says so.
    again = service.tick(at(11))
    assert not again.nudge and again.rule == "waiting"
    assert len(nudges(journal)) == 1


def test_dry_run_and_unsent_ticks_write_nothing(service, journal, statements) -> None:
    add_step(journal, estimate=5)
    with journal.write() as session:  # an old unanswered nudge: only a real tick expires it
        session.add(Nudge(created_at=at(6), text="x", style="plain", hour_bucket=6))
    statements.clear()
    decision = service.dry_run(at(10, 15))
    assert decision.nudge and decision.rule == "nudge"
    assert not isinstance(service.tick(at(10, 15), send=False), NudgeOutcome)
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                   for s in statements)
    [old] = nudges(journal)
    assert old.response is None
    assert isinstance(service.tick(at(10, 15)), NudgeOutcome)
    assert [n.response for n in nudges(journal)] == ["ignored", None]


def test_respond_done_completes_the_step(service, journal) -> None:
    step = add_step(journal, estimate=5)
    sent = service.tick(at(10))
    answer = service.respond(sent.nudge_id, "done", at(10, 7))
    assert (answer.response, answer.recorded, answer.action_done) == ("done", True, True)
    assert answer.snooze_until is None
    done = action(journal, step)
    assert done.status == "done" and done.done_at == at(10, 7).astimezone(UTC)
    [row] = nudges(journal)
    assert (row.response, row.responded_at) == ("done", at(10, 7).astimezone(UTC))
    # Done is final: a late "ignored" or "opened" does not overwrite it.
    assert service.respond(sent.nudge_id, "ignored", at(13)).recorded is False
    assert nudges(journal)[0].response == "done"
    assert not service.tick(at(12)).nudge  # nothing open any more


def test_snooze_then_done(service, journal) -> None:
    add_step(journal)
    sent = service.tick(at(10))
    snoozed = service.respond(sent.nudge_id, "snooze", at(10, 1))
    assert snoozed.snooze_until == at(10, 16)
    assert nudges(journal)[0].response == "snooze"
    assert service.respond(sent.nudge_id, "done", at(10, 20)).action_done
    assert nudges(journal)[0].response == "done"


def test_respond_refuses_unknown_nudges_and_answers(service, journal) -> None:
    from app.errors import BadInput

    with pytest.raises(BadInput, match="no nudge 42"):
        service.respond(42, "done", at(10))
    add_step(journal)
    sent = service.tick(at(10))
    with pytest.raises(BadInput, match="unknown response"):
        service.respond(sent.nudge_id, "maybe", at(10))


def test_not_today_excludes_the_step_for_the_journal_day(service, journal) -> None:
    first = add_step(journal, "reply to Ana", due_on=DAY, estimate=5)
    second = add_step(journal, "water the plants")
    sent = service.tick(at(9))
    assert sent.action_id == first
    service.respond(sent.nudge_id, "not_today", at(9, 2))
    later = service.tick(at(11))
    assert later.action_id == second
    service.respond(later.nudge_id, "not_today", at(11, 1))
    nothing = service.tick(at(13))
    assert nothing.rule == "nothing" and "Not today" in nothing.reason
    # 02:00 tomorrow still belongs to today's journal day (it starts at 04:00)...
    context = service.context
    context.settings.values.update({"nudges.quiet_start": "23:59", "nudges.quiet_end": "23:59"})
    assert service.dry_run(at(2, day=1)).rule == "nothing"
    # ...and the next journal day both may come back (at an hour the learner likes).
    outcome = next(o for o in (service.tick(at(8, day=1) + timedelta(minutes=15 * i))
                               for i in range(56)) if o.nudge)
    assert outcome.action_id == first


def test_expire_marks_unanswered_as_ignored(service, journal) -> None:
    add_step(journal)
    add_step(journal, "second")
    first = service.tick(at(9))
    answered = service.tick(at(11, 30))  # the first expired meanwhile (two hours)
    assert [n.response for n in nudges(journal)] == ["ignored", None]
    service.respond(answered.nudge_id, "opened", at(11, 40))
    assert service.expire_unanswered(at(13, 29)) == 0
    third = service.tick(at(13, 30))
    assert service.expire_unanswered(at(15, 29)) == 0
    assert service.expire_unanswered(at(15, 31)) == 1
    rows = {n.id: n for n in nudges(journal)}
    assert rows[first.nudge_id].response == "ignored"
    assert rows[first.nudge_id].responded_at is None
    assert rows[answered.nudge_id].response == "opened"  # answered ones are left alone
    assert rows[third.nudge_id].response == "ignored"


def test_pause_from_the_state_file(service, journal, context) -> None:
    from app.state import RuntimeState, save_state

    add_step(journal)
    save_state(context.paths.data_dir / "state.json",
               RuntimeState(nudges_paused_until=at(12).isoformat()))
    paused = service.tick(at(10))
    assert paused.rule == "paused" and paused.reason == "no nudge: paused until 12:00"
    assert service.tick(at(12)).nudge


def test_settings_are_read_at_each_tick(service, journal) -> None:
    add_step(journal)
    service.context.settings.values["nudges.enabled"] = False
    assert service.tick(at(10)).rule == "disabled"
    service.context.settings.values.update({"nudges.enabled": True,
                                            "nudges.quiet_start": "09:00",
                                            "nudges.quiet_end": "11:00"})
    assert service.tick(at(10)).reason == "no nudge: quiet hours until 11:00"
    assert service.tick(at(11)).nudge


def test_the_daily_cap_holds_through_the_service_for_a_journal_day(service, journal) -> None:
    """Ticks every 15 minutes all day and night, every nudge answered (so nothing backs
    off): the service, on its rows, sends the cap and no more, counted per journal day
    (which starts at 4 am); the next day starts again."""
    for i in range(12):
        add_step(journal, f"step {i}", estimate=5, created=at(9, day=-3))
    service.context.settings.values.update({"nudges.daily_cap": 3,
                                            "nudges.min_gap_minutes": 15,
                                            "nudges.quiet_start": "00:00",
                                            "nudges.quiet_end": "00:00"})  # never quiet
    refusals = []
    for tick in range(4 * 4 + 1, (24 + 4) * 4):  # 04:15 to 03:45 the next morning
        now = at(0) + timedelta(minutes=15 * tick)
        outcome = service.tick(now)
        if isinstance(outcome, NudgeOutcome):
            service.respond(outcome.nudge_id, "done", now + timedelta(minutes=5))
        else:
            refusals.append(outcome.rule)
    sent = nudges(journal)
    assert len(sent) == 3, [(n.created_at, n.response) for n in sent]
    assert refusals[-1] == "daily_cap" and refusals.count("daily_cap") > 80, refusals
    # 04:15, a new journal day: nudges again.
    assert isinstance(service.tick(at(4, 15, day=1)), NudgeOutcome)
    assert len(nudges(journal)) == 4


# ------------------------------------------------------------------------ loading


def test_candidates_are_open_steps_of_active_goals_with_their_history(journal) -> None:
    family = add_goal(journal)
    guitar = add_goal(journal, "Guitar", why="my reset", status="paused")
    call = add_step(journal, goal_id=family, created=at(9, day=-30))
    add_step(journal, "tune it", goal_id=guitar)  # a paused goal's step: left alone
    add_step(journal, "a win", status="done")
    loose = add_step(journal, "book the dentist", due_on=DAY)
    with journal.write() as session:
        session.add(Entry(text="thinking of them", goal_id=family, created_at=at(8, day=-3)))
        session.add(Nudge(created_at=at(9, day=-2), action_id=call, text="x", style="plain",
                          hour_bucket=9, response="ignored"))
        session.add(Nudge(created_at=at(9, day=-1), action_id=call, text="y", style="plain",
                          hour_bucket=9, response="snooze", responded_at=at(9, 5, day=-1)))
    found = {c.action_id: c for c in load_candidates(journal, at(10))}
    assert set(found) == {call, loose}
    c = found[call]
    assert (c.goal_title, c.goal_why, c.uid is not None) == ("Family", "I want to be there "
                                                             "for them", True)
    assert c.last_nudged_at == at(9, day=-1).astimezone(UTC) and c.last_response == "snooze"
    assert c.last_response_at == at(9, 5, day=-1).astimezone(UTC)
    assert c.goal_touched_at == at(8, day=-3).astimezone(UTC)
    assert found[loose].due_on == DAY and found[loose].goal_id is None
    # A candidate is the stored open step (its fields declared once, in OpenStep) plus what
    # the policy weighs: the step part is exactly what the repository read.
    with reading(journal.db_path) as conn:
        stored = nudge_repo.open_steps_to_consider(conn, tomorrow=DAY + timedelta(days=1),
                                                   tiny_minutes=10, n_due=5, n_tiny=5, n_old=5)
    assert {s.action_id: s for s in stored} == {
        id_: OpenStep(**{f.name: getattr(c, f.name) for f in fields(OpenStep)})
        for id_, c in found.items()}


def test_the_bounded_picks_keep_due_tiny_and_old_steps(journal) -> None:
    for i in range(40):
        add_step(journal, f"plain step {i}", created=at(9, day=-1) + timedelta(minutes=i))
    due = add_step(journal, "due and tiny", due_on=DAY, estimate=5, created=at(9, day=-1))
    tiny = add_step(journal, "just tiny", estimate=5, created=at(12, day=-1))
    oldest = add_step(journal, "the oldest", created=at(9, day=-300))
    later = add_step(journal, "due next month", due_on=DAY + timedelta(days=30))
    picked = {c.action_id for c in load_candidates(journal, at(10), limit=6)}
    assert len(picked) <= 6 and {due, tiny, oldest} <= picked and later not in picked
    everything = load_candidates(journal, at(10), limit=1000)
    assert len(everything) == 44


def test_a_tick_takes_a_bounded_number_of_queries(service, journal, statements) -> None:
    goal = add_goal(journal)
    with journal.write() as session:
        session.add_all(Action(title=f"step {i}", goal_id=goal if i % 2 else None,
                               estimate_minutes=(5, 30, None)[i % 3],
                               created_at=at(9, day=-(i % 90))) for i in range(700))
        session.add_all(Nudge(created_at=at(10, day=-d), action_id=1 + d, text="t",
                              style=STYLES[d % 4], hour_bucket=10,
                              response=("done", "ignored")[d % 2]) for d in range(1, 300))
    statements.clear()
    decision = service.tick(at(10), send=False)
    assert decision.nudge
    # history, learner counts, candidates, their last nudges, goals last touched
    assert len(statements) == 5, statements
    assert all(re.search(r"\bLIMIT\b|\bGROUP BY\b|\bIN \(", s) for s in statements)
    statements.clear()
    assert service.tick(at(23), send=False).rule == "quiet_hours"
    assert len(statements) == 1  # the clock rules say no: nothing else is read


# ---------------------------------------------------------------------- learning


def test_the_learner_reads_its_evidence_from_the_rows(service, journal) -> None:
    with journal.write() as session:
        session.add_all(Nudge(created_at=at(10, day=-d), text="t", style="tiny_step",
                              hour_bucket=10, response="done") for d in range(1, 7))
        session.add_all(Nudge(created_at=at(15, day=-d), text="t", style="question",
                              hour_bucket=15, response=None) for d in range(1, 7))
    summary = service.learning_summary(at(10))
    assert summary["favourite_hour"] == 10
    assert summary["hours"]["15"]["answers"] == 6  # unanswered for 2 h: ignored
    assert "around 10–11 am" in summary["description"]
    assert "tiny first step work better than questions" in summary["description"]
    reset = NudgeService(service.context, journal, learning_since=at(9))
    assert reset.learning_summary(at(10))["answers"] == 0
    assert reset.describe_learning(at(10)).startswith("Not enough to go on yet")


def test_a_ten_am_user_through_the_journal(context, journal) -> None:
    """The simulated 10 am user (see test_nudge_learner) on the real service: answers
    through respond(), the other nudges expire as ignored (two hours unanswered), and the
    learner reads the rows. Seed 0; about one run in twenty-five, the first two 10 am
    nudges both pass unanswered and learning takes longer than four weeks."""
    service = NudgeService(context, journal, seed=0, rng=random.Random(0))
    rng = random.Random(100)
    for i in range(8):
        add_step(journal, f"step {i}", estimate=5, created=at(9, day=-3))
    hours_by_day = []
    for d in range(28):
        hours = []
        for tick in range(8 * 4, 22 * 4):  # the active hours, every 15 minutes
            now = at(0, day=d) + timedelta(minutes=15 * tick)
            outcome = service.tick(now)
            if isinstance(outcome, NudgeOutcome):
                hours.append(now.hour)
                if now.hour == 10 and rng.random() < 0.8:
                    service.respond(outcome.nudge_id, "done", now + timedelta(minutes=3))
                    add_step(journal, f"another step {d}", estimate=5, created=now)
        hours_by_day.append(hours)
    last_week = [h for day in hours_by_day[-7:] for h in day]
    assert sum(h == 10 for h in last_week) / len(last_week) >= 0.7, hours_by_day
    assert "around 10" in service.describe_learning(at(22, day=27))


# ------------------------------------------------------------------------ wording


class ScriptedGateway:
    """Stands in for app.llm.gateway.Gateway (an app.structured_call.ModelGateway): replies
    from a script, records the call; no model is configured, nothing is learned."""

    memory = None

    def __init__(self, reply, context=None):
        self.reply = reply
        self.calls = []
        self.context = context  # the settings a request is fitted to

    def targets(self):
        return []

    def complete(self, purpose, messages, **kw):
        self.calls.append((purpose, messages, kw))
        if isinstance(self.reply, Exception):
            raise self.reply
        return CallResult(text=self.reply(messages) if callable(self.reply) else self.reply,
                          model="openai/test")


def uid_from(messages) -> str:
    return re.search(r"Step uid: (\S+)", messages[-1]["content"]).group(1)


@pytest.mark.parametrize(("reply", "source"), [
    (lambda m: json.dumps({"text": "Open your phone and find Mum's number; that's all.",
                           "why": "to be there for them", "action_uid": uid_from(m)}),
     "model"),
    (ModelError("timeout", "too slow"), "plain"),
    ("not json at all", "plain"),
    (lambda m: json.dumps({"text": "Call mum NOW! Last chance.", "action_uid": None}), "plain"),
    (lambda m: json.dumps({"text": "Do it.", "action_uid": "someone-else"}), "plain"),
])
def test_model_words_with_plain_fallbacks(context, journal, reply, source) -> None:
    context.settings.values["llm.model"] = "openai/gpt-4o-mini"
    gateway = ScriptedGateway(reply, context)
    service = NudgeService(context, journal, lambda: gateway, rng=random.Random(1))
    add_step(journal, goal_id=add_goal(journal), estimate=5)
    sent = service.tick(at(10))
    assert sent.source == source and nudges(journal)[0].source == source
    purpose, messages, kw = gateway.calls[0]
    assert purpose == "nudge" and kw["prompt_name"] == "nudge"
    assert "<journal-data>" in messages[-1]["content"]  # the journal text is fenced
    assert "I want to be there for them" in messages[-1]["content"]
    if source == "model":
        assert sent.text == ("Open your phone and find Mum's number; that's all. "
                             "(to be there for them)")
    else:
        assert "call mum about the trip" in sent.text and not problems(sent.text)


def step(title="call mum about the trip", why="I want to be there for them", goal="Family",
         **kw) -> Candidate:
    return Candidate(1, "u1", title, 1 if goal else None, goal, why, kw.get("estimate"), None,
                     at(9, day=-2))


TITLES = ["call mum about the trip", "email the landlord about the boiler", "read chapter 3",
          "tidy the desk", "buy birthday card", "book the dentist", "pay the water bill",
          "go for a run", "fix the bike light", "practise scales", "x", "ünïcødé stëp ✓",
          "write the intro of chapter 3 of the book that I keep thinking about all the time "
          "while walking the dog in the park on Sundays"]


@pytest.mark.parametrize("style", [*STYLES, "unknown"])
def test_plain_words_are_kind_short_and_name_the_step(style: str) -> None:
    rng = random.Random(0)
    for title in TITLES:
        for why, goal in (("I want to be there for them", "Family"), (None, None),
                          ("", "Home"), ("a" * 300, "G" * 100)):
            text = plain_nudge(step(title, why, goal), style, rng)
            assert not problems(text), (text, problems(text))
            assert len(text) <= 200
            if len(title) < 60:
                assert title in text or title.capitalize() in text
            if why == "I want to be there for them":
                assert "“I want to be there for them”" in text


def test_plain_words_vary() -> None:
    texts = {plain_nudge(step(), style, random.Random(seed))
             for style in STYLES for seed in range(10)}
    assert len(texts) >= 12
    assert len({plain_nudge(step(), "plain", random.Random(s)) for s in range(20)}) >= 4


def test_starter_steps_are_small_first_moves() -> None:
    rng = random.Random(0)
    assert starter_step("Call mum", rng) in ("pick up your phone and find the number",
                                             "open the contact")
    assert starter_step("email Bob", rng) in ("open a blank draft and write the first line",
                                              "type just the greeting")
    assert starter_step("something else entirely", rng)


@pytest.mark.parametrize("bad", [
    "You still haven't called mum.", "Do it NOW!", "Last chance to pay the bill",
    "This is overdue", "You should really call", "Don't forget the dentist",
    "Hurry, the deadline", "urgent: call mum", "a" * 201])
def test_guilt_and_urgency_are_caught(bad: str) -> None:
    assert problems(bad)


def test_the_banned_list_does_not_catch_kind_words() -> None:
    for fine in ("Later is fine too.", "Whenever you are ready.", "Nothing more is needed.",
                 "Two minutes for it? Just open the file."):
        assert not problems(fine), fine
    assert len(BANNED) > 10


# --------------------------------------------------------------------------- CLI


def test_wise_nudge_dry_run_explains_and_sends_nothing(context, journal, capsys) -> None:
    from app.cli.main import main

    add_step(journal, "water the plants", estimate=5)
    assert main(["nudge", "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sent"] is False and data["dry_run"] is True
    assert data["reason"] and data["rule"] in {"nudge", "quiet_hours", "not_now", "nothing",
                                               "paused", "daily_cap"}
    assert data["rules"]["daily_cap"] == 4 and data["rules"]["quiet_start"] == "22:00"
    assert "learned" in data
    if data["nudge"]:
        assert data["action"]["title"] == "water the plants" and data["preview"]
    assert main(["nudge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Right now (" in out and "Nothing was sent or recorded." in out
    assert main(["nudge"]) == 0
    assert "the tray app (`wise`) sends nudges" in capsys.readouterr().out
    with journal.read() as session:
        assert session.scalar(select(func.count()).select_from(Nudge)) == 0


def test_every_learned_style_has_words() -> None:
    from app.nudges.wording import _TEMPLATES

    assert set(_TEMPLATES) == set(STYLES) == {"plain", "why_first", "tiny_step", "question"}
    assert timedelta(hours=2) == policy.ANSWER_WINDOW


def test_the_users_own_words_are_not_held_against_a_nudge() -> None:
    title = "finally fix the failing deadline script"
    assert problems(f"Two minutes for “{title}”?")
    assert not problems(f"Two minutes for “{title}”?", own_words=(title, None))
    text = plain_nudge(step(title), "tiny_step", random.Random(1))
    assert not problems(text, own_words=(title, "I want to be there for them"))


def test_the_dry_run_says_one_thing_about_what_was_learned(context, journal) -> None:
    """Before any answer, the plan is hours being tried: the reason for not nudging now must
    not claim it was learned beside "Not enough to go on yet" (seen: both, in one output)."""
    from app.cli.main import main
    from app.cli.nudge_cmd import explanation, explanation_text

    assert main(["config", "set", "nudges.quiet_start", "00:00"]) == 0
    assert main(["config", "set", "nudges.quiet_end", "00:00"]) == 0  # every hour active
    add_step(journal, "water the plants", estimate=5)
    service = NudgeService(Context.from_environment(), journal, rng=random.Random(5))
    # At most daily_cap hours are in a day's plan: most hours of the day are outside it.
    snaps = [(moment, service.snapshot(moment)) for moment in (at(h) for h in range(24))]
    outside = [(moment, snap) for moment, snap in snaps if snap.decision.rule == "not_now"]
    assert len(outside) >= 20
    for moment, snap in outside:
        text = explanation_text(explanation(snap, moment, True), moment, True, None)
        assert "Not enough to go on yet (0 nudges answered so far)" in text
        assert "this hour is not one of today's nudge times (around " in text
        assert "learned" not in snap.decision.reason, text
