"""Which prompt variant a user gets: Thompson sampling on that user's own ratings.

Each (purpose, variant) is a Beta(1, 1) updated by the ratings of the replies it made
("Helpful" a success, "Not quite" a failure). To choose, one draw from each declared
variant's Beta; the highest wins. The draw is seeded by the day and the evidence, so
`wise reflect --dry-run` shows the very request `wise reflect` then sends.

Every variant's ratings count, whatever the reply was stored as: a version "1.0+brief"
(prompts/variants.py), or a prompt of its own named `<purpose>_<variant>` (such as a
compact prompt for small models). Nudges learn their style from Done / ignored in the
nudge learner (app/nudges/learner.py); this learner covers the rated replies.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from prompts.variants import Variant, split_version, variant, variants_for

ENOUGH_PER_VARIANT = 3  # ratings a variant needs before "What Wise has learned" compares it


@dataclass
class VariantArm:
    helpful: int = 0
    not_quite: int = 0

    @property
    def ratings(self) -> int:
        return self.helpful + self.not_quite

    @property
    def mean(self) -> float:
        return (1 + self.helpful) / (2 + self.ratings)

    def draw(self, rng: random.Random) -> float:
        return rng.betavariate(1 + self.helpful, 1 + self.not_quite)


@dataclass
class VariantLearner:
    arms: dict[tuple[str, str], VariantArm] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable) -> VariantLearner:
        """From rows with prompt_name, prompt_version, rating, count (storage's RatedVersion)."""
        learner = cls()
        for row in rows:
            found = variant_of(row.prompt_name, row.prompt_version)
            if found is not None:
                learner.observe(*found, row.rating, row.count)
        return learner

    def observe(self, purpose: str, name: str, rating: int, count: int = 1) -> None:
        arm = self.arms.setdefault((purpose, name), VariantArm())
        if rating > 0:
            arm.helpful += count
        elif rating < 0:
            arm.not_quite += count

    def arm(self, purpose: str, name: str) -> VariantArm:
        return self.arms.get((purpose, name), VariantArm())

    def choose(self, purpose: str, rng: random.Random) -> Variant:
        """Thompson sampling among the purpose's declared variants."""
        choices = variants_for(purpose)
        draws = [(self.arm(purpose, c.name).draw(rng), -i) for i, c in enumerate(choices)]
        return choices[-max(draws)[1]]

    def describe(self, purpose: str = "daily_reflection") -> str:
        """One or two sentences for "What Wise has learned"."""
        choices = variants_for(purpose)
        rated = [(c, self.arm(purpose, c.name)) for c in choices]
        total = sum(a.ratings for _, a in rated)
        if total == 0:
            return ("Reflections: no ratings yet. Rating a reflection Helpful or Not quite "
                    "teaches Wise which way of reflecting suits you.")
        counted = ", ".join(f"{c.words} {a.helpful} of {a.ratings} helpful"
                            for c, a in rated if a.ratings)
        if any(a.ratings < ENOUGH_PER_VARIANT for _, a in rated):
            return (f"Reflections: {total} rating{'s' * (total != 1)} so far ({counted}); "
                    "Wise still tries each way to learn which suits you.")
        best = max(rated, key=lambda pair: pair[1].mean)[0]
        return (f"Reflections: your ratings favour {best.words} ({counted}), so Wise "
                "mostly writes those and now and then tries the other way.")


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
    """The variant named, or the one the user's ratings choose for `day`."""
    if name:
        return variant(purpose, name)
    return choose_variant(context.paths.db, purpose, day,
                          learning_since(context.paths.data_dir))


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
    from datetime import datetime

    from app.state import load_state

    moment = load_state(data_dir / "state.json").learning_since
    try:
        return datetime.fromisoformat(moment) if moment else None
    except ValueError:
        return None


def load_learner(db, since=None) -> VariantLearner:
    from storage.variant_reads import rated_versions

    return VariantLearner.from_rows(rated_versions(db, since))


def choose_variant(db, purpose: str, day: date, since=None) -> Variant:
    """The variant for `purpose` on `day`: the same all day for the same evidence."""
    learner = load_learner(db, since)
    evidence = sum(a.ratings for (p, _), a in learner.arms.items() if p == purpose)
    rng = random.Random(f"{purpose}:{day.isoformat()}:{evidence}")
    try:
        return learner.choose(purpose, rng)
    except ValueError:
        return variant(purpose, None)
