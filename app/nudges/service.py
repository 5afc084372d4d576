"""The nudge service: the policy and the learner applied to the journal.

One tick (the tray's scheduler calls ``tick`` every 15 minutes, off the GUI thread):

1. with ``send=True``, nudges left unanswered for 2 hours are recorded as ignored;
2. in one read transaction, bounded queries: the last days of nudges (the clock rules);
   when those already say no, nothing else is read. Otherwise the learner's counts
   (one GROUP BY over at most ``LEARNING_WINDOW`` of nudges), at most 500 open steps
   picked along indexes (the due ones nearest today, the oldest tiny ones, the oldest),
   the last nudge of each of those, and when each active goal was last touched (a
   28-day window, on indexed columns): five queries, whatever the journal's size;
3. ``policy.decide``;
4. when it chose a step and ``send`` is true: the words (the model's, when one is set,
   outside any transaction; else plain ones), then a write transaction that checks the
   clock rules again (another tick may have sent one meanwhile) and records the row.

Times: ``now`` is an aware moment in the user's local time zone; rows store UTC.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.errors import BadInput, WiseError
from app.nudges import policy
from app.nudges.learner import Learner
from app.nudges.policy import Candidate, Decision, NudgeRules, PastNudge
from app.nudges.wording import plain_nudge, word_nudge
from storage.db import reading, writing
from storage.repo import nudges as nudge_repo
from storage.timeutil import journal_day
from storage.vocabulary import NudgeResponse

if TYPE_CHECKING:
    from app.journal import Context
    from storage.db import JournalFile

log = logging.getLogger(__name__)

SNOOZE = timedelta(minutes=15)  # the scheduler shows a snoozed nudge again after this
EXPIRE_AFTER = policy.ANSWER_WINDOW
LEARNING_WINDOW = timedelta(days=180)  # older answers fade out: habits change
GOAL_TOUCH_WINDOW = timedelta(days=policy.NEGLECT_CAP_DAYS)
CANDIDATE_LIMIT = 500
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class NudgeOutcome:
    """A nudge that was sent (recorded): what to show, and why it was chosen."""

    nudge_id: int
    text: str
    action_id: int | None
    goal_id: int | None
    title: str
    style: str
    source: str  # "model" | "plain"
    reason: str
    hour_bucket: int
    created_at: datetime
    decision: Decision

    @property
    def nudge(self) -> bool:
        return True


@dataclass(frozen=True)
class ResponseOutcome:
    nudge_id: int
    response: str  # the answer now on record
    recorded: bool  # False: an earlier, stronger answer was kept (e.g. Done stays Done)
    action_done: bool  # the step was marked done by this answer
    snooze_until: datetime | None  # for Snooze: when the scheduler shows it again


@dataclass(frozen=True)
class Snapshot:
    """What `wise nudge --dry-run` shows: the decision and what it was made from."""

    decision: Decision
    rules: NudgeRules
    shown_today: int
    paused_until: datetime | None
    learned: str
    candidates: int  # open steps considered (after the SQL pre-ranking)


# ------------------------------------------------------------------------ the queries
# The SQL is storage/repo/nudges.py's; here its rows become the policy's types.


def load_history(journal: JournalFile, since: datetime, *, limit: int = HISTORY_LIMIT,
                 conn=None) -> list[PastNudge]:
    """Nudges shown since `since`, newest first (at most `limit`), as the policy's history."""
    if conn is None:
        with reading(journal.db_path) as own:
            return load_history(journal, since, limit=limit, conn=own)
    return [PastNudge(n.at, n.action_id, n.response, n.responded_at)
            for n in nudge_repo.shown_since(conn, since, limit)]


