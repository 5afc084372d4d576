"""`wise goals`: add, list, edit, review, pause, resume, done, archive."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import dataclass
from datetime import datetime

from app.cli.output import emit
from app.errors import BadInput
from app.goals import GoalRow, GoalSummary, add_goal, list_goals, set_goal_status
from app.journal import Context

_VERB_WORDS = {"pause": "paused", "resume": "active again", "done": "done — well done",
               "archive": "archived"}


@dataclass(frozen=True)
class GoalJson:
    """A goal as `wise goals … --json` shows it."""

    id: int
    slug: str
    title: str
    why: str
    status: str
    cadence_per_week: int | None
    created_at: datetime

    @staticmethod
    def fields_of(goal: GoalRow) -> tuple[int, str, str, str, str, int | None, datetime]:
        return (goal.id, goal.slug, goal.title, goal.why, goal.status, goal.cadence_per_week,
                goal.created_at)


def goal_json(goal: GoalRow) -> GoalJson:
    return GoalJson(*GoalJson.fields_of(goal))


@dataclass(frozen=True)
class LinkedItem:
    """An item carrying a goal's #tag, linked to the goal."""

    kind: str
    table: str
    id: int
    text: str


@dataclass(frozen=True)
class GoalAdded(GoalJson):
    earlier_tagged: int  # items carrying the tag before the goal existed
    linked: list[LinkedItem]  # those of them linked to it now (--link)


@dataclass(frozen=True)
class GoalLinked(GoalJson):
    linked: list[LinkedItem]


@dataclass(frozen=True)
class GoalListed(GoalJson):
    open_actions: int
    done_last_7_days: int
    last_activity: datetime | None


def run_add(args: Namespace) -> int:
    context = Context.from_environment()
    journal = context.open_journal()
    goal = add_goal(journal, args.title, why=args.why, cadence=args.cadence, slug=args.slug)
    why = (f"\n  why: {goal.why}" if goal.why
           else "\n  (add a why later: it is what keeps a goal alive)")
    human = f"Added goal {goal.id}: {goal.title}  — tag captures with #{goal.slug}{why}"
    if args.link:
        linked = _link(context, goal.id)
        data = GoalAdded(*GoalJson.fields_of(goal), len(linked), _items(linked))
        if linked:
            human += "\n" + _linked_words(linked, goal)
    else:
        earlier = _earlier(context, goal.slug)
        data = GoalAdded(*GoalJson.fields_of(goal), len(earlier), [])
        if earlier:
            from storage.goal_links import counted

            human += (f"\n{len(earlier)} earlier item{'s' * (len(earlier) != 1)} carry "
                      f"#{goal.slug} ({counted(earlier)}) and belong to no goal. Link them "
                      f"to {goal.title}: wise goals link {goal.slug}")
    emit(args, data, human)
    return 0


def run_link(args: Namespace) -> int:
    """Link the items tagged with a goal's #tag before it existed to the goal."""
    from app.goals import find_goal

    context = Context.from_environment()
    goal = find_goal(context.open_journal(), args.goal)
    linked = _link(context, goal.id)
    emit(args, GoalLinked(*GoalJson.fields_of(goal), _items(linked)),
         _linked_words(linked, goal) if linked else
         f"Nothing to link: no item carries #{goal.slug} without a goal.")
    return 0


def _earlier(context: Context, slug: str) -> list:
    from storage.capture_writer import connect
    from storage.goal_links import unlinked_tagged

    conn = connect(context.paths.db)
    try:
        return unlinked_tagged(conn, slug)
    finally:
        conn.close()


def _link(context: Context, goal_id: int) -> list:
    from storage.ritual_writes import RitualWriter

    writer = RitualWriter(context.paths.db)
    try:
        return writer.link_tagged_items(goal_id)
    finally:
        writer.close()


def _items(items: list) -> list[LinkedItem]:
    return [LinkedItem(item.kind, item.table, item.id, item.text) for item in items]


LINKED_SHOWN = 10


