"""Which prompt variant a user gets: Thompson sampling on that user's own feedback.

Each (purpose, variant) is a Beta(1, 1) updated by what the user made of the replies it
produced. To choose, one draw from each declared variant's Beta; the highest wins. The
draw is seeded by the day and the evidence, so `wise reflect --dry-run` shows the very
request `wise reflect` then sends.

The evidence, per purpose (the honest signal each has):
- daily reflection: the ratings, "Helpful" a success and "Not quite" a failure. Every
  variant's ratings count, whatever the reply was stored as: a version "1.0+brief"
  (prompts/variants.py), or a prompt of its own named `<purpose>_<variant>` (such as a
  compact prompt for small models);
- break-down: the share of its proposed steps the user kept (one trial a proposal, a
  success in proportion), and goal review: the suggestions taken or declined
  (app/variant_outcomes.py);
- nudges learn their style from Done / ignored in the nudge learner (app/nudges/learner.py);
- day and week summaries have no signal: they are Wise's memory, written at night and
  rarely read, never rated or acted on (an edit or a deletion is about what to remember,
  not how it was put), so they keep their default variant (SUMMARIES_FIXED).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from prompts.variants import Variant, split_version, variant, variants_for

ENOUGH_PER_VARIANT = 3  # trials a variant needs before "What Wise has learned" compares it
LEARNED = ("daily_reflection", "breakdown", "goal_review")  # chosen from feedback
SUMMARIES_FIXED = ("Day and week notes: always written the plain way. They are Wise's "
                   "memory, not something you rate or act on, so there is nothing honest to "
                   "learn from.")
_HEAD = {"daily_reflection": "Reflections", "breakdown": "Break-downs",
         "goal_review": "Goal reviews"}
_NOTHING_YET = {
    "daily_reflection": "no ratings yet. Rating a reflection Helpful or Not quite teaches "
                        "Wise which way of reflecting suits you.",
    "breakdown": "nothing yet. The steps you keep from a break-down (and the ones you "
                 "untick) teach Wise which way of breaking things down suits you.",
    "goal_review": "nothing yet. The suggestions you take or decline in a review teach "
                   "Wise which way of reviewing suits you.",
}


@dataclass
class VariantArm:
    helpful: float = 0.0  # successes (a break-down's kept share counts in proportion)
    not_quite: float = 0.0
    trials: int = 0  # ratings, break-downs or answered suggestions
    kept: int = 0  # steps kept / suggestions taken (break-down, goal review)
    offered: int = 0  # steps proposed / suggestions answered

    @property
    def ratings(self) -> int:
        return self.trials

    @property
    def mean(self) -> float:
        return (1 + self.helpful) / (2 + self.helpful + self.not_quite)

    def draw(self, rng: random.Random) -> float:
        return rng.betavariate(1 + self.helpful, 1 + self.not_quite)

    def counted(self, purpose: str) -> str:
        if purpose == "breakdown":
            return (f"{self.kept} of {self.offered} steps kept over {self.trials} "
                    f"break-down{'s' * (self.trials != 1)}")
        if purpose == "goal_review":
            return f"{self.kept} of {self.offered} suggestions taken"
        return f"{round(self.helpful)} of {self.trials} helpful"


@dataclass
class VariantLearner:
    arms: dict[tuple[str, str], VariantArm] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable, outcomes: Iterable = ()) -> VariantLearner:
        """From rows with prompt_name, prompt_version, rating, count (storage's RatedVersion)
        and the break-down and goal-review outcomes (app.variant_outcomes.Outcome)."""
        learner = cls()
        for row in rows:
            found = variant_of(row.prompt_name, row.prompt_version)
            if found is not None:
                learner.observe(*found, row.rating, row.count)
        for outcome in outcomes:
            learner.observe_kept(outcome.purpose, outcome.variant, outcome.kept,
                                 outcome.offered)
        return learner

    def observe(self, purpose: str, name: str, rating: int, count: int = 1) -> None:
        arm = self.arms.setdefault((purpose, name), VariantArm())
        if rating > 0:
            arm.helpful += count
        elif rating < 0:
            arm.not_quite += count
        else:
            return
        arm.trials += count

    def observe_kept(self, purpose: str, name: str, kept: int, offered: int) -> None:
        """One trial: a success in proportion to what was kept of what was offered."""
        if offered < 1:
            return
        arm = self.arms.setdefault((purpose, name), VariantArm())
        share = max(0, min(kept, offered)) / offered
        arm.helpful += share
        arm.not_quite += 1 - share
        arm.trials += 1
        arm.kept += kept
        arm.offered += offered

    def arm(self, purpose: str, name: str) -> VariantArm:
        return self.arms.get((purpose, name), VariantArm())

    def choose(self, purpose: str, rng: random.Random) -> Variant:
        """Thompson sampling among the purpose's declared variants."""
        choices = variants_for(purpose)
        draws = [(self.arm(purpose, c.name).draw(rng), -i) for i, c in enumerate(choices)]
        return choices[-max(draws)[1]]

    def evidence(self, purpose: str) -> int:
        return sum(a.trials for (p, _), a in self.arms.items() if p == purpose)

    def describe(self, purpose: str = "daily_reflection") -> str:
        """One or two sentences for "What Wise has learned"."""
        head = _HEAD.get(purpose, purpose)
        choices = variants_for(purpose)
        rated = [(c, self.arm(purpose, c.name)) for c in choices]
        total = sum(a.trials for _, a in rated)
        if total == 0:
            return f"{head}: {_NOTHING_YET.get(purpose, 'nothing learned yet.')}"
        counted = ", ".join(f"{c.words} {a.counted(purpose)}" for c, a in rated if a.trials)
        what = "rating" if purpose == "daily_reflection" else "answer"
        if any(a.trials < ENOUGH_PER_VARIANT for _, a in rated):
            return (f"{head}: {total} {what}{'s' * (total != 1)} so far ({counted}); "
                    "Wise still tries each way to learn which suits you.")
        best = max(rated, key=lambda pair: pair[1].mean)[0]
        said = "ratings" if purpose == "daily_reflection" else "answers"
        return (f"{head}: your {said} favour {best.words} ({counted}), so Wise mostly "
                "writes those and now and then tries the other way.")

    def describe_all(self) -> str:
        """Every purpose chosen from feedback, and why the summaries are not."""
        return "\n\n".join([*(self.describe(p) for p in LEARNED), SUMMARIES_FIXED])


def variant_of(prompt_name: str | None, stored_version: str | None) -> tuple[str, str] | None:
    """(purpose, variant) a stored reply was made with, or None if it was no known purpose.

    The variant is the one in the version ("1.0+brief"), also for the compact form of a
    prompt ("daily_reflection_small"); a prompt of its own without one is its own
    variant ("small"); a version without one is the purpose's default."""
    from prompts.variants import all_variants

    if not prompt_name:
        return None
    purposes = all_variants()
    _, name = split_version(stored_version)
    if prompt_name in purposes:
        return prompt_name, name or purposes[prompt_name][0].name
    for purpose in purposes:
        if prompt_name.startswith(purpose + "_"):
            return purpose, name or prompt_name[len(purpose) + 1:]
    return None


def chosen_variant(context, purpose: str, day: date, name: str | None = None) -> Variant:
    """The variant named, or the one the user's feedback chooses for `day` (a purpose
    without a signal, such as the summaries, gets its default)."""
    if name or purpose not in LEARNED:
        return variant(purpose, name)
    return choose_variant(context.paths.db, purpose, day,
                          learning_since(context.paths.data_dir), context.paths.data_dir)


def with_variant(call, chosen: Variant):
    """A StructuredCall (and its compact form) with the variant's style and version."""
    from dataclasses import replace

    from prompts.variants import apply, versioned

    compact = with_variant(call.compact, chosen) if call.compact is not None else None
    return replace(call, messages=apply(call.messages, chosen),
                   prompt_version=versioned(call.prompt_version, chosen), compact=compact)


def learning_since(data_dir):
    """The moment "What Wise has learned" was last reset (shared with the nudge learner):
    ratings before it no longer count."""
    from app.state import load_state

    return load_state(data_dir / "state.json").learning_reset_at()


def load_learner(db, since=None, data_dir=None) -> VariantLearner:
    """Ratings from the journal `db`, and outcomes from `data_dir` (the journal's folder
    when not given)."""
    from pathlib import Path

    from app.variant_outcomes import outcomes
    from storage.variant_reads import rated_versions

    folder = Path(data_dir) if data_dir is not None else Path(db).parent
    return VariantLearner.from_rows(rated_versions(db, since), outcomes(folder, since))


def choose_variant(db, purpose: str, day: date, since=None, data_dir=None) -> Variant:
    """The variant for `purpose` on `day`: the same all day for the same evidence."""
    learner = load_learner(db, since, data_dir)
    evidence = learner.evidence(purpose)
    rng = random.Random(f"{purpose}:{day.isoformat()}:{evidence}")
    try:
        return learner.choose(purpose, rng)
    except ValueError:
        return variant(purpose, None)
