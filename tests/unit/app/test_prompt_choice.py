"""The loop that learns: which prompt variant a user gets, by Thompson sampling on their own
ratings, read from a real journal."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from app.prompt_choice import VariantLearner, choose_variant, load_learner, variant_of
from prompts import variants
from storage.models import Feedback, Reflection


def rate(journal, prompt_name: str, version: str | None, rating: int, times: int = 1,
         at: datetime | None = None) -> None:
    with journal.write() as session:
        for i in range(times):
            row = Reflection(kind="daily", period=date(2026, 1, 1) + timedelta(days=i),
                             prompt_name=prompt_name, prompt_version=version, model="m",
                             content="c")
            session.add(row)
            session.flush()
            session.add(Feedback(target_kind="reflection", target_id=row.id, rating=rating,
                                 created_at=at or datetime.now(UTC)))


def test_every_purpose_has_at_least_two_variants() -> None:
    for purpose in ("daily_reflection", "nudge", "breakdown", "goal_review", "day_summary",
                    "week_summary"):
        assert len(variants.variants_for(purpose)) >= 2


def test_ratings_count_for_every_variant_however_it_was_stored(journal) -> None:
    rate(journal, "daily_reflection", "1.0+brief", 1, times=2)
    rate(journal, "daily_reflection", "1.0", -1)  # before variants: the default one
    rate(journal, "daily_reflection_compact", "1.0", 1, times=3)  # a prompt of its own
    learner = load_learner(journal.db_path)
    assert learner.arm("daily_reflection", "brief").helpful == 2
    assert learner.arm("daily_reflection", "warm").not_quite == 1
    assert learner.arm("daily_reflection", "compact").helpful == 3
    assert variant_of("breakdown", "1.1+fewer") == ("breakdown", "fewer")
    assert variant_of("system", "1.0") is None


def test_thompson_sampling_favours_what_the_user_found_helpful(journal) -> None:
    db = journal.db_path
    rate(journal, "daily_reflection", "1.0+brief", 1, times=6)
    rate(journal, "daily_reflection", "1.0+warm", -1, times=6)
    picks = [choose_variant(db, "daily_reflection", date(2026, 3, 1) + timedelta(days=d)).name
             for d in range(40)]
    assert picks.count("brief") >= 32, picks
    assert "warm" in picks or picks.count("brief") == 40  # the other is still tried now and then
    # the same day and evidence give the same choice (a dry run shows what will be sent)
    assert choose_variant(db, "daily_reflection", date(2026, 3, 1)) == choose_variant(
        db, "daily_reflection", date(2026, 3, 1))


def test_without_ratings_both_variants_get_tried() -> None:
    learner = VariantLearner()
    rng = random.Random(7)
    picks = {learner.choose("daily_reflection", rng).name for _ in range(50)}
    assert picks == {"warm", "brief"}
    assert "no ratings yet" in learner.describe()


def test_a_reset_forgets_older_ratings(journal) -> None:
    db = journal.db_path
    long_ago = datetime.now(UTC) - timedelta(days=30)
    rate(journal, "daily_reflection", "1.0+brief", 1, times=5, at=long_ago)
    assert load_learner(db).arm("daily_reflection", "brief").helpful == 5
    since = datetime.now(UTC) - timedelta(days=1)
    assert load_learner(db, since).arm("daily_reflection", "brief").ratings == 0


def test_the_words_say_what_was_learned() -> None:
    learner = VariantLearner()
    learner.observe("daily_reflection", "brief", 1, 4)
    learner.observe("daily_reflection", "warm", -1, 3)
    text = learner.describe()
    assert "favour brief reflections" in text and "4 of 4 helpful" in text
    learner = VariantLearner()
    learner.observe("daily_reflection", "brief", 1, 1)
    assert "still tries each way" in learner.describe()
