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
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, text

from app.errors import BadInput, WiseError
from app.nudges import policy
from app.nudges.learner import Learner
from app.nudges.policy import Candidate, Decision, NudgeRules, PastNudge
from app.nudges.wording import plain_nudge, word_nudge
from storage.models import Nudge, NudgeResponse
from storage.timeutil import from_db, to_db

if TYPE_CHECKING:
    from app.journal import Context
    from storage.engine import Journal

log = logging.getLogger(__name__)

SNOOZE = timedelta(minutes=15)  # the scheduler shows a snoozed nudge again after this
EXPIRE_AFTER = policy.ANSWER_WINDOW
LEARNING_WINDOW = timedelta(days=180)  # older answers fade out: habits change
GOAL_TOUCH_WINDOW = timedelta(days=policy.NEGLECT_CAP_DAYS)
CANDIDATE_LIMIT = 500
HISTORY_LIMIT = 200
# A later answer replaces an earlier one only when it says more (Done is final).
_RANK = {"ignored": 0, "opened": 1, "snooze": 2, "not_today": 3, "done": 4}


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


def _ts(moment: datetime) -> str:
    return to_db(moment)


def _dt(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return from_db(value)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def load_history(journal: Journal, since: datetime, *, limit: int = HISTORY_LIMIT,
                 session=None) -> list[PastNudge]:
    """Nudges shown since `since`, newest first (at most `limit`), as the policy's history."""
    sql = text("SELECT created_at, action_id, response, responded_at FROM nudges "
               "WHERE created_at >= :since ORDER BY created_at DESC, id DESC LIMIT :limit")
    params = {"since": _ts(since), "limit": limit}
    if session is None:
        with journal.read() as own:
            rows = own.execute(sql, params).all()
    else:
        rows = session.execute(sql, params).all()
    return [PastNudge(_dt(at), action_id, response, _dt(answered))
            for at, action_id, response, answered in rows]


# At most `limit` open steps of no goal or an active goal, from three bounded,
# index-driven picks (a full scan of every open step and its score costs ~10 ms at 20,000):
# the due ones nearest today (due_on <= tomorrow, latest first: today, tomorrow, then the
# most recently overdue), the oldest tiny ones, and the oldest of all (the neglected).
# "+status" keeps SQLite on the created_at index for the oldest-first picks.
_ELIGIBLE = "(+goal_id IS NULL OR +goal_id IN (SELECT id FROM goals WHERE status = 'active'))"
_CANDIDATES = text(f"""
WITH pick(id) AS (
  SELECT id FROM (SELECT id FROM actions WHERE status = 'open' AND due_on <= :tomorrow
                  AND {_ELIGIBLE} ORDER BY due_on DESC LIMIT :n_due)
  UNION
  SELECT id FROM (SELECT id FROM actions WHERE +status = 'open' AND estimate_minutes <= :tiny
                  AND {_ELIGIBLE} ORDER BY created_at LIMIT :n_tiny)
  UNION
  SELECT id FROM (SELECT id FROM actions WHERE +status = 'open' AND {_ELIGIBLE}
                  ORDER BY created_at LIMIT :n_old))
SELECT a.id, a.uid, a.title, a.goal_id, g.title, g.why, a.estimate_minutes, a.due_on,
       a.created_at
FROM pick JOIN actions AS a ON a.id = pick.id LEFT JOIN goals AS g ON g.id = a.goal_id
ORDER BY a.id
""")

_LAST_NUDGES = text("""
SELECT action_id, created_at, response, responded_at FROM (
  SELECT action_id, created_at, response, responded_at,
         row_number() OVER (PARTITION BY action_id ORDER BY created_at DESC, id DESC) AS rn
  FROM nudges WHERE action_id IN :ids)
WHERE rn = 1
""").bindparams(bindparam("ids", expanding=True))

_GOAL_TOUCHED = text("""
SELECT goal_id, max(at) FROM (
  SELECT goal_id, done_at AS at FROM actions WHERE done_at >= :since AND goal_id IS NOT NULL
  UNION ALL
  SELECT goal_id, created_at FROM actions WHERE created_at >= :since AND goal_id IS NOT NULL
  UNION ALL
  SELECT goal_id, created_at FROM entries WHERE created_at >= :since AND goal_id IS NOT NULL)
GROUP BY goal_id
""")


def load_candidates(journal: Journal, now: datetime, limit: int = CANDIDATE_LIMIT, *,
                    day_start_hour: int = 4, session=None) -> list[Candidate]:
    """Open steps (of no goal or an active goal), at most `limit`, with their goal, its
    why, when the goal was last touched, and each step's last nudge. Three queries.

    Which steps: 40% of `limit` for the due ones nearest today, 30% for the oldest tiny
    ones, 30% for the oldest of all (see _CANDIDATES) -- the steps the policy's weights
    favour (due, small, neglected); the policy then scores them all. Each pick follows an
    index and stops at its limit, so the cost does not grow with the open steps."""
    if session is None:
        with journal.read() as own:
            return load_candidates(journal, now, limit, day_start_hour=day_start_hour,
                                   session=own)
    today = (now - timedelta(hours=day_start_hour)).date()
    n_due = max(1, limit * 4 // 10)
    n_tiny = max(1, (limit - n_due) // 2)
    params = {"tomorrow": (today + timedelta(days=1)).isoformat(), "tiny": policy.TINY_MINUTES,
              "n_due": n_due, "n_tiny": n_tiny, "n_old": max(1, limit - n_due - n_tiny)}
    rows = session.execute(_CANDIDATES, params).all()[:limit]
    if not rows:
        return []
    ids = [row[0] for row in rows]
    last = {aid: (at, resp, resp_at) for aid, at, resp, resp_at
            in session.execute(_LAST_NUDGES, {"ids": ids})}
    touched = {gid: at for gid, at in session.execute(
        _GOAL_TOUCHED, {"since": _ts(now - GOAL_TOUCH_WINDOW)})}
    out = []
    for aid, uid, title, goal_id, goal_title, why, estimate, due_on, created in rows:
        nudged_at, response, responded_at = last.get(aid, (None, None, None))
        out.append(Candidate(
            action_id=aid, title=title, goal_id=goal_id, goal_title=goal_title,
            goal_why=why or None, estimate_minutes=estimate, due_on=_date(due_on),
            created_at=_dt(created), last_nudged_at=_dt(nudged_at), last_response=response,
            last_response_at=_dt(responded_at) or (_dt(nudged_at) if response else None),
            goal_touched_at=_dt(touched.get(goal_id)) if goal_id is not None else None,
            uid=uid))
    return out


_LEARNER_COUNTS = text("""
SELECT hour_bucket, style,
       COALESCE(response, CASE WHEN created_at < :expired THEN 'ignored' END) AS answer,
       count(*)
FROM nudges WHERE created_at >= :since
GROUP BY hour_bucket, style, answer
""")


def load_learner(journal: Journal, now: datetime, *, since: datetime | None = None,
                 seed: int | str = 0, rng: random.Random | None = None,
                 session=None) -> Learner:
    """The learner from the nudges of the last LEARNING_WINDOW (and not before `since`,
    the last reset). One GROUP BY query."""
    start = now - LEARNING_WINDOW
    if since is not None and since > start:
        start = since
    params = {"since": _ts(start), "expired": _ts(now - EXPIRE_AFTER)}
    if session is None:
        with journal.read() as own:
            rows = own.execute(_LEARNER_COUNTS, params).all()
    else:
        rows = session.execute(_LEARNER_COUNTS, params).all()
    return Learner.from_counts(rows, seed=seed, rng=rng)


# ------------------------------------------------------------------------ the service


class NudgeService:
    """Nudges for one journal. `gateway_factory()` gives the model gateway used to word
    nudges when a model is set (default: app.llm.gateway.Gateway; a gateway from the
    factory is the caller's to close). `learning_since` overrides the reset point kept in
    the runtime state; `seed` fixes the learner's timing draws, `rng` its style draws and
    the tie-breaks (tests). With `learn_timing=False` the learner still picks the wording
    style but not the hour: any moment the clock rules allow will do."""

    def __init__(self, context: Context, journal: Journal,
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
        return _parse_moment(self._state().nudges_paused_until)

    def learning_since(self) -> datetime | None:
        if self._learning_since is not None:
            return self._learning_since
        return _parse_moment(getattr(self._state(), "learning_since", None))

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
        with self.journal.read() as session:
            history = load_history(self.journal, now - rules.min_gap - timedelta(days=2),
                                   session=session)
            shown = _shown_today(history, now, rules)
            refusal = policy.blocked(history, now, rules, paused_until=paused, busy=busy)
            if refusal is not None:
                return Snapshot(refusal, rules, shown, paused, "", 0), None
            learner = load_learner(self.journal, now, since=self.learning_since(),
                                   seed=self.seed, rng=self.rng, session=session)
            candidates = load_candidates(self.journal, now, day_start_hour=rules.day_start_hour,
                                         session=session)
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
        style = decision.style or "plain"
        text_, source = self._word(candidate, style, now, learner)
        rules = snap.rules
        paused = snap.paused_until
        with self.journal.write() as session:
            # Another tick may have sent one while the words were being found.
            history = load_history(self.journal, now - rules.min_gap - timedelta(days=2),
                                   session=session)
            refusal = policy.blocked(history, now, rules, paused_until=paused, busy=busy)
            if refusal is not None:
                return refusal
            row = Nudge(created_at=now, action_id=candidate.action_id,
                        goal_id=candidate.goal_id, text=text_, style=style,
                        hour_bucket=decision.hour_bucket, reason=decision.reason,
                        source=source)
            session.add(row)
            session.flush()
            nudge_id = row.id
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
        own = self.gateway_factory is None
        try:
            gateway = self.gateway_factory() if not own else self._default_gateway()
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
        with self.journal.write() as session:
            row = session.execute(text("SELECT action_id, response FROM nudges WHERE id = :id"),
                                  {"id": nudge_id}).first()
            if row is None:
                raise BadInput(f"no nudge {nudge_id}")
            action_id, before = row
            recorded = (before is None or _RANK[answer] > _RANK[before]
                        or (answer == before == "snooze"))
            if recorded:
                session.execute(text("UPDATE nudges SET response = :r, responded_at = :at "
                                     "WHERE id = :id"),
                                {"r": answer, "at": None if answer == "ignored" else _ts(now),
                                 "id": nudge_id})
            action_done = False
            if recorded and answer == "done" and action_id is not None:
                action_done = session.execute(
                    text("UPDATE actions SET status = 'done', done_at = :at, updated_at = :at "
                         "WHERE id = :id AND status = 'open'"),
                    {"at": _ts(now), "id": action_id}).rowcount > 0
        return ResponseOutcome(nudge_id, answer if recorded else before, recorded, action_done,
                               now + SNOOZE if recorded and answer == "snooze" else None)

    def expire_unanswered(self, now: datetime, after: timedelta = EXPIRE_AFTER) -> int:
        """Nudges shown more than `after` ago with no answer are recorded as ignored."""
        _need_aware(now)
        cutoff = _ts(now - after)
        with self.journal.read() as session:
            waiting = session.execute(
                text("SELECT count(*) FROM nudges WHERE response IS NULL AND created_at < :c"),
                {"c": cutoff}).scalar_one()
        if not waiting:
            return 0  # the common case takes no write lock
        with self.journal.write() as session:
            return session.execute(
                text("UPDATE nudges SET response = 'ignored' "
                     "WHERE response IS NULL AND created_at < :c"), {"c": cutoff}).rowcount


def _need_aware(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be an aware moment in the user's time zone")


def _parse_moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.astimezone()


def _shown_today(history: list[PastNudge], now: datetime, rules: NudgeRules) -> int:
    today = policy.journal_day_of(now, rules, now.tzinfo)
    return sum(policy.journal_day_of(p.at, rules, now.tzinfo) == today for p in history)


__all__ = ["CANDIDATE_LIMIT", "SNOOZE", "NudgeOutcome", "NudgeService",
           "ResponseOutcome", "Snapshot", "load_candidates", "load_history", "load_learner"]
