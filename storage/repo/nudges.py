"""Nudges: the bounded reads a nudge decision is made from (recent nudges, the open steps
worth considering, each one's last nudge, when each goal was last touched, the learner's
answer counts), and the writes (a nudge sent, an answer, the unanswered expired).

Every read follows an index and stops at a LIMIT or aggregates, so the cost of a decision
does not grow with the journal (tests/unit/app/test_nudge_service.py counts them)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Tx, inserted_id, moment
from storage.ids import new_uid
from storage.repo.steps import set_step_status
from storage.timeutil import to_db
from storage.vocabulary import NudgeResponse

# A later answer replaces an earlier one only when it says more (Done is final; a focus
# session started from the nudge says more than a snooze, less than Done).
_RANK = {"ignored": 0, "opened": 1, "snooze": 2, "not_today": 3, "started": 4, "done": 5}
if set(_RANK) != {r.value for r in NudgeResponse}:
    raise RuntimeError("every nudge response needs its rank here")


@dataclass(frozen=True)
class ShownNudge:
    at: datetime
    action_id: int | None
    response: str | None
    responded_at: datetime | None


def shown_since(conn: sqlite3.Connection, since: datetime, limit: int) -> list[ShownNudge]:
    """Nudges shown since `since`, newest first, at most `limit`."""
    return [ShownNudge(moment(at), action_id, response, moment(answered))
            for at, action_id, response, answered in conn.execute(
                "SELECT created_at, action_id, response, responded_at FROM nudges "
                "WHERE created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?",
                (to_db(since), limit))]


@dataclass(frozen=True)
class OpenStep:
    """An open step a nudge may be about, with its goal and the goal's why."""

    action_id: int
    uid: str
    title: str
    goal_id: int | None
    goal_title: str | None
    goal_why: str | None
    estimate_minutes: int | None
    due_on: date | None
    created_at: datetime


# At most `limit` open steps of no goal or an active goal, from three bounded,
# index-driven picks (a full scan of every open step and its score costs ~10 ms at 20,000):
# the due ones nearest today (due_on <= tomorrow, latest first: today, tomorrow, then the
# most recently overdue), the oldest tiny ones, and the oldest of all (the neglected).
# "+status" keeps SQLite on the created_at index for the oldest-first picks.
_ELIGIBLE = "(+goal_id IS NULL OR +goal_id IN (SELECT id FROM goals WHERE status = 'active'))"
_CANDIDATES = f"""
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
"""


def open_steps_to_consider(conn: sqlite3.Connection, *, tomorrow: date, tiny_minutes: int,
                           n_due: int, n_tiny: int, n_old: int) -> list[OpenStep]:
    """The due ones nearest today (n_due), the oldest tiny ones (n_tiny), the oldest of
    all (n_old); a step in two picks comes once."""
    rows = conn.execute(_CANDIDATES, {"tomorrow": tomorrow.isoformat(), "tiny": tiny_minutes,
                                      "n_due": n_due, "n_tiny": n_tiny, "n_old": n_old})
    return [OpenStep(aid, uid, title, goal_id, goal_title, why or None, estimate,
                     date.fromisoformat(due_on[:10]) if due_on else None, moment(created))
            for aid, uid, title, goal_id, goal_title, why, estimate, due_on, created in rows]


def last_nudges(conn: sqlite3.Connection, action_ids: list[int]) -> dict[int, ShownNudge]:
    """Each step's last nudge (one windowed query)."""
    if not action_ids:
        return {}
    marks = ", ".join("?" * len(action_ids))
    rows = conn.execute(
        "SELECT action_id, created_at, response, responded_at FROM ("
        "  SELECT action_id, created_at, response, responded_at, row_number() OVER "
        "    (PARTITION BY action_id ORDER BY created_at DESC, id DESC) AS rn "
        f"  FROM nudges WHERE action_id IN ({marks})) WHERE rn = 1", action_ids)
    return {aid: ShownNudge(moment(at), aid, response, moment(answered))
            for aid, at, response, answered in rows}


