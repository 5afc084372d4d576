"""The rituals' sqlite3 writes, read back through the ORM (and through search)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.engine import Journal
from storage.errors import JournalNotWritable
from storage.models import Action, DayWords, Entry, Feedback, Goal, Reflection, Summary, Tag
from storage.repo.goals import GoalTagTaken
from storage.repo.reading import reading
from storage.ritual_writes import RitualWriter
from storage.search import search
from tests.helpers import assert_write_lock_free

T0 = datetime(2026, 11, 26, 18, 30, 15, 123456, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand (the writer takes it; nothing is patched)."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 5) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def writer(journal: Journal, clock: Clock):
    opened = RitualWriter(journal.db_path, clock=clock)
    yield opened
    opened.close()


def add(journal: Journal, *rows) -> list[int]:
    with journal.write() as session:
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def test_day_words_created_then_updated(journal: Journal, writer: RitualWriter,
                                        clock: Clock) -> None:
    day = date(2026, 11, 26)
    writer.save_day_words(day, how_it_went="good", in_the_way="", mood=4, energy=None)
    later = clock.tick()
    writer.save_day_words(day, how_it_went="good, then tired", in_the_way="meetings",
                          mood=4, energy=2)
    with journal.read() as session:
        (words,) = session.scalars(select(DayWords)).all()
        assert (words.day, words.how_it_went, words.in_the_way, words.mood, words.energy) == (
            day, "good, then tired", "meetings", 4, 2)
        assert (words.created_at, words.updated_at) == (T0, later)


@pytest.mark.parametrize(("bad", "message"), [
    ({"mood": 0}, "mood is 1 to 5"), ({"energy": 6}, "energy is 1 to 5"),
    ({"mood": True}, "mood is 1 to 5"), ({"how_it_went": "x" * 100_001}, "at most 100,000")])
def test_bad_day_words_are_refused_and_nothing_changes(journal: Journal, writer: RitualWriter,
                                                       bad: dict, message: str) -> None:
    day = date(2026, 11, 26)
    writer.save_day_words(day, how_it_went="kept", in_the_way="", mood=3, energy=3)
    args = {"how_it_went": "new", "in_the_way": "", "mood": 3, "energy": 3, **bad}
    with pytest.raises(ValueError, match=message):
        writer.save_day_words(day, **args)
    with journal.read() as session:
        assert session.scalar(select(DayWords.how_it_went)) == "kept"
    # The writer is still usable after refusing.
    writer.save_day_words(day, how_it_went="later", in_the_way="", mood=None, energy=None)


def test_feedback_one_per_reflection(journal: Journal, writer: RitualWriter) -> None:
    (refl,) = add(journal, Reflection(kind="daily", period=date(2026, 11, 26), content="r"))
    first = writer.add_feedback(refl, 1, "  kind words  ")
    again = writer.add_feedback(refl, -1, None)
    assert again == first
    with journal.read() as session:
        (fb,) = session.scalars(select(Feedback)).all()
        assert (fb.target_kind, fb.target_id, fb.rating, fb.note, fb.created_at) == (
            "reflection", refl, -1, None, T0)
    writer.edit_feedback_note(first, "on second thought: helpful")
    with journal.read() as session:
        assert session.get(Feedback, first).note == "on second thought: helpful"
    writer.delete_feedback(first)
    with journal.read() as session:
        assert session.scalar(select(func.count()).select_from(Feedback)) == 0
    with pytest.raises(ValueError, match="no reflection 999"):
        writer.add_feedback(999, 1, None)
    with pytest.raises(ValueError, match=r"\+1"):
        writer.add_feedback(refl, 0, None)
    with pytest.raises(ValueError, match="no feedback"):
        writer.delete_feedback(first)


def test_plan_for_day(journal: Journal, writer: RitualWriter, clock: Clock) -> None:
    tomorrow = date(2026, 11, 27)
    a, b, c, d, _already, finished = add(
        journal, Action(title="a"), Action(title="b"),
        Action(title="c", due_on=date(2026, 12, 1), due_at=datetime(2026, 12, 1, 9, tzinfo=UTC)),
        Action(title="d"), Action(title="already", due_on=tomorrow),
        Action(title="finished", status="done", done_at=T0))
    with pytest.raises(ValueError, match="at most 3"):
        writer.plan_for_day([a, b, c, d], tomorrow)
    with pytest.raises(ValueError, match="not open"):
        writer.plan_for_day([a, finished], tomorrow)
    with journal.read() as session:  # all or nothing: `a` was not planned either
        assert session.get(Action, a).due_on is None
    later = clock.tick()
    writer.plan_for_day([a, c, c], tomorrow)
    with journal.read() as session:
        rows = {x.title: x for x in session.scalars(select(Action))}
        assert rows["a"].due_on == tomorrow and rows["a"].updated_at == later
        # The old due time was for another day: it no longer stands.
        assert (rows["c"].due_on, rows["c"].due_at) == (tomorrow, None)
        assert rows["already"].due_on == tomorrow  # left alone
        assert rows["b"].due_on is None and rows["b"].updated_at != later
        assert rows["finished"].due_on is None


def test_add_actions_are_searchable(journal: Journal, writer: RitualWriter) -> None:
    (fam,) = add(journal, Goal(slug="family", title="Family"))
    ids = writer.add_actions([("find the  photo   album", 5), ("call grandma", None)],
                             goal_id=fam).ids
    with journal.read() as session:
        rows = [session.get(Action, i) for i in ids]
        assert [(r.title, r.estimate_minutes, r.goal.slug, r.status, r.source) for r in rows] == [
            ("find the photo album", 5, "family", "open", "companion"),
            ("call grandma", None, "family", "open", "companion")]
        assert all(len(r.uid) == 36 and r.created_at == T0 == r.updated_at for r in rows)
    with reading(journal.db_path) as conn:
        hits = search(conn, "grandma")
        assert [(h.kind, h.id, h.goal_slug) for h in hits] == [("action", ids[1], "family")]
    assert writer.add_actions([("loose end", 10)], goal_id=None, source="cli").ids
    for steps, goal_id, message in (([("", 5)], None, "a few words"),
                                    ([("x", 0)], None, "from 1 to 1440"),
                                    ([("x", 5)], 999, "no goal 999")):
        with pytest.raises(ValueError, match=message):
            writer.add_actions(steps, goal_id=goal_id)
    with journal.read() as session:  # nothing half-written
        assert session.scalar(select(func.count()).select_from(Action)) == 3


def test_a_step_the_goal_has_open_is_not_added_again(journal: Journal,
                                                   writer: RitualWriter) -> None:
    fam, work = add(journal, Goal(slug="family", title="Family"), Goal(slug="work", title="W"))
    first = writer.add_actions([("Call dad about Christmas", None)], goal_id=fam)
    assert first.already_open == [] and len(first.ids) == 1
    # "Review with Wise" proposes it again, in other case, spacing and punctuation.
    again = writer.add_actions([("call  dad about christmas!", 2)], goal_id=fam)
    assert (again.ids, again.already_open) == ([], ["call dad about christmas!"])
    # Break it down: the new small steps are added, the repeat (and a repeat within the
    # same batch) is not; another goal, or a loose step, may have the same words.
    mixed = writer.add_actions([("find his number", 1), ("Call dad about Christmas.", 5),
                                ("find his number", 1)], goal_id=fam)
    assert len(mixed.ids) == 1
    assert mixed.already_open == ["Call dad about Christmas.", "find his number"]
    assert len(writer.add_actions([("call dad about christmas", None)], goal_id=work).ids) == 1
    assert len(writer.add_actions([("call dad about christmas", None)], goal_id=None).ids) == 1
    # Once it is done (or let go), the same step may be added again.
    writer.set_action_status(first.ids[0], "done")
    assert len(writer.add_actions([("call dad about christmas", None)], goal_id=fam).ids) == 1


def test_step_keys_ignore_case_spacing_and_trailing_punctuation() -> None:
    from storage.steps import step_key

    assert step_key("  Call  Dad\tabout ÉTÉ plans?! ") == "call dad about été plans"
    assert step_key("Straße…") == step_key("STRASSE") == "strasse"
    assert step_key("¿E-mail mum?") == "¿e-mail mum"  # only the end is trimmed
    assert step_key("...") == ""


def test_action_status_keeps_done_at_right(journal: Journal, writer: RitualWriter,
                                           clock: Clock) -> None:
    (act,) = add(journal, Action(title="walk"))

    def state():
        with journal.read() as session:
            row = session.get(Action, act)
            return row.status, row.done_at, row.updated_at

    first = clock.tick()
    writer.set_action_status(act, "done")
    assert state() == ("done", first, first)
    second = clock.tick()
    writer.set_action_status(act, "done")  # done twice: still done when first done
    assert state() == ("done", first, second)
    writer.set_action_status(act, "open")
    assert state()[:2] == ("open", None)
    writer.set_action_status(act, "dropped")
    assert state()[:2] == ("dropped", None)
    third = clock.tick()
    writer.set_action_status(act, "done")
    assert state()[:2] == ("done", third)
    with pytest.raises(ValueError, match="not 'finished'"):
        writer.set_action_status(act, "finished")
    with pytest.raises(ValueError, match="no action 999"):
        writer.set_action_status(999, "done")


def test_goals_added_edited_and_retired(journal: Journal, writer: RitualWriter,
                                        clock: Clock) -> None:
    first = writer.add_goal("  Learn   Spanish! ", why=" to talk with Ana ", cadence_per_week=3)
    # The goal there is already: refused and named (the CLI's rule too), never #learn-spanish-2.
    with pytest.raises(GoalTagTaken, match=r"already: Learn Spanish! \(#learn-spanish\)") as seen:
        writer.add_goal("Learn Spanish")
    assert seen.value.existing.id == first
    numbers = writer.add_goal("2026")
    with journal.read() as session:
        goals = {g.id: g for g in session.scalars(select(Goal))}
    assert len(goals) == 2
    assert [goals[i].slug for i in (first, numbers)] == ["learn-spanish", "goal-2026"]
    assert (goals[first].title, goals[first].why, goals[first].cadence_per_week,
            goals[first].status) == ("Learn Spanish!", "to talk with Ana", 3, "active")
    later = clock.tick()
    writer.update_goal(first, title="Spanish, slowly", why="Ana")
    with journal.read() as session:
        goal = session.get(Goal, first)
        # The slug stays: captures already use it as their tag.
        assert (goal.title, goal.why, goal.slug, goal.cadence_per_week, goal.updated_at) == (
            "Spanish, slowly", "Ana", "learn-spanish", 3, later)
    writer.update_goal(first, cadence_per_week=None)
    writer.set_goal_status(first, "archived")
    with journal.read() as session:
        goal = session.get(Goal, first)
        assert (goal.cadence_per_week, goal.status, goal.title) == (None, "archived",
                                                                    "Spanish, slowly")
    for call, message in ((lambda: writer.add_goal("   "), "needs a title"),
                          (lambda: writer.add_goal("x" * 201), "at most 200"),
                          (lambda: writer.add_goal("ok", cadence_per_week=22), "1 to 21"),
                          (lambda: writer.update_goal(first, title=""), "needs a title"),
                          (lambda: writer.update_goal(999, why="x"), "no goal 999"),
                          (lambda: writer.set_goal_status(first, "retired"), "not 'retired'")):
        with pytest.raises(ValueError, match=message):
            call()


def test_summaries_edited_and_deleted(journal: Journal, writer: RitualWriter) -> None:
    (summary,) = add(journal, Summary(kind="day", period_start=date(2026, 11, 25),
                                      period_end=date(2026, 11, 25), content="made by Wise",
                                      source="model"))
    writer.edit_summary(summary, "  what really happened  ")
    with journal.read() as session:
        assert session.get(Summary, summary).content == "what really happened"
    with pytest.raises(ValueError, match="delete it instead"):
        writer.edit_summary(summary, "  ")
    writer.delete_summary(summary)
    with journal.read() as session:
        # A tombstone: the period stays taken (so the nightly job does not make it again),
        # and the words are gone.
        deleted = session.get(Summary, summary)
        assert (deleted.kind, deleted.period_start, deleted.content, deleted.source) == (
            "day", date(2026, 11, 25), "", "deleted")
    with pytest.raises(ValueError, match="no summary"):
        writer.edit_summary(summary, "gone")
    with pytest.raises(ValueError, match="no summary"):
        writer.delete_summary(summary)


def test_a_deleted_summary_stays_deleted_after_the_nightly_job(journal: Journal,
                                                               writer: RitualWriter) -> None:
    from app.memory.summaries import ensure_summaries
    from storage.repo.ritual_reads import memory_items

    day = date(2026, 11, 25)
    add(journal, Entry(text="A long walk.", created_at=datetime(2026, 11, 25, 12, tzinfo=UTC)))
    ensure_summaries(journal, today=day + timedelta(days=1), start_hour=4, tz=UTC)
    with journal.read() as session:
        (made,) = session.execute(select(Summary.id).where(Summary.period_start == day)
                                  ).scalars().all()
    assert [item.id for item in memory_items(journal.db_path)] == [made]

    writer.delete_summary(made)
    report = ensure_summaries(journal, today=day + timedelta(days=1), start_hour=4, tz=UTC)

    assert report.made == 0
    with journal.read() as session:
        rows = session.execute(select(Summary.content, Summary.source)).all()
    assert [tuple(row) for row in rows] == [("", "deleted")]
    assert memory_items(journal.db_path) == []  # nothing left to show, edit or delete


def test_an_unwritable_journal_is_explained(tmp_path: Path) -> None:
    writer = RitualWriter(tmp_path / "missing-folder" / "wise.db")
    with pytest.raises(JournalNotWritable, match="cannot write to the journal"):
        writer.save_day_words(date(2026, 11, 26), how_it_went="", in_the_way="", mood=None,
                              energy=None)
    writer.close()


def test_the_tray_can_use_them_without_sqlalchemy() -> None:
    """The windows live in the tray process, which must never import SQLAlchemy."""
    import subprocess
    import sys

    code = ("import sys, storage.repo.ritual_reads, storage.ritual_writes; "
            "heavy = [m for m in ('sqlalchemy', 'alembic', 'pydantic') if m in sys.modules]; "
            "sys.exit(', '.join(heavy) or None)")
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr


def test_a_failed_write_never_keeps_the_journal_locked(journal: Journal,
                                                       writer: RitualWriter) -> None:
    """Text SQLite cannot take fails the save, and the kept-open connection is left
    outside any transaction: the next save and every other writer go ahead."""
    day = date(2026, 11, 26)
    with pytest.raises(UnicodeEncodeError):
        writer.save_day_words(day, how_it_went="half \ud83d emoji", in_the_way="",
                              mood=None, energy=None)
    assert_write_lock_free(journal.db_path)
    writer.save_day_words(day, how_it_went="fine after all", in_the_way="", mood=3,
                          energy=None)
    with journal.read() as session:
        words = session.scalars(select(DayWords).where(DayWords.day == day)).one()
        assert words.how_it_went == "fine after all"


def test_items_tagged_before_their_goal_existed_are_linked(journal: Journal,
                                                           writer: RitualWriter,
                                                           clock: Clock) -> None:
    (family_tag, happy) = (Tag(name="family"), Tag(name="happy"))
    (other,) = add(journal, Goal(slug="other", title="Other"))
    call, elsewhere, dinner = add(
        journal, Action(title="call mum", tags=[family_tag]),
        Action(title="already somewhere else", goal_id=other, tags=[family_tag]),
        Entry(text="dinner with the kids", tags=[family_tag, happy]))
    goal = writer.add_goal("Family")
    later = clock.tick()
    linked = writer.link_tagged_items(goal)
    assert [(i.kind, i.id, i.text) for i in linked] == [("to-do", call, "call mum"),
                                                       ("note", dinner, "dinner with the kids")]
    with journal.read() as session:
        assert session.get(Action, call).goal_id == goal
        assert session.get(Action, call).updated_at == later
        assert session.get(Action, call).tags == []  # the tag is the link now
        assert session.get(Action, elsewhere).goal_id == other  # left as it was
        assert [t.name for t in session.get(Entry, dinner).tags] == ["happy"]
    with reading(journal.db_path) as conn:
        assert sorted(h.id for h in search(conn, "#family") if h.kind == "action") == [
            call, elsewhere]  # as a goal, and as a tag
    assert writer.link_tagged_items(goal) == []
    with pytest.raises(ValueError, match="no goal 999"):
        writer.link_tagged_items(999)
