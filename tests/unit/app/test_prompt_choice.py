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


# --- break-downs and goal reviews: what the user kept and took --------------------------


def test_kept_steps_choose_the_break_down_variant(journal, tmp_path) -> None:
    from app.variant_outcomes import record

    data = tmp_path / "data"
    data.mkdir()
    for _ in range(6):
        record(data, "breakdown", "fewer", 4, 4)  # every step kept
        record(data, "breakdown", "tiny", 0, 6)  # proposed, and nothing kept
    db = journal.db_path
    picks = [choose_variant(db, "breakdown", date(2026, 3, 1) + timedelta(days=d),
                            data_dir=data).name for d in range(40)]
    assert picks.count("fewer") >= 32, picks
    words = load_learner(db, data_dir=data).describe("breakdown")
    assert "favour fewer, plainer steps" in words and "24 of 24 steps kept" in words
    assert "0 of 36 steps kept" in words
    # and the other way round: what is kept decides, not the name
    other = tmp_path / "other"
    other.mkdir()
    for _ in range(6):
        record(other, "breakdown", "tiny", 5, 6)
        record(other, "breakdown", "fewer", 0, 4)
    picks = [choose_variant(db, "breakdown", date(2026, 3, 1) + timedelta(days=d),
                            data_dir=other).name for d in range(40)]
    assert picks.count("tiny") >= 32, picks


def test_a_partly_kept_break_down_counts_in_proportion() -> None:
    learner = VariantLearner()
    learner.observe_kept("breakdown", "tiny", 3, 4)
    arm = learner.arm("breakdown", "tiny")
    assert (arm.helpful, arm.not_quite, arm.trials) == (0.75, 0.25, 1)
    assert "still tries each way" in learner.describe("breakdown")


def test_taken_suggestions_choose_the_goal_review_variant(journal, tmp_path) -> None:
    from app.variant_outcomes import record

    for _ in range(5):
        record(tmp_path, "goal_review", "brief", 1, 1)
        record(tmp_path, "goal_review", "warm", 0, 1)
    learner = load_learner(journal.db_path, data_dir=tmp_path)
    words = learner.describe("goal_review")
    assert "favour brief goal reviews" in words and "5 of 5 suggestions taken" in words
    picks = [choose_variant(journal.db_path, "goal_review", date(2026, 3, 1) + timedelta(days=d),
                            data_dir=tmp_path).name for d in range(40)]
    assert picks.count("brief") >= 28, picks


def test_a_reset_forgets_kept_steps_too(journal, tmp_path) -> None:
    from app.variant_outcomes import record

    record(tmp_path, "breakdown", "fewer", 3, 3, at=datetime.now(UTC) - timedelta(days=30))
    assert load_learner(journal.db_path, data_dir=tmp_path).arm("breakdown", "fewer").trials == 1
    since = datetime.now(UTC) - timedelta(days=1)
    assert load_learner(journal.db_path, since, tmp_path).arm("breakdown", "fewer").trials == 0


def test_nonsense_is_not_remembered_and_a_damaged_file_is_not_fatal(tmp_path) -> None:
    from app.variant_outcomes import FILE, outcomes, record

    assert record(tmp_path, "breakdown", "loud", 1, 1) is None  # no such variant
    assert record(tmp_path, "day_summary", "plain", 1, 1) is None  # no signal for it
    assert record(tmp_path, "breakdown", "tiny", 5, 3) is None  # more kept than offered
    assert record(tmp_path, "breakdown", "tiny", 0, 0) is None
    assert outcomes(tmp_path) == []
    (tmp_path / FILE).write_text("{not json")
    assert outcomes(tmp_path) == []
    assert record(tmp_path, "breakdown", "tiny", 1, 2) is not None
    assert [(o.variant, o.kept, o.offered) for o in outcomes(tmp_path)] == [("tiny", 1, 2)]


def test_summaries_keep_their_default_and_the_words_say_why(tmp_path) -> None:
    from types import SimpleNamespace

    from app.prompt_choice import SUMMARIES_FIXED, chosen_variant

    context = SimpleNamespace(paths=SimpleNamespace(db=tmp_path / "wise.db", data_dir=tmp_path))
    for purpose in ("day_summary", "week_summary"):
        assert chosen_variant(context, purpose, date(2026, 3, 1)) == variants.variant(purpose,
                                                                                       None)
    text = VariantLearner().describe_all()
    assert text.split("\n\n") == [
        VariantLearner().describe("daily_reflection"), VariantLearner().describe("breakdown"),
        VariantLearner().describe("goal_review"), SUMMARIES_FIXED]
    assert "nothing honest to learn from" in text and "Break-downs: nothing yet" in text


def test_the_break_down_and_review_are_asked_in_the_variant_the_user_kept(tmp_path) -> None:
    from app.breakdown import plan_breakdown, resolve_item
    from app.daytime import journal_day, local_now
    from app.evals.build import START_HOUR, build_journal
    from app.evals.scenarios import load_suite
    from app.goal_review import gather, plan_review
    from app.variant_outcomes import record

    [scenario] = load_suite("breakdown_goal_with_why")
    today = journal_day(local_now(), START_HOUR)
    context, journal = build_journal(scenario, tmp_path, today)
    try:
        for _ in range(8):
            record(context.paths.data_dir, "breakdown", "fewer", 4, 4)
            record(context.paths.data_dir, "breakdown", "tiny", 0, 6)
            record(context.paths.data_dir, "goal_review", "brief", 1, 1)
            record(context.paths.data_dir, "goal_review", "warm", 0, 1)
        item = resolve_item(journal, text="sort the tax papers")
        call = plan_breakdown(context, journal, item, 3).call
        style = variants.variant("breakdown", "fewer").style
        assert call.prompt_version.endswith("+fewer") and style in str(call.messages)
        assert call.compact.prompt_version.endswith("+fewer")  # the retry's form too
        facts, _ = gather(journal, today, START_HOUR, None)
        review = plan_review(context, facts, today)
        assert review.prompt_version.endswith("+brief")
        assert variants.variant("goal_review", "brief").style in str(review.messages)
    finally:
        journal.close()