def load_candidates(journal: JournalFile, now: datetime, limit: int = CANDIDATE_LIMIT, *,
                    day_start_hour: int = 4, conn=None) -> list[Candidate]:
    """Open steps (of no goal or an active goal), at most `limit`, with their goal, its
    why, when the goal was last touched, and each step's last nudge. Three queries.

    Which steps: 40% of `limit` for the due ones nearest today, 30% for the oldest tiny
    ones, 30% for the oldest of all (storage.repo.nudges) -- the steps the policy's
    weights favour (due, small, neglected); the policy then scores them all. Each pick
    follows an index and stops at its limit, so the cost does not grow with the open
    steps."""
    if conn is None:
        with reading(journal.db_path) as own:
            return load_candidates(journal, now, limit, day_start_hour=day_start_hour,
                                   conn=own)
    today = journal_day(now, day_start_hour)
    n_due = max(1, limit * 4 // 10)
    n_tiny = max(1, (limit - n_due) // 2)
    steps = nudge_repo.open_steps_to_consider(
        conn, tomorrow=today + timedelta(days=1), tiny_minutes=policy.TINY_MINUTES,
        n_due=n_due, n_tiny=n_tiny, n_old=max(1, limit - n_due - n_tiny))[:limit]
    if not steps:
        return []
    last = nudge_repo.last_nudges(conn, [step.action_id for step in steps])
    touched = nudge_repo.goals_touched_since(conn, now - GOAL_TOUCH_WINDOW)
    out = []
    for step in steps:
        shown = last.get(step.action_id)
        nudged_at = shown.at if shown else None
        response = shown.response if shown else None
        out.append(Candidate.of(
            step, last_nudged_at=nudged_at, last_response=response,
            last_response_at=(shown.responded_at if shown else None)
            or (nudged_at if response else None),
            goal_touched_at=touched.get(step.goal_id) if step.goal_id is not None else None))
    return out


def load_learner(journal: JournalFile, now: datetime, *, since: datetime | None = None,
                 seed: int | str = 0, rng: random.Random | None = None,
                 conn=None) -> Learner:
    """The learner from the nudges of the last LEARNING_WINDOW (and not before `since`,
    the last reset). One GROUP BY query."""
    if conn is None:
        with reading(journal.db_path) as own:
            return load_learner(journal, now, since=since, seed=seed, rng=rng, conn=own)
    start = now - LEARNING_WINDOW
    if since is not None and since > start:
        start = since
    return Learner.from_counts(nudge_repo.answer_counts(conn, start, now - EXPIRE_AFTER),
                               seed=seed, rng=rng)


# ------------------------------------------------------------------------ the service


class NudgeService:
    """Nudges for one journal. `gateway_factory()` gives the model gateway used to word
    nudges when a model is set (default: app.llm.gateway.Gateway; a gateway from the
    factory is the caller's to close). `learning_since` overrides the reset point kept in
    the runtime state; `seed` fixes the learner's timing draws, `rng` its style draws and
    the tie-breaks (tests). With `learn_timing=False` the learner still picks the wording
    style but not the hour: any moment the clock rules allow will do."""

    def __init__(self, context: Context, journal: JournalFile,
                 gateway_factory: Callable[[], object] | None = None, *,
                 learning_since: datetime | None = None, seed: int | str = 0,
                 rng: random.Random | None = None, learn_timing: bool = True) -> None:
        self.context = context
        self.journal = journal
        self.gateway_factory = gateway_factory
        self._learning_since = learning_since
        self.seed = seed
        self.rng = rng if rng is not None else random.Random()
        self.learn_timing = learn_timing

    # -- settings and state -------------------------------------------------------------

    @property
    def rules(self) -> NudgeRules:
        return NudgeRules.from_settings(self.context.settings)

    @property
    def _state_file(self):
        return self.context.paths.data_dir / "state.json"

    def _state(self):
        from app.state import load_state

        return load_state(self._state_file)

    def paused_until(self) -> datetime | None:
        return self._state().paused_until()

    def learning_since(self) -> datetime | None:
        if self._learning_since is not None:
            return self._learning_since
        return self._state().learning_reset_at()

    def reset_learning(self, now: datetime) -> None:
        """Forget what was learned: from now on only new answers count (rows are kept)."""
        from app.state import save_state

        state = self._state()
        if not hasattr(state, "learning_since"):
            raise WiseError("this version cannot store a learning reset yet "
                            "(RuntimeState has no learning_since)")
        state.learning_since = now.isoformat()
        save_state(self._state_file, state)
        self._learning_since = None

    # -- deciding -----------------------------------------------------------------------

    def _snapshot(self, now: datetime, *, busy: bool) -> tuple[Snapshot, Learner | None]:
        _need_aware(now)
        rules = self.rules
        paused = self.paused_until()
        with reading(self.journal.db_path) as conn:
            history = load_history(self.journal, now - rules.min_gap - timedelta(days=2),
                                   conn=conn)
            shown = _shown_today(history, now, rules)
            refusal = policy.blocked(history, now, rules, paused_until=paused, busy=busy)
            if refusal is not None:
                return Snapshot(refusal, rules, shown, paused, "", 0), None
            learner = load_learner(self.journal, now, since=self.learning_since(),
                                   seed=self.seed, rng=self.rng, conn=conn)
            candidates = load_candidates(self.journal, now, day_start_hour=rules.day_start_hour,
                                         conn=conn)
        today = policy.journal_day_of(now, rules, now.tzinfo)
        active = policy.active_hours(rules)

        def hour_weight(hour: int) -> float:
            return learner.hour_weight(hour, day=today, active_hours=active)

        decision = policy.decide(candidates, history, now, rules, paused_until=paused,
                                 busy=busy, choose_style=learner.choose_style, rng=self.rng,
                                 hour_weight=hour_weight if self.learn_timing else None)
        return (Snapshot(decision, rules, shown, paused, learner.describe(), len(candidates)),
                learner)

    def decide(self, now: datetime, *, busy: bool = False) -> Decision:
        """What the policy says right now; reads only."""
        return self._snapshot(now, busy=busy)[0].decision

    def dry_run(self, now: datetime) -> Decision:
        """The decision for `now`, explained; nothing is sent or written."""
        return self.decide(now)

    def snapshot(self, now: datetime, *, busy: bool = False) -> Snapshot:
        """The decision with the facts behind it (for `wise nudge --dry-run`); no writes."""
        snap, learner = self._snapshot(now, busy=busy)
        if learner is None:
            learner = load_learner(self.journal, now, since=self.learning_since(),
                                   seed=self.seed, rng=self.rng)
            snap = replace(snap, learned=learner.describe())
        return snap

    def describe_learning(self, now: datetime) -> str:
        return load_learner(self.journal, now, since=self.learning_since()).describe()

    def learning_summary(self, now: datetime) -> dict:
        return load_learner(self.journal, now, since=self.learning_since()).summary()

    # -- sending ------------------------------------------------------------------------

    def tick(self, now: datetime, *, busy: bool = False,
             send: bool = True) -> NudgeOutcome | Decision:
        """Decide, and when a step is chosen and `send` is true, word it and record it.
        Returns the NudgeOutcome to show, or the Decision saying why not."""
        _need_aware(now)
        if send:
            self.expire_unanswered(now)
        snap, learner = self._snapshot(now, busy=busy)
        decision = snap.decision
        if not decision.nudge or not send:
            return decision
        candidate = decision.candidate
        assert candidate is not None  # a decision to nudge names its step
        style = decision.style or "plain"
        text_, source = self._word(candidate, style, now, learner)
        rules = snap.rules
        paused = snap.paused_until
        with writing(self.journal.db_path) as tx:
            # Another tick may have sent one while the words were being found.
            history = load_history(self.journal, now - rules.min_gap - timedelta(days=2),
                                   conn=tx.conn)
            refusal = policy.blocked(history, now, rules, paused_until=paused, busy=busy)
            if refusal is not None:
                return refusal
            nudge_id = nudge_repo.insert_nudge(
                tx, at=now, action_id=candidate.action_id, goal_id=candidate.goal_id,
                text=text_, style=style, hour_bucket=decision.hour_bucket,
                reason=decision.reason, source=source)
        log.info("nudge %s sent (rule: %s, style %s, %s words)", nudge_id, decision.rule,
                 style, source)
        return NudgeOutcome(nudge_id=nudge_id, text=text_, action_id=candidate.action_id,
                            goal_id=candidate.goal_id, title=candidate.title, style=style,
                            source=source, reason=decision.reason,
                            hour_bucket=decision.hour_bucket, created_at=now,
                            decision=decision)

    def _word(self, candidate: Candidate, style: str, now: datetime,
              learner: Learner | None) -> tuple[str, str]:
        if not str(self.context.settings.get("llm.model") or "").strip():
            return plain_nudge(candidate, style, self.rng), "plain"
        factory = self.gateway_factory
        own = factory is None
        try:
            gateway = factory() if factory is not None else self._default_gateway()
        except Exception:  # a gateway that cannot even start: plain words, never no nudge
            log.exception("no model gateway for the nudge; using plain words")
            return plain_nudge(candidate, style, self.rng), "plain"
        try:
            return word_nudge(gateway, candidate, style, now, rng=self.rng,
                              learned=learner.describe() if learner else None)
        finally:
            if own:
                close = getattr(gateway, "close", None)
                if close:
                    close()

    def _default_gateway(self):
        from app.llm.gateway import Gateway

        return Gateway(self.context, self.journal)

    # -- answers ------------------------------------------------------------------------

    def respond(self, nudge_id: int, response: str, now: datetime) -> ResponseOutcome:
        """Record the answer to a nudge. Done also marks its step done (done_at = now);
        Snooze gives `snooze_until` (now + 15 min) for the scheduler to show it again;
        Not today keeps the step out of nudges for the rest of the journal day."""
        _need_aware(now)
        try:
            answer = NudgeResponse(response).value
        except ValueError:
            raise BadInput(f"unknown response {response!r} (one of: "
                           f"{', '.join(r.value for r in NudgeResponse)})") from None
        with writing(self.journal.db_path, clock=lambda: now) as tx:
            answered = nudge_repo.record_answer(tx, nudge_id, answer)
        if answered is None:
            raise BadInput(f"no nudge {nudge_id}")
        return ResponseOutcome(nudge_id, answered.response, answered.recorded,
                               answered.action_done,
                               now + SNOOZE if answered.recorded and answer == "snooze"
                               else None)

    def expire_unanswered(self, now: datetime, after: timedelta = EXPIRE_AFTER) -> int:
        """Nudges shown more than `after` ago with no answer are recorded as ignored."""
        _need_aware(now)
        cutoff = now - after
        with reading(self.journal.db_path) as conn:
            waiting = nudge_repo.unanswered_before(conn, cutoff)
        if not waiting:
            return 0  # the common case takes no write lock
        with writing(self.journal.db_path) as tx:
            return nudge_repo.expire_unanswered(tx, cutoff)


def _need_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware moment in the user's time zone")


def _shown_today(history: list[PastNudge], now: datetime, rules: NudgeRules) -> int:
    today = policy.journal_day_of(now, rules, now.tzinfo)
    return sum(policy.journal_day_of(p.at, rules, now.tzinfo) == today for p in history)


__all__ = ["CANDIDATE_LIMIT", "SNOOZE", "NudgeOutcome", "NudgeService",
           "ResponseOutcome", "Snapshot", "load_candidates", "load_history", "load_learner"]
