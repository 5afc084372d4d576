"""The goal review: is each goal alive, is it still wanted, what is the smallest next step.

With a model: each goal's why, rhythm and last four weeks go to the versioned
`goal_review` prompt, and the structured reply is matched back to the goals by tag (a goal
the model left out gets the plain review). Without one (or over budget): a plain review
from the data: a goal with activity in the last four weeks is alive; one quiet for four
weeks is offered a pause, kindly. Nothing is changed here: the user decides.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.daytime import day_bounds_utc, days_ago, journal_day, local_now, long_day
from app.errors import BadInput
from app.journal import Context
from app.structured_call import StructuredCall, ask, open_gateway
from storage.db import JournalFile, reading
from storage.repo import goals as goal_repo
from storage.repo.goals import GoalRow
from storage.vocabulary import GoalStatus

PROMPT = "goal_review"
WINDOW_DAYS = 28  # "alive" = some activity in the last four weeks
MAX_GOALS = 50  # the GoalReview schema's limit
NOTE_LIMIT = 3
OPEN_LIMIT = 10  # open steps listed for the model, smallest first (the rest are counted)
# The reply's budget in tokens: a short entry per goal.
REVIEW_TOKENS_BASE, TOKENS_PER_GOAL = 40, 110
NO_MODEL_NOTE = ("No model is connected, so this review comes from your data alone. To "
                 "review with a model: wise config set llm.model ollama_chat/llama3.2 (see "
                 "the README's model section).")


@dataclass(frozen=True)
class GoalFacts:
    """What the journal shows about one goal (the last four weeks, and overall)."""

    id: int
    slug: str
    title: str
    why: str
    status: str
    cadence_per_week: int | None
    created: date
    done_recent: int
    notes_recent: int
    added_recent: int
    last_activity: date | None  # journal day of the newest done action, note or new step
    open_count: int
    smallest_open: str | None
    recent_notes: list[str]
    open_steps: tuple[str, ...] = ()  # every open step's title, smallest first

    @property
    def active_recently(self) -> bool:
        return bool(self.done_recent or self.notes_recent or self.added_recent)


@dataclass(frozen=True)
class GoalVerdict:
    goal_id: int
    slug: str
    title: str
    alive: bool
    observation: str
    suggestion: str  # keep | pause | retire | smaller_step
    next_step: str | None
    next_step_open: bool = False  # the next step is one the goal already has open
    by_model: bool = False  # the model's words (what the user does with it teaches Wise)

    def as_dict(self) -> dict:
        return {"goal_id": self.goal_id, "slug": self.slug, "title": self.title,
                "alive": self.alive, "observation": self.observation,
                "suggestion": self.suggestion, "next_step": self.next_step,
                "next_step_open": self.next_step_open, "by_model": self.by_model}


@dataclass(frozen=True)
class ReviewOutcome:
    goals: list[GoalVerdict]
    model: str | None
    note: str | None = None
    fallback: str | None = None  # why the plain review was given (a ModelError kind)
    variant: str | None = None  # the prompt variant of the model's review

    def as_dict(self) -> dict:
        return {"goals": [g.as_dict() for g in self.goals], "model": self.model,
                "note": self.note, "fallback": self.fallback is not None,
                "reason": self.fallback, "variant": self.variant}


def review_goals(context: Context, journal: JournalFile, ref: str | None = None, *,
                 cancel: threading.Event | None = None,
                 gateway_factory=None) -> ReviewOutcome:
    """The review of one goal (`ref`) or of every active and paused goal."""
    today = journal_day(local_now(), context.day_start_hour)
    facts, left_out = gather(journal, today, context.day_start_hour, ref)
    more = (f" Only the first {MAX_GOALS} goals were reviewed ({left_out} more)."
            if left_out else "")
    if not facts:
        return ReviewOutcome([], None, "No goals to review yet. Add one with its why: "
                                       "wise goals add \"Family\" --why \"...\"")
    plain = [_marked(plain_verdict(f, today), f) for f in facts]
    if not context.settings.get("llm.model"):
        return ReviewOutcome(plain, None, NO_MODEL_NOTE + more)
    from app.llm.types import ModelError
    from app.structured_call import PLAIN_FALLBACK_KINDS, fallback_note
    from prompts.schemas import GoalReview

    gateway = gateway_factory() if gateway_factory else open_gateway(context, journal)
    try:
        call = plan_review(context, facts, today, gateway=gateway)
        parsed, result = ask(gateway, call, GoalReview, cancel=cancel,
                             check=lambda review: review_problem(review, facts))
    except ModelError as exc:
        if exc.kind == "cancelled":
            raise
        if exc.kind in PLAIN_FALLBACK_KINDS:
            return ReviewOutcome(plain, None, str(exc) + more)
        return ReviewOutcome(plain, None, fallback_note(exc, "the plain review") + more,
                             fallback=exc.kind)
    finally:
        gateway.close()
    by_slug = {check.slug: check for check in parsed.goals}
    verdicts = []
    for fact, fallback in zip(facts, plain, strict=True):
        check = by_slug.get(fact.slug)
        if check is None:  # left out by the model: the data still says something
            verdicts.append(fallback)
            continue
        verdicts.append(_marked(replace(fallback, alive=check.alive,
                                        observation=check.observation,
                                        suggestion=check.suggestion,
                                        next_step=check.next_step, by_model=True), fact))
    from app.prompt_choice import variant_of

    made_by = variant_of(call.prompt_name, call.prompt_version)
    return ReviewOutcome(verdicts, result.model, more.strip() or None,
                         variant=made_by[1] if made_by else None)


def _marked(verdict: GoalVerdict, fact: GoalFacts) -> GoalVerdict:
    """Say when the next step is one the goal has open already: the window then offers
    no "Add this step" (it would only be refused as a repeat)."""
    from storage.steps import step_key

    is_open = verdict.next_step is not None and step_key(verdict.next_step) in {
        step_key(title) for title in fact.open_steps}
    return replace(verdict, next_step_open=is_open)


def plan_review(context: Context, facts: list[GoalFacts], today: date, *,
                gateway=None, variant_name: str | None = None) -> StructuredCall:
    """The request, in the variant named or the one the user's answers choose today
    (app/prompt_choice.py)."""
    from app.memory.tokens import truncate_to_tokens
    from app.prompt_choice import chosen_variant, with_variant
    from app.structured_call import build_call

    day = long_day(today)

    def fill(budget: int | None) -> dict:
        if budget is None:
            return {"today": day, "journal": ""}
        share = max(budget // len(facts), 40)  # every goal gets its say
        blocks = [truncate_to_tokens(goal_block(f, today), share) for f in facts]
        return {"today": day, "journal": truncate_to_tokens("\n".join(blocks), budget)}

    per_goal = len(facts) * TOKENS_PER_GOAL
    call = build_call(context, gateway, PROMPT, fill=fill,
                      max_tokens=REVIEW_TOKENS_BASE + per_goal,
                      small_max_tokens=REVIEW_TOKENS_BASE + per_goal * 3 // 4)
    return with_variant(call, chosen_variant(context, PROMPT, today, variant_name))


def review_problem(review, facts: list[GoalFacts]):
    """The review's must-haves: it speaks of the journal's goals (at least one), and
    says something different about each."""
    from app.llm import gate

    known = {f.slug for f in facts}
    if not any(check.slug in known for check in review.goals):
        return gate.refuse("missing", "none of the journal's goals is reviewed")
    return gate.OK


def goal_block(f: GoalFacts, today: date) -> str:
    from app.memory.context import one_line

    why = one_line(f.why) or "(no why written)"
    parts = [f"- {f.title} (#{f.slug}), {f.status}; why: {why}"]
    if f.cadence_per_week:
        parts.append(f"hopes to touch it {f.cadence_per_week}x a week")
    parts.append(f"last 4 weeks: {f.done_recent} done, {f.notes_recent} notes, "
                 f"{f.added_recent} steps added")
    parts.append(f"last activity {days_ago(f.last_activity, today)}" if f.last_activity
                 else "no activity yet")
    if f.open_steps:
        listed = "; ".join(f.open_steps[:OPEN_LIMIT])
        more = (f"; and {f.open_count - OPEN_LIMIT} more" if f.open_count > OPEN_LIMIT
                else "")
        parts.append(f"{f.open_count} open steps, smallest first: {listed}{more}")
    else:
        parts.append("no open steps")
    parts.append(f"created {days_ago(f.created, today)}")
    text = "; ".join(parts)
    if f.recent_notes:
        text += "\n  their recent notes: " + " | ".join(f.recent_notes)
    return text


def plain_verdict(f: GoalFacts, today: date) -> GoalVerdict:
    """A kind, data-based verdict: alive = activity in the last four weeks."""
    base = GoalVerdict(f.id, f.slug, f.title, f.active_recently, "", "keep", f.smallest_open)
    if f.active_recently:
        bits = [_count(f.done_recent, "step done", "steps done"),
                _count(f.notes_recent, "note", "notes"),
                _count(f.added_recent, "step added", "steps added")]
        said = ", ".join(b for b in bits if b)
        rhythm = ""
        if f.cadence_per_week:
            hoped = f.cadence_per_week * 4
            rhythm = (" That matches the rhythm you hoped for." if f.done_recent >= hoped
                      else f" You hoped for about {hoped}; any step counts.")
        return replace(base, observation=f"Moving: {said} in the last four weeks.{rhythm}")
    if f.last_activity is None and (today - f.created).days < WINDOW_DAYS:
        return replace(base, observation="It is new, and nothing is recorded for it yet.",
                       suggestion="smaller_step",
                       next_step=f.smallest_open or "Write down one step for it that "
                                                    "takes two minutes")
    # The last touch counts a step added too (storage.repo.goal_activity): say so.
    since = (f"nothing done, added or noted since "
             f"{long_day(f.last_activity, weekday=False, year=False)}"
             if f.last_activity
             else "nothing done or noted for it yet")
    resting = ("It is paused and waits for you." if f.status == GoalStatus.PAUSED.value
               else "Maybe it is resting, or life is full; a pause is a fine choice.")
    return replace(base, observation=f"Quiet for four weeks or more: {since}. {resting}",
                   suggestion="pause", next_step=None)


def gather(journal: JournalFile, today: date, start_hour: int,
           ref: str | None) -> tuple[list[GoalFacts], int]:
    """(facts for the goals to review, how many were left out over MAX_GOALS)."""
    since, _ = day_bounds_utc(today - timedelta(days=WINDOW_DAYS - 1), start_hour)
    with reading(journal.db_path) as conn:
        if ref is not None:
            found = goal_repo.find_goal(conn, ref)
            if found is None:
                raise BadInput(f"no goal {ref.strip()!r}; `wise goals list --all` shows them")
            goals, total = [found], 1
        else:
            goals, total = goal_repo.live_goals(conn, MAX_GOALS)
        # Per goal: LIMITed or aggregated lookups through the goal_id indexes.
        facts = [_facts(goal, goal_repo.goal_facts(conn, goal.id, since, note_limit=NOTE_LIMIT),
                        start_hour) for goal in goals]
    return facts, max(total - len(facts), 0)


def _facts(goal: GoalRow, seen: goal_repo.GoalFacts, start_hour: int) -> GoalFacts:
    from app.memory.context import one_line
    from app.memory.tokens import truncate_to_tokens

    last = (journal_day(seen.last_moment.astimezone(), start_hour)
            if seen.last_moment else None)
    open_titles = seen.open_titles
    created = journal_day(goal.created_at.astimezone(), start_hour)
    return GoalFacts(
        id=goal.id, slug=goal.slug, title=goal.title, why=goal.why, status=goal.status,
        cadence_per_week=goal.cadence_per_week, created=created, done_recent=seen.done_since,
        notes_recent=seen.notes_since, added_recent=seen.added_since, last_activity=last,
        open_count=len(open_titles), smallest_open=open_titles[0] if open_titles else None,
        recent_notes=[truncate_to_tokens(one_line(n), 60) for n in seen.recent_notes],
        open_steps=open_titles)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}" if n else ""
