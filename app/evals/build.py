"""A scenario's synthetic journal, built through the real services (goals, capture, the
reflection window's writer), never by writing rows: what the suite measures is what the
companion would read in a real journal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from app.evals.scenarios import Scenario, WordsSeed
from app.journal import Context
from app.paths import WisePaths
from app.settings.store import load_settings, set_setting
from storage.db import JournalFile

START_HOUR = 4  # the default day start, written into every scenario's settings


def scenario_context(home: Path) -> Context:
    paths = WisePaths(data_dir=home, config_dir=home)
    return Context(paths, load_settings(paths.settings_file))


def build_journal(scenario: Scenario, home: Path, today: date) -> tuple[Context, JournalFile]:
    """A fresh journal in `home` holding the scenario's days, as of the journal day
    `today`. No model is configured here (see `connect`)."""
    from app.actions import set_action_status
    from app.capture.service import capture
    from app.goals import add_goal, set_goal_status

    home.mkdir(parents=True, exist_ok=True)
    context = scenario_context(home)
    _copy_empty_journal(context)
    journal = context.open_journal()
    for goal in scenario.goals:
        made = add_goal(journal, goal.title, why=goal.why, slug=goal.slug)
        if goal.status == "paused":
            set_goal_status(journal, made.slug, "pause")
    for seed in sorted(scenario.captures, key=lambda c: -c.days_ago):
        moment = datetime.combine(today - timedelta(days=seed.days_ago),
                                  time(seed.hour)).astimezone()
        outcome = capture(context, seed.text, now=moment, source="capture")
        if seed.done and outcome.saved.table == "actions":
            set_action_status(journal, outcome.saved.id, "done")
    if scenario.words is not None:
        _save_words(context, today, scenario.words)
    if scenario.feedback:
        _give_feedback(context, journal, today, scenario)
    return context, journal


_empty_journal: list[Path] = []  # one freshly migrated journal per process, copied per scenario


def _copy_empty_journal(context: Context) -> None:
    """Start from a copy of an empty journal migrated once in this process: the same file
    the migrations make, without running them again for every scenario."""
    import atexit
    import shutil
    import tempfile

    if not _empty_journal or not _empty_journal[0].exists():
        folder = Path(tempfile.mkdtemp(prefix="wise-eval-empty-"))
        atexit.register(shutil.rmtree, folder, True)
        made = scenario_context(folder)
        made.open_journal().close()
        _empty_journal[:] = [made.paths.db]
    context.paths.ensure_data_dir()
    shutil.copyfile(_empty_journal[0], context.paths.db)


def connect(context: Context, model: str, api_base: str | None) -> Context:
    """The same context with `model` (and its server) chosen, as `wise config set` does."""
    set_setting(context.paths.settings_file, "llm.model", model)
    if api_base:
        set_setting(context.paths.settings_file, "llm.api_base", api_base)
    return scenario_context(context.paths.data_dir)


def _save_words(context: Context, today: date, words: WordsSeed) -> None:
    from storage.ritual_writes import RitualWriter

    writer = RitualWriter(context.paths.db)
    try:
        writer.save_day_words(today, how_it_went=words.how_it_went,
                              in_the_way=words.in_the_way, mood=words.mood,
                              energy=words.energy)
    finally:
        writer.close()


def _give_feedback(context: Context, journal: JournalFile, today: date,
                   scenario: Scenario) -> None:
    """Earlier reflections (the plain ones: no model is set yet) rated as the user did."""
    from app.reflection import reflect
    from storage.ritual_writes import RitualWriter

    writer = RitualWriter(context.paths.db)
    try:
        for seed in scenario.feedback:
            day = today - timedelta(days=seed.days_ago)
            outcome = reflect(context, journal, day, user_words="")
            writer.add_feedback(outcome.reflection_id, seed.rating, seed.note or None)
    finally:
        writer.close()