def _linked_words(items: list, goal: GoalRow) -> str:
    """What was linked, so that it can be checked (and, by hand, undone)."""
    from storage.goal_links import counted

    lines = [f"Linked {counted(items)} carrying #{goal.slug} to {goal.title}:"]
    lines += [f"  {item.kind} {item.id}: {item.short()}" for item in items[:LINKED_SHOWN]]
    if len(items) > LINKED_SHOWN:
        lines.append(f"  … and {len(items) - LINKED_SHOWN} more (with --json, every one is "
                     "listed)")
    return "\n".join(lines)


def run_list(args: Namespace) -> int:
    journal = Context.from_environment().open_journal()
    summaries = list_goals(journal, include_all=getattr(args, "all", False))
    emit(args, [summary_json(s) for s in summaries], format_list(summaries))
    return 0


def run_status(args: Namespace) -> int:
    journal = Context.from_environment().open_journal()
    goal = set_goal_status(journal, args.goal, args.verb)
    emit(args, goal_json(goal), f"{goal.title} is {_VERB_WORDS[args.verb]}.")
    return 0


def summary_json(summary: GoalSummary) -> GoalListed:
    return GoalListed(*GoalJson.fields_of(summary.goal), summary.open_actions,
                      summary.done_last_7_days, summary.last_activity)


def format_list(summaries: list[GoalSummary]) -> str:
    if not summaries:
        return ('No goals yet. Add one with its why, e.g.\n'
                '  wise goals add "Family" --why "I want to be there for them"')
    blocks = []
    for s in summaries:
        goal = s.goal
        status = "" if goal.status == "active" else f" [{goal.status}]"
        cadence = f", {goal.cadence_per_week}×/week" if goal.cadence_per_week else ""
        lines = [f"{goal.id:>3}  {goal.title}  #{goal.slug}{status}"]
        if goal.why:
            lines.append(f"     why: {goal.why}")
        lines.append(f"     {s.open_actions} open, {s.done_last_7_days} done this week{cadence}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def run_edit(args: Namespace) -> int:
    from app.goals import edit_goal

    changes: dict[str, object] = {}  # checked by edit_goal, by the rule of every surface
    if args.title is not None:
        changes["title"] = args.title
    if args.why is not None:
        changes["why"] = args.why
    if args.no_cadence:
        changes["cadence_per_week"] = None
    elif args.cadence is not None:
        changes["cadence_per_week"] = args.cadence
    if not changes:
        raise BadInput("nothing to change: give --title, --why, --cadence or --no-cadence")
    goal = edit_goal(Context.from_environment().open_journal(), args.goal, changes)
    emit(args, goal_json(goal), f"Updated goal {goal.id}: {goal.title}  #{goal.slug}"
         + (f"\n  why: {goal.why}" if goal.why else "")
         + (f"\n  {goal.cadence_per_week}×/week" if goal.cadence_per_week else ""))
    return 0


def run_review(args: Namespace) -> int:
    from app.cli.cancel import sigterm_cancels
    from app.cli.model_errors import model_failure
    from app.goal_review import review_goals
    from app.llm.types import ModelError

    context = Context.from_environment()
    journal = context.open_journal()
    with sigterm_cancels() as cancel:
        try:
            outcome = review_goals(context, journal, args.goal, cancel=cancel)
        except ModelError as exc:
            return model_failure(args, exc, "the goal review could not be made")
    emit(args, outcome, format_review(outcome))
    return 0


def format_review(outcome) -> str:
    words = {"keep": "keep it going", "pause": "maybe pause it; it will wait",
             "retire": "maybe let it go; that is a fine choice too",
             "smaller_step": "maybe try a smaller step"}
    blocks = []
    for verdict in outcome.goals:
        state = "moving" if verdict.alive else "quiet"
        lines = [f"{verdict.title}  #{verdict.slug}  ({state})",
                 f"  {verdict.observation}", f"  Suggestion: {words[verdict.suggestion]}."]
        if verdict.next_step:
            lines.append(f"  Next step: {verdict.next_step}"
                         + (" (already open)" if verdict.next_step_open else ""))
        blocks.append("\n".join(lines))
    by = f"(reviewed with {outcome.model})" if outcome.model else ""
    tail = [t for t in (by, f"({outcome.note})" if outcome.note else "") if t]
    return "\n\n".join(blocks + (["\n".join(tail)] if tail else []))