def goals_touched_since(conn: sqlite3.Connection, since: datetime) -> dict[int, datetime]:
    """When each goal was last touched (a step done or added, a note) since `since`."""
    rows = conn.execute(
        "SELECT goal_id, max(at) FROM ("
        "  SELECT goal_id, done_at AS at FROM actions WHERE done_at >= :since "
        "    AND goal_id IS NOT NULL"
        "  UNION ALL"
        "  SELECT goal_id, created_at FROM actions WHERE created_at >= :since "
        "    AND goal_id IS NOT NULL"
        "  UNION ALL"
        "  SELECT goal_id, created_at FROM entries WHERE created_at >= :since "
        "    AND goal_id IS NOT NULL) GROUP BY goal_id", {"since": to_db(since)})
    return {goal_id: moment(at) for goal_id, at in rows}


@dataclass(frozen=True)
class AnswerCount:
    hour_bucket: int
    style: str | None
    response: str | None
    count: int

    def __iter__(self):  # the learner reads (hour, style, response, count) rows
        return iter((self.hour_bucket, self.style, self.response, self.count))


def answer_counts(conn: sqlite3.Connection, since: datetime, expired_before: datetime
                  ) -> list[AnswerCount]:
    """Answers by hour and style since `since` (one GROUP BY); a nudge unanswered and shown
    before `expired_before` counts as ignored."""
    return [AnswerCount(*row) for row in conn.execute(
        "SELECT hour_bucket, style, "
        "COALESCE(response, CASE WHEN created_at < :expired THEN 'ignored' END) AS answer, "
        "count(*) FROM nudges WHERE created_at >= :since GROUP BY hour_bucket, style, answer",
        {"since": to_db(since), "expired": to_db(expired_before)})]


def insert_nudge(tx: Tx, *, at: datetime, action_id: int | None, goal_id: int | None,
                 text: str, style: str, hour_bucket: int, reason: str, source: str) -> int:
    return inserted_id(tx.execute(
        "INSERT INTO nudges (uid, created_at, action_id, goal_id, text, style, hour_bucket, "
        "reason, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new_uid(), to_db(at), action_id, goal_id, text, style, hour_bucket, reason,
         source)))


@dataclass(frozen=True)
class RecordedAnswer:
    response: str  # the answer now on record
    recorded: bool  # False: an earlier, stronger answer was kept (Done stays Done)
    action_done: bool  # the nudge's step was marked done by this answer


def record_answer(tx: Tx, nudge_id: int, answer: str) -> RecordedAnswer | None:
    """The answer to a nudge (None: no such nudge). Done also marks its open step done,
    through the one way steps are marked done."""
    row = tx.execute("SELECT action_id, response FROM nudges WHERE id = ?",
                     (nudge_id,)).fetchone()
    if row is None:
        return None
    action_id, before = row
    recorded = (before is None or _RANK[answer] > _RANK[before]
                or (answer == before == "snooze"))
    if not recorded:
        return RecordedAnswer(before, False, False)
    tx.execute("UPDATE nudges SET response = ?, responded_at = ? WHERE id = ?",
               (answer, None if answer == "ignored" else tx.now, nudge_id))
    done = (answer == "done" and action_id is not None
            and set_step_status(tx, action_id, "done", only_from=("open",)))
    return RecordedAnswer(answer, True, done)


def unanswered_before(conn: sqlite3.Connection, cutoff: datetime) -> int:
    (count,) = conn.execute("SELECT count(*) FROM nudges WHERE response IS NULL AND "
                            "created_at < ?", (to_db(cutoff),)).fetchone()
    return count


def expire_unanswered(tx: Tx, cutoff: datetime) -> int:
    """Nudges shown before `cutoff` with no answer are recorded as ignored."""
    return tx.execute("UPDATE nudges SET response = 'ignored' WHERE response IS NULL AND "
                      "created_at < ?", (to_db(cutoff),)).rowcount
