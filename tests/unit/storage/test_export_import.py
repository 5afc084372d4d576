"""JSON export and import: the documented layout, losslessness, all-or-nothing, streaming."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text

from storage.engine import Journal
from storage.errors import ImportRejected
from storage.export_json import FORMAT_NAME, FORMAT_VERSION, TransferCounts, export_json
from storage.import_json import import_json
from storage.migrate import ensure_schema
from storage.models import (
    Action,
    ActionStatus,
    Base,
    DayWords,
    Entry,
    Feedback,
    FocusSession,
    Goal,
    GoalStatus,
    Nudge,
    Reflection,
    Source,
    Summary,
    Tag,
    action_tags,
    entry_tags,
)

EXPORTED_AT = datetime(2026, 11, 26, 18, 0, 0, 123456, tzinfo=UTC)
TABLES = ("goals", "actions", "entries", "tags", "action_tags", "entry_tags", "day_words",
          "reflections", "summaries", "nudges", "feedback", "focus_sessions")
RITUAL_SECTIONS = ("day_words", "reflections", "summaries", "nudges", "feedback")
V3_SECTIONS = (*RITUAL_SECTIONS, "focus_sessions")
# What fill_rich puts in a journal.
RICH = TransferCounts(goals=4, actions=3, entries=3, day_words=2, reflections=2,
                      summaries=4, nudges=2, feedback=3, focus_sessions=3)
NOTHING = TransferCounts(0, 0, 0)

# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty journal file; tests copy it (migrating each time is slow)."""
    folder = tmp_path_factory.mktemp("template")
    ensure_schema(folder / "wise.db", folder / "backups", keep_backups=3)
    return folder / "wise.db"


def _open_copy(template: Path, folder: Path) -> Journal:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, folder / "wise.db")
    return Journal(folder / "wise.db")


@pytest.fixture
def new_journal(template_db: Path, tmp_path: Path) -> Iterator[Callable[[str], Journal]]:
    opened: list[Journal] = []

    def make(name: str) -> Journal:
        journal = _open_copy(template_db, tmp_path / name)
        opened.append(journal)
        return journal

    yield make
    for journal in opened:
        journal.close()


def export_text(journal: Journal, exported_at: datetime = EXPORTED_AT) -> str:
    out = io.StringIO()
    export_json(journal.db_path, out, exported_at=exported_at, app_version="0.1.0")
    return out.getvalue()


def import_text(journal: Journal, content: str | bytes) -> TransferCounts:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return import_json(journal.db_path, io.BytesIO(data))


def row_counts(journal: Journal) -> dict[str, int]:
    with journal.read() as session:
        return {table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in TABLES}


def at(text_: str) -> datetime:
    return datetime.fromisoformat(text_)


def fill_rich(journal: Journal) -> None:
    """Every status, every optional field both set and NULL, awkward text everywhere."""
    with journal.write() as session:
        family = Goal(slug="family", title="Family", cadence_per_week=3,
                      why='They are "my people".\nAll of them — even the 🐈.\n\n\tTabs\\too',
                      why_ladder=json.dumps(["to be there", "they matter most",
                                             'They are "my people".\nAll of them — even '
                                             'the 🐈.\n\n\tTabs\\too'], ensure_ascii=False),
                      created_at=at("2026-01-01T08:00:00+00:00"),
                      updated_at=at("2026-01-02T09:30:00.000001+00:00"))
        health = Goal(slug="health", title="Santé ✚", why="", status=GoalStatus.PAUSED,
                      created_at=at("2026-01-03T10:00:00+01:00"),
                      updated_at=at("2026-01-03T10:00:00+01:00"))
        done = Goal(slug="spanish", title="Spanish", why="¡Hola!", status=GoalStatus.DONE,
                    cadence_per_week=21, created_at=at("2026-02-01T00:00:00+00:00"),
                    updated_at=at("2026-03-01T00:00:00+00:00"))
        archived = Goal(slug="knitting", title="Knitting", why="line one\r\nline two",
                        status=GoalStatus.ARCHIVED, created_at=at("2026-02-02T00:00:00Z"),
                        updated_at=at("2026-02-03T00:00:00Z"))
        work, x, emoji = Tag(name="work"), Tag(name="x"), Tag(name="émoji-🎉")
        session.add_all([family, health, done, archived])
        session.add_all([
            Action(title="Call mum", goal=family, status=ActionStatus.DONE,
                   estimate_minutes=15, due_on=date(2026, 11, 27),
                   due_at=at("2026-11-27T17:00:00+01:00"),
                   done_at=at("2026-11-27T16:12:13.141516+00:00"),
                   source=Source.CAPTURE, raw_text="todo call mum #family !15m fri 17:00",
                   tags=[x, work], created_at=at("2026-11-26T21:00:00+00:00"),
                   updated_at=at("2026-11-27T16:12:13.141516+00:00")),
            Action(title="Run 5k", goal=health, status=ActionStatus.OPEN,
                   created_at=at("2026-11-26T06:00:00+00:00"),
                   updated_at=at("2026-11-26T06:00:00+00:00")),
            Action(title="Old plan\nwith a second line", status=ActionStatus.DROPPED,
                   due_on=date(2027, 1, 4), source=Source.COMPANION, tags=[emoji],
                   created_at=at("2026-11-20T12:00:00+00:00"),
                   updated_at=at("2026-11-21T12:00:00+00:00")),
        ])
        session.add_all([
            Entry(text="A long walk with Sam. \u2028 (a line separator inside)",
                  goal=family, mood=5, energy=1, source=Source.CAPTURE,
                  raw_text="A long walk with Sam. #family", tags=[work, x, emoji],
                  created_at=at("2026-11-26T21:14:00+00:00"),
                  updated_at=at("2026-11-26T21:14:00+00:00")),
            Entry(text="# Not a heading\n\"quoted\" and \\backslashed\\\n日本語",
                  created_at=at("2026-11-27T01:30:00.5+00:00"),
                  updated_at=at("2026-11-27T01:30:00.5+00:00")),
            Entry(text="", mood=1, source=Source.IMPORT, goal=archived,
                  created_at=at("2026-11-28T00:00:00+00:00"),
                  updated_at=at("2026-11-28T00:00:00+00:00")),
        ])
    fill_rituals(journal)


def fill_rituals(journal: Journal) -> None:
    """The rituals' records: day words, reflections, summaries (one deleted), nudges with
    and without an action, feedback on a reflection, on a nudge and on a vanished row."""
    with journal.write() as session:
        call = session.execute(select(Action).where(Action.title == "Call mum")).scalar_one()
        session.add_all([
            DayWords(day=date(2026, 11, 26), how_it_went="Good.\nMostly — 🐈 helped",
                     in_the_way='"Trains", as ever', mood=4, energy=2,
                     created_at=at("2026-11-26T21:30:00+00:00"),
                     updated_at=at("2026-11-26T21:45:00.5+00:00")),
            DayWords(day=date(2026, 11, 25), how_it_went="", in_the_way="",
                     created_at=at("2026-11-25T22:00:00+00:00"),
                     updated_at=at("2026-11-25T22:00:00+00:00")),
        ])
        session.flush()
        liked = Reflection(kind="daily", period=date(2026, 11, 26), prompt_name="reflection",
                           prompt_version="1.2", model="gpt-test", content="You called mum.",
                           structured='{"next_step": "Rest"}', user_words="Good. Tired.",
                           created_at=at("2026-11-26T21:50:00+00:00"),
                           updated_at=at("2026-11-26T21:50:00+00:00"))
        plain = Reflection(kind="daily", period=date(2026, 11, 25), content="A quiet day.",
                           raw="not json {", created_at=at("2026-11-25T22:05:00+00:00"),
                           updated_at=at("2026-11-25T22:05:00+00:00"))
        session.add_all([liked, plain])
        session.add_all([
            Summary(kind="day", period_start=date(2026, 11, 25), period_end=date(2026, 11, 25),
                    content="Quiet.", source="plain", prompt_version="plain-1",
                    created_at=at("2026-11-26T03:00:00+00:00")),
            Summary(kind="week", period_start=date(2026, 11, 16),
                    period_end=date(2026, 11, 22), content="A busy week ✓", source="model",
                    model="gpt-test", prompt_version="1.0",
                    created_at=at("2026-11-23T03:00:00+00:00")),
            Summary(kind="day", period_start=date(2026, 11, 24), period_end=date(2026, 11, 24),
                    content="", source="deleted", created_at=at("2026-11-25T03:00:00+00:00")),
            Summary(kind="month", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
                    content="October.", source="plain",
                    created_at=at("2026-11-01T03:00:00+00:00")),
        ])
        with_action = Nudge(created_at=at("2026-11-26T15:00:00.25+00:00"), action_id=call.id,
                            goal_id=call.goal_id, text="Mum?", style="why_first", hour_bucket=16,
                            reason="due today", source="plain", response="done",
                            responded_at=at("2026-11-26T15:05:00+00:00"))
        session.add_all([
            with_action,
            Nudge(created_at=at("2026-11-26T19:00:00+00:00"), text="A walk?", style="plain",
                  hour_bucket=20, reason="", source="model"),
        ])
        session.flush()
        session.add_all([
            Feedback(target_kind="reflection", target_id=liked.id, rating=1,
                     note="more like this", created_at=at("2026-11-26T22:00:00+00:00")),
            Feedback(target_kind="nudge", target_id=with_action.id, rating=0,
                     created_at=at("2026-11-26T15:06:00+00:00")),
            # About a reflection that is not in the journal (any more): the rating is kept.
            Feedback(target_kind="reflection", target_id=999, rating=-1,
                     created_at=at("2026-11-20T22:00:00+00:00")),
        ])
        # Focus sessions: from a nudge and done; stopped with no step left; one running
        # and paused right now.
        session.add_all([
            FocusSession(action_id=call.id, nudge_id=with_action.id, title="Call mum ✆",
                         estimate_minutes=20, started_at=at("2026-11-26T15:01:00.5+00:00"),
                         planned_seconds=1500, paused_seconds=65,
                         ended_at=at("2026-11-26T15:40:00+00:00"), outcome="done"),
            FocusSession(title="تنظيف المكتب\nand a second line", estimate_minutes=None,
                         started_at=at("2026-11-25T09:00:00+00:00"), planned_seconds=120,
                         paused_seconds=0, ended_at=at("2026-11-25T09:45:00+00:00"),
                         outcome="stopped"),
            FocusSession(action_id=call.id, title="Call mum", estimate_minutes=20,
                         started_at=at("2026-11-26T17:50:00+00:00"), planned_seconds=60,
                         paused_at=at("2026-11-26T17:55:00+00:00"), paused_seconds=0),
        ])


# --- The format -----------------------------------------------------------------------------


def test_export_is_one_json_document_with_one_record_per_line(new_journal) -> None:
    journal = new_journal("source")
    fill_rich(journal)

    export = export_text(journal)

    document = json.loads(export)
    assert document["format"] == FORMAT_NAME == "wise-journal"
    assert document["version"] == FORMAT_VERSION == 4
    assert document["exported_at"] == "2026-11-26T18:00:00.123456+00:00"
    assert document["app_version"] == "0.1.0"
    assert list(document)[4:] == ["goals", "actions", "entries", *V3_SECTIONS]
    assert TransferCounts(**{name: len(document[name]) for name in list(document)[4:]}) == RICH
    lines = export.split("\n")
    assert lines[0] == ('{"format": "wise-journal", "version": 4, "exported_at": '
                        '"2026-11-26T18:00:00.123456+00:00", "app_version": "0.1.0",')
    assert lines[1] == '"goals": ['
    assert lines[6:8] == ["],", '"actions": [']
    assert lines[11:13] == ["],", '"entries": [']
    assert lines[16:18] == ["],", '"day_words": [']
    assert lines[20:22] == ["],", '"reflections": [']
    assert lines[24:26] == ["],", '"summaries": [']
    assert lines[30:32] == ["],", '"nudges": [']
    assert lines[34:36] == ["],", '"feedback": [']
    assert lines[39:41] == ["],", '"focus_sessions": [']
    assert lines[44:] == ["]}", ""]  # ends with one line feed
    # Every record line is one whole JSON object.
    records = [line for line in lines if line.startswith("{\"") and line != lines[0]]
    assert len(records) == sum(vars(RICH).values())
    for line in records:
        assert isinstance(json.loads(line.removesuffix(",")), dict)


def test_records_have_every_field_uids_not_ids_and_sorted_tags(new_journal) -> None:
    journal = new_journal("source")
    fill_rich(journal)

    document = json.loads(export_text(journal))

    goals, actions, entries = document["goals"], document["actions"], document["entries"]
    assert list(goals[0]) == ["uid", "slug", "title", "why", "why_ladder", "status",
                              "cadence_per_week",
                              "created_at", "updated_at"]
    assert list(actions[0]) == ["uid", "title", "goal", "status", "estimate_minutes", "due_on",
                                "due_at", "done_at", "source", "raw_text", "tags",
                                "created_at", "updated_at"]
    assert list(entries[0]) == ["uid", "text", "kind", "goal", "mood", "energy", "source",
                                "raw_text", "tags", "created_at", "updated_at"]
    assert [g["status"] for g in goals] == ["active", "paused", "done", "archived"]
    assert goals[1]["created_at"] == "2026-01-03T09:00:00.000000+00:00"  # +01:00 -> UTC
    call = actions[0]
    assert call["goal"] == goals[0]["uid"]
    assert call["due_on"] == "2026-11-27"
    assert call["due_at"] == "2026-11-27T16:00:00.000000+00:00"
    assert call["done_at"] == "2026-11-27T16:12:13.141516+00:00"
    assert call["tags"] == ["work", "x"]
    assert actions[2]["goal"] is None and actions[2]["estimate_minutes"] is None
    assert entries[0]["tags"] == ["work", "x", "émoji-🎉"]  # code point order
    assert entries[2]["goal"] == goals[3]["uid"]
    assert entries[1]["mood"] is None and entries[1]["raw_text"] is None
    assert not any("id" in record for record in goals + actions + entries)


def test_ritual_records_refer_to_uids_and_keys_never_to_row_ids(new_journal) -> None:
    journal = new_journal("source")
    fill_rich(journal)

    document = json.loads(export_text(journal))

    words, reflections = document["day_words"], document["reflections"]
    summaries, nudges, feedback = document["summaries"], document["nudges"], document["feedback"]
    assert list(words[0]) == ["day", "how_it_went", "in_the_way", "mood", "energy",
                              "created_at", "updated_at"]
    assert words[0]["how_it_went"] == "Good.\nMostly — 🐈 helped"
    assert list(reflections[0]) == ["uid", "kind", "period", "prompt_name", "prompt_version",
                                    "model", "content", "structured", "raw", "user_words",
                                    "created_at", "updated_at"]
    assert reflections[1]["model"] is None and reflections[1]["raw"] == "not json {"
    assert list(summaries[0]) == ["kind", "period_start", "period_end", "content", "source",
                                  "model", "prompt_version", "created_at"]
    assert summaries[2] == {"kind": "day", "period_start": "2026-11-24",
                            "period_end": "2026-11-24", "content": "", "source": "deleted",
                            "model": None, "prompt_version": None,
                            "created_at": "2026-11-25T03:00:00.000000+00:00"}
    assert list(nudges[0]) == ["uid", "created_at", "action", "goal", "text", "style",
                               "hour_bucket", "reason", "source", "response", "responded_at"]
    call = next(a for a in document["actions"] if a["title"] == "Call mum")
    assert (nudges[0]["action"], nudges[0]["goal"]) == (call["uid"], call["goal"])
    assert (nudges[1]["action"], nudges[1]["goal"], nudges[1]["response"]) == (None, None, None)
    assert list(feedback[0]) == ["uid", "target_kind", "target", "rating", "note",
                                 "created_at"]
    assert [(f["target_kind"], f["target"]) for f in feedback] == [
        ("reflection", reflections[0]["uid"]),
        ("nudge", {"created_at": "2026-11-26T15:00:00.250000+00:00", "action": call["uid"]}),
        ("reflection", None)]  # what it was about is gone
    everything = words + reflections + summaries + nudges + feedback
    assert not any(key in record for record in everything
                   for key in ("id", "target_id", "action_id", "goal_id"))


# Tables the export leaves out, and why. Every other table of the models is a section.
NOT_EXPORTED = {
    "llm_calls": "the model-call log stays on this device",
    "job_runs": "the scheduler's bookkeeping on this device",
    "schema_repairs": "this file's own history (wise doctor)",
    "tags": "inside actions and entries, as names", "entry_tags": "ditto",
    "action_tags": "ditto",
}
# A reference travels as the referenced row's uid (or key), under the name of what it is.
RENAMED = {"goal_id": "goal", "action_id": "action", "target_id": "target",
           "nudge_id": "nudge"}


def _fields_from_the_schema(section: str) -> set[str]:
    table = Base.metadata.tables[section]
    fields = {RENAMED.get(column.name, column.name) for column in table.columns
              if column.name != "id"}
    return fields | ({"tags"} if section in ("actions", "entries") else set())


def test_every_column_of_every_table_is_exported_and_imported(new_journal) -> None:
    """Derived from the table definitions: a new column cannot silently stay out of a
    backup (nudges' and feedback's uids, added by 0008_sync, once did)."""
    from storage.export_json import SECTIONS
    from storage.import_json import _FIELDS

    assert set(Base.metadata.tables) - set(NOT_EXPORTED) == set(SECTIONS)
    journal = new_journal("source")
    fill_rich(journal)
    document = json.loads(export_text(journal))
    for section in SECTIONS:
        expected = _fields_from_the_schema(section)
        assert document[section], f"fill_rich leaves {section} empty"
        for record in document[section]:
            assert set(record) == expected, section
        assert {spec.name for spec in _FIELDS[section]} == expected, section


def test_a_version_3_nudge_and_feedback_keep_their_uids(new_journal) -> None:
    journal = new_journal("target")
    head = {"format": "wise-journal", "version": 3,
            "exported_at": "2026-11-26T18:00:00+00:00", "app_version": "0.2.0"}
    document = {**head, "goals": [], "actions": [], "entries": [], "day_words": [],
                "reflections": [], "summaries": [],
                "nudges": [_nudge(uid="n-1")],
                "feedback": [_feedback(uid="f-1", target_kind="nudge",
                                       target={"created_at": "2026-11-26T15:00:00+00:00",
                                               "action": None})],
                "focus_sessions": []}
    counts = import_text(journal, json.dumps(document))
    assert (counts.nudges, counts.feedback) == (1, 1)
    with journal.read() as session:
        assert session.execute(text("SELECT uid FROM nudges")).scalars().all() == ["n-1"]
        assert session.execute(text("SELECT uid FROM feedback")).scalars().all() == ["f-1"]
    assert import_text(journal, json.dumps(document)) == NOTHING


def test_export_keeps_non_ascii_text_as_itself(new_journal) -> None:
    journal = new_journal("source")
    fill_rich(journal)

    export = export_text(journal)

    assert "🐈" in export and "日本語" in export and "\\u" not in export.replace("\\\\", "")


def test_empty_journal_exports_nine_empty_lists(new_journal) -> None:
    export = export_text(new_journal("empty"))

    assert export.split("\n")[1:] == ['"goals": [', "],", '"actions": [', "],",
                                      '"entries": [', "],", '"day_words": [', "],",
                                      '"reflections": [', "],", '"summaries": [', "],",
                                      '"nudges": [', "],", '"feedback": [', "],",
                                      '"focus_sessions": [', "]}", ""]
    assert json.loads(export)["entries"] == []


def test_exported_at_must_be_aware(new_journal) -> None:
    with pytest.raises(ValueError, match="naive"):
        export_text(new_journal("empty"), exported_at=datetime(2026, 11, 26, 18, 0))


# --- Lossless and idempotent ----------------------------------------------------------------


def test_export_import_export_is_byte_identical_apart_from_exported_at(new_journal) -> None:
    source, target = new_journal("source"), new_journal("target")
    fill_rich(source)
    first = export_text(source)

    counts = import_text(target, first)
    second = export_text(target, exported_at=EXPORTED_AT + timedelta(days=1))

    assert counts == RICH
    assert row_counts(target) == row_counts(source)
    first_lines, second_lines = first.split("\n"), second.split("\n")
    assert first_lines[1:] == second_lines[1:]
    assert first_lines[0].replace("2026-11-26T18", "2026-11-27T18") == second_lines[0]
    assert export_text(target) == first  # the same moment: every byte the same


def test_importing_twice_adds_nothing_the_second_time(new_journal) -> None:
    source, target = new_journal("source"), new_journal("target")
    fill_rich(source)
    export = export_text(source)

    first = import_text(target, export)
    after_first = row_counts(target)
    second = import_text(target, export)

    assert first == RICH
    assert second == NOTHING
    assert row_counts(target) == after_first


def test_import_reuses_existing_tags_and_keeps_existing_rows_as_they_are(new_journal) -> None:
    source, target = new_journal("source"), new_journal("target")
    fill_rich(source)
    export = export_text(source)
    import_text(target, export)
    with target.write() as session:
        session.execute(text("UPDATE entries SET text = 'edited since' WHERE id = 1"))
        session.add(Tag(name="unrelated"))

    import_text(target, export)

    with target.read() as session:
        assert session.execute(select(Entry.text).where(Entry.id == 1)).scalar_one() == \
            "edited since"  # skipped, not updated
        assert session.execute(select(func.count()).select_from(Tag)).scalar_one() == 4


def test_goal_with_an_existing_slug_is_merged_and_references_follow(new_journal) -> None:
    source, target = new_journal("source"), new_journal("target")
    fill_rich(source)
    with target.write() as session:
        session.add(Goal(slug="family", title="My family", why="mine"))
    with target.read() as session:
        family_id, family_uid = session.execute(select(Goal.id, Goal.uid)).one()

    counts = import_text(target, export_text(source))
    again = import_text(target, export_text(source))

    assert counts.goals == 3 and again == NOTHING
    with target.read() as session:
        goal = session.execute(select(Goal).where(Goal.slug == "family")).scalar_one()
        assert (goal.id, goal.uid, goal.title) == (family_id, family_uid, "My family")
        call = session.execute(select(Action).where(Action.title == "Call mum")).scalar_one()
        walk = session.execute(select(Entry).where(Entry.mood == 5)).scalar_one()
        assert call.goal_id == walk.goal_id == family_id


def test_references_may_point_to_goals_already_in_the_journal(new_journal) -> None:
    journal = new_journal("only")
    with journal.write() as session:
        session.add(Goal(slug="family", title="Family", uid="g-1"))
    export = _minimal_export(entries=[_entry(uid="e-1", goal="g-1")])

    assert import_text(journal, export) == TransferCounts(0, 0, 1)


def test_a_pretty_printed_export_is_imported_the_same(new_journal) -> None:
    source, target = new_journal("source"), new_journal("target")
    fill_rich(source)
    export = export_text(source)
    pretty = json.dumps(json.loads(export), indent=2, ensure_ascii=False, sort_keys=True)

    counts = import_text(target, pretty)

    assert counts == RICH
    assert export_text(target) == export


def test_a_source_that_cannot_seek_still_falls_back_to_a_whole_read(new_journal) -> None:
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    source, target = new_journal("source"), new_journal("target")
    fill_rich(source)
    compact = json.dumps(json.loads(export_text(source)), ensure_ascii=False)

    assert import_json(target.db_path, Pipe(compact.encode())) == RICH


def test_a_pipe_larger_than_the_bound_is_refused_and_not_read_past_it(
        new_journal, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe is copied aside (a temporary file past the in-memory part), so its size is
    bounded as a whole-read document's is: beyond it, nothing is imported and the rest of
    the stream is never read. Here the bound is 1 MB, and 8 MB come down a real pipe."""
    import storage.import_json as importing

    monkeypatch.setattr(importing, "_MAX_PIPE_BYTES", 2**20)
    monkeypatch.setattr(importing, "_SPOOL_IN_MEMORY", 64 * 1024)  # spills to a file
    target = new_journal("target")
    before = row_counts(target)
    header = f'{{"format": "{FORMAT_NAME}", "version": {FORMAT_VERSION}, "goals": [\n'
    chunk, chunks = b" " * 65536, 128
    sent = [0]
    read_end, write_end = os.pipe()

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), os.fdopen(write_end, "wb") as out:
            out.write(header.encode())
            for _ in range(chunks):
                out.write(chunk)
                sent[0] += len(chunk)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    with os.fdopen(read_end, "rb") as pipe, pytest.raises(
            ImportRejected, match=r"came through a pipe and is larger than 1 MB.*nothing "
                                  r"was imported\. Save it to a file"):
        import_json(target.db_path, pipe)
    feeder.join(60)
    assert not feeder.is_alive()
    assert sent[0] < len(chunk) * chunks  # it stopped reading at the bound
    assert row_counts(target) == before


def test_windows_line_endings_and_a_byte_order_mark_are_accepted(new_journal) -> None:
    source, target = new_journal("source"), new_journal("target")
    fill_rich(source)
    export = export_text(source)

    data = b"\xef\xbb\xbf" + export.replace("\n", "\r\n").encode()

    assert import_text(target, data) == RICH
    assert export_text(target) == export


@settings(max_examples=25, deadline=None)
@given(
    body=st.text(st.characters(blacklist_categories=("Cs",)), max_size=80),
    tags=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1,
                          max_size=12), max_size=4),
    moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(UTC)),
    mood=st.none() | st.integers(1, 5),
)
def test_any_text_survives_a_round_trip(template_db: Path, body: str, tags: list[str],
                                        moment: datetime, mood: int | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = _open_copy(template_db, Path(folder, "source"))
        target = _open_copy(template_db, Path(folder, "target"))
        try:
            with source.write() as session:
                session.add(Entry(text=body, raw_text=body, mood=mood, created_at=moment,
                                  updated_at=moment, tags=[Tag(name=t) for t in set(tags)]))
            export = export_text(source)
            import_text(target, export)
            assert export_text(target) == export
        finally:
            source.close()
            target.close()


# --- Rejections: all or nothing -------------------------------------------------------------


def _goal(**fields: object) -> dict[str, object]:
    return {"uid": "g-1", "slug": "family", "title": "Family", "why": "", "status": "active",
            "cadence_per_week": None, "created_at": "2026-11-26T18:00:00+00:00",
            "updated_at": "2026-11-26T18:00:00+00:00", **fields}


def _action(**fields: object) -> dict[str, object]:
    return {"uid": "a-1", "title": "Call mum", "goal": None, "status": "open",
            "estimate_minutes": None, "due_on": None, "due_at": None, "done_at": None,
            "source": "cli", "raw_text": None, "tags": [],
            "created_at": "2026-11-26T18:00:00+00:00",
            "updated_at": "2026-11-26T18:00:00+00:00", **fields}


def _entry(**fields: object) -> dict[str, object]:
    return {"uid": "e-1", "text": "A walk.", "kind": "note", "goal": None, "mood": None,
            "energy": None, "source": "cli", "raw_text": None, "tags": [],
            "created_at": "2026-11-26T18:00:00+00:00",
            "updated_at": "2026-11-26T18:00:00+00:00", **fields}


def _minimal_export(goals: list[object] | None = None, actions: list[object] | None = None,
                    entries: list[object] | None = None,
                    header: dict[str, object] | None = None) -> str:
    """An export in the line layout (line 1 header, 2 "goals": [, then one record a line)."""
    head = {"format": "wise-journal", "version": 1,
            "exported_at": "2026-11-26T18:00:00+00:00", "app_version": "0.1.0", **(header or {})}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ","]
    sections = (("goals", goals or []), ("actions", actions or []), ("entries", entries or []))
    for index, (name, items) in enumerate(sections):
        lines.append(f'"{name}": [')
        lines += [json.dumps(item, ensure_ascii=False) + ("," if i < len(items) - 1 else "")
                  for i, item in enumerate(items)]
        lines.append("]}" if index == 2 else "],")
    return "\n".join(lines) + "\n"


# Valid records before the bad one: a partial import would show in the row counts.
GOOD_GOALS = [_goal(uid="g-1", slug="family"), _goal(uid="g-2", slug="health")]
GOOD_ACTIONS = [_action(uid="a-1", goal="g-1", tags=["new-tag"])]
# Line 1 header, 2 '"goals": [', 3-4 goals, 5 '],', 6 '"actions": [', 7 a-1, then:
ACTION_LINE = 8
# ... 8 '],', 9 '"entries": [', 10 e-1, then:
ENTRY_LINE = 11


def _broken_action(action: dict[str, object] | None = None, **fields: object) -> str:
    """An export whose second action (on ACTION_LINE) is `action`, or a-2 with `fields`."""
    return _minimal_export(goals=GOOD_GOALS,
                           actions=[*GOOD_ACTIONS, action or _action(**{"uid": "a-2", **fields})])


def _broken_entry(**fields: object) -> str:
    """An export whose second entry (on ENTRY_LINE) has these fields."""
    return _minimal_export(goals=GOOD_GOALS, actions=GOOD_ACTIONS,
                           entries=[_entry(uid="e-1"), _entry(**{"uid": "e-2", **fields})])


def _without(record: dict[str, object], name: str) -> dict[str, object]:
    return {key: value for key, value in record.items() if key != name}


A, E = f"line {ACTION_LINE}: action", f"line {ENTRY_LINE}: entry"

REJECTIONS: dict[str, tuple[str | bytes, str]] = {
    "not json": ("Dear diary,\nToday I wrote a text file.\n", "line 1: this is not valid JSON"),
    "empty": ("", "the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "sqlite database": (b"SQLite format 3\x00" + bytes(100), "SQLite database"),
    "utf-16": (("\ufeff" + _minimal_export()).encode("utf-16-le"), "UTF-16"),
    "not utf-8": (_broken_entry(text="MARK").encode().replace(b"MARK", b"caf\xe9"),
                  f"line {ENTRY_LINE}: the file is not UTF-8"),
    "json array": ("[1, 2, 3]\n", "not a Wise export"),
    "no header": (json.dumps({"goals": [], "actions": [], "entries": []}),
                  "not a Wise export: it has no 'format' field"),
    "other format": (_minimal_export(header={"format": "day-one"}),
                     "this is not a Wise export: its format is 'day-one'"),
    "newer version": (_minimal_export(header={"version": 5}),
                      "written by a newer Wise (format version 5; this Wise reads version 4);"
                      " update Wise"),
    "version 0": (_minimal_export(header={"version": 0}), "unknown format version 0"),
    "version as text": (_minimal_export(header={"version": "1"}), "no valid 'version'"),
    "missing list": (json.dumps({"format": "wise-journal", "version": 1, "goals": [],
                                 "actions": []}), "no 'entries' list"),
    "truncated": (_broken_entry()[:-40], "not valid JSON"),
    "trailing comma": (_broken_entry().replace("}\n]}", "},\n]}"), "not valid JSON"),
    "bad action status": (_broken_action(status="finished"),
                          f"{A} has status 'finished'; expected open, done or dropped"),
    "bad goal status": (_minimal_export(goals=[_goal(status="someday")]),
                        "line 3: goal has status 'someday'; expected active, paused, done "
                        "or archived"),
    "bad entry kind": (_broken_entry(kind="poem"), f"{E} has kind 'poem'; expected note"),
    "bad source": (_broken_entry(source="telepathy"), f"{E} has source 'telepathy'"),
    "missing field": (_broken_action(_without(_action(uid="a-2"), "status")),
                      f"{A} has no 'status' field"),
    "title not text": (_broken_action(title=42), f"{A} has title 42; expected text"),
    "title null": (_broken_action(title=None), f"{A} has title null; expected text"),
    "tags not a list": (_broken_entry(tags="work"), f"{E} has tags 'work'"),
    "empty tag": (_broken_entry(tags=[""]), f"{E} has tags"),
    "estimate zero": (_broken_action(estimate_minutes=0), f"{A} has estimate_minutes 0"),
    "estimate true": (_broken_action(estimate_minutes=True), f"{A} has estimate_minutes true"),
    "cadence too high": (_minimal_export(goals=[_goal(cadence_per_week=22)]),
                         "line 3: goal has cadence_per_week 22"),
    "empty slug": (_minimal_export(goals=[_goal(slug="")]), "line 3: goal has slug ''"),
    "long uid": (_broken_entry(uid="x" * 37), f"{E} has uid"),
    "bad timestamp": (_broken_entry(created_at="yesterday"),
                      f"{E} has created_at 'yesterday'; expected an ISO 8601 time "
                      "with its UTC offset"),
    "timestamp without offset": (_broken_action(done_at="2026-11-26T18:00:00"),
                                 f"{A} has done_at '2026-11-26T18:00:00'"),
    "timestamp as number": (_broken_action(updated_at=1764180000),
                            f"{A} has updated_at 1764180000"),
    "bad due day": (_broken_action(due_on="2026-02-30"),
                    f"{A} has due_on '2026-02-30'; expected a date"),
    "unknown goal": (_broken_action(goal="g-404"),
                     f"{A} refers to goal 'g-404', which is neither in this file "
                     "nor in the journal"),
    "mood out of range": (_broken_entry(mood=7),
                          f"{E} has mood 7; expected a whole number from 1 to 5 or null"),
    "energy out of range": (_broken_entry(energy=0), f"{E} has energy 0"),
    "mood as float": (_broken_entry(mood=2.5), f"{E} has mood 2.5"),
    "record not an object": (json.dumps({"format": "wise-journal", "version": 1, "goals": [],
                                         "actions": ["call mum"], "entries": []}),
                             ".actions[0]: expected a JSON object describing one action"),
    "duplicate uid": (_broken_entry(uid="e-1"), f"{E} 'e-1' appears twice"),
    "duplicate goal": (_minimal_export(goals=[_goal(), _goal()]),
                       "line 4: goal 'g-1' appears twice"),
    "problem in a pretty-printed file": (
        json.dumps(json.loads(_broken_action(status="finished")), indent=2),
        ".actions[1]: action has status 'finished'"),
}


@pytest.mark.parametrize("case", REJECTIONS)
def test_a_bad_file_is_rejected_whole_and_changes_nothing(new_journal, case: str) -> None:
    journal = new_journal("target")
    fill_rich(journal)  # a journal with something in it, to show it is left alone
    before = row_counts(journal)
    content, message = REJECTIONS[case]

    with pytest.raises(ImportRejected) as rejected:
        import_text(journal, content)

    assert message in str(rejected.value)
    assert row_counts(journal) == before


def test_the_good_records_before_a_bad_one_would_have_been_imported(new_journal) -> None:
    # Guard for the test above: without the bad record, the same files do add rows.
    journal = new_journal("target")
    before = row_counts(journal)

    import_text(journal, _broken_entry(text="fine"))

    assert row_counts(journal) != before


def test_a_later_problem_rolls_back_rows_already_written_in_earlier_batches(
        new_journal) -> None:
    journal = new_journal("target")
    entries = [_entry(uid=f"e-{i}") for i in range(2500)] + [_entry(uid="e-x", mood=9)]

    with pytest.raises(ImportRejected, match="line 2507: entry has mood 9"):
        import_text(journal, _minimal_export(entries=entries))

    assert row_counts(journal) == dict.fromkeys(TABLES, 0)


def test_a_uid_repeated_in_a_later_batch_is_caught(new_journal) -> None:
    journal = new_journal("target")
    entries = [_entry(uid=f"e-{i}") for i in range(1500)] + [_entry(uid="e-3")]

    with pytest.raises(ImportRejected, match="line 1507: entry 'e-3' appears twice"):
        import_text(journal, _minimal_export(entries=entries))


def test_unknown_fields_are_ignored(new_journal) -> None:
    journal = new_journal("target")
    export = _minimal_export(entries=[{**_entry(), "weather": "sunny"}],
                             header={"made_by": "a script"})

    assert import_text(journal, export) == TransferCounts(0, 0, 1)


# --- Streaming at size ----------------------------------------------------------------------

BULK = 20_000
# Well below what holding the rows takes: json.load of the export peaks far above it.
MEMORY_BOUND = 6 * 2**20


def _peak_of(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _fill_bulk(journal: Journal) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    padding = "walked, read, cooked; an ordinary good day " * 6
    with journal.write() as session:
        session.add(Goal(slug="family", title="Family", why="x"))
        session.add_all([Tag(name=f"tag-{i}") for i in range(10)])
        session.flush()
        connection = session.connection()
        for first in range(0, BULK, 1000):
            connection.execute(insert(Entry.__table__), [
                {"uid": f"00000000-0000-4000-8000-{i:012d}", "kind": "note", "source": "cli",
                 "text": ("zanzibarian " if i == 12_345 else "") + f"{padding}{i}",
                 "goal_id": 1 if i % 3 == 0 else None, "mood": i % 5 + 1, "energy": None,
                 "raw_text": None, "created_at": start + timedelta(minutes=i),
                 "updated_at": start + timedelta(minutes=i, seconds=1)}
                for i in range(first, first + 1000)])
            connection.execute(insert(entry_tags), [
                {"entry_id": i + 1, "tag_id": i // 2 % 10 + 1}
                for i in range(first, first + 1000, 2)])
            connection.execute(insert(Action.__table__), [
                {"uid": f"a-{i}", "title": f"step {i}", "status": "done", "source": "cli",
                 "created_at": start, "updated_at": start, "done_at": start}
                for i in range(first, first + 1000, 10)])
            connection.execute(insert(action_tags), [
                {"action_id": i // 10 + 1, "tag_id": 1} for i in range(first, first + 1000, 10)])


@pytest.fixture(scope="module")
def bulk_source(template_db: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[Journal]:
    journal = _open_copy(template_db, tmp_path_factory.mktemp("bulk"))
    _fill_bulk(journal)
    yield journal
    journal.close()


def test_twenty_thousand_entries_stream_both_ways_in_bounded_memory(
        bulk_source: Journal, new_journal, tmp_path: Path) -> None:
    source, target = bulk_source, new_journal("target")
    path = tmp_path / "export.json"
    counts: list[TransferCounts] = []

    def export() -> None:
        with open(path, "w", encoding="utf-8") as out:
            counts.append(export_json(source.db_path, out, exported_at=EXPORTED_AT,
                                      app_version="0"))

    def import_() -> None:
        with open(path, "rb") as source_file:
            counts.append(import_json(target.db_path, source_file))

    export_peak = _peak_of(export)
    import_peak = _peak_of(import_)

    assert counts == [TransferCounts(goals=1, actions=BULK // 10, entries=BULK)] * 2
    assert export_peak < MEMORY_BOUND
    assert import_peak < MEMORY_BOUND
    assert _peak_of(lambda: json.loads(path.read_bytes())) > MEMORY_BOUND, \
        "the bound must be low enough to catch an import that holds the whole file"
    assert row_counts(target) == row_counts(source)
    with target.read() as session:
        found = session.execute(text(
            "SELECT rowid FROM entries_fts WHERE entries_fts MATCH 'zanzibarian'")).all()
        assert len(found) == 1
        assert session.execute(select(Entry.uid).where(Entry.id == found[0].rowid)
                               ).scalar_one() == "00000000-0000-4000-8000-000000012345"


def test_timestamps_in_other_offsets_are_stored_as_utc(new_journal) -> None:
    journal = new_journal("target")
    export = _minimal_export(entries=[_entry(created_at="2026-11-26T19:00:00+01:00",
                                             updated_at="2026-11-26T18:00:00Z")])

    import_text(journal, export)

    with journal.read() as session:
        entry = session.execute(select(Entry)).scalar_one()
        assert entry.created_at == entry.updated_at == datetime(2026, 11, 26, 18, tzinfo=UTC)
    assert json.loads(export_text(journal))["entries"][0]["created_at"] == \
        "2026-11-26T18:00:00.000000+00:00"


def test_an_aware_exported_at_in_another_zone_is_written_in_utc(new_journal) -> None:
    paris = timezone(timedelta(hours=1))
    export = export_text(new_journal("empty"), exported_at=datetime(2026, 11, 26, 19,
                                                                     tzinfo=paris))

    assert json.loads(export)["exported_at"] == "2026-11-26T18:00:00.000000+00:00"


# --- The rituals' records (format version 2) --------------------------------------------------


def _v2_export(**sections: list[object]) -> str:
    """A version 2 export in the line layout, with these lists (the others empty)."""
    head = {"format": "wise-journal", "version": 2,
            "exported_at": "2026-11-26T18:00:00+00:00", "app_version": "0.2.0"}
    names = ("goals", "actions", "entries", *RITUAL_SECTIONS)
    lines = [json.dumps(head)[:-1] + ","]
    for index, name in enumerate(names):
        items = sections.get(name, [])
        lines.append(f'"{name}": [')
        lines += [json.dumps(item, ensure_ascii=False) + ("," if i < len(items) - 1 else "")
                  for i, item in enumerate(items)]
        lines.append("]}" if index == len(names) - 1 else "],")
    return "\n".join(lines) + "\n"


def _words(**fields: object) -> dict[str, object]:
    return {"day": "2026-11-26", "how_it_went": "Fine.", "in_the_way": "", "mood": 3,
            "energy": None, "created_at": "2026-11-26T21:00:00+00:00",
            "updated_at": "2026-11-26T21:00:00+00:00", **fields}


def _reflection(**fields: object) -> dict[str, object]:
    return {"uid": "r-1", "kind": "daily", "period": "2026-11-26", "prompt_name": None,
            "prompt_version": None, "model": None, "content": "A day.", "structured": None,
            "raw": None, "user_words": None, "created_at": "2026-11-26T21:00:00+00:00",
            "updated_at": "2026-11-26T21:00:00+00:00", **fields}


def _summary(**fields: object) -> dict[str, object]:
    return {"kind": "day", "period_start": "2026-11-25", "period_end": "2026-11-25",
            "content": "Quiet.", "source": "plain", "model": None, "prompt_version": "plain-1",
            "created_at": "2026-11-26T03:00:00+00:00", **fields}


def _nudge(**fields: object) -> dict[str, object]:
    return {"created_at": "2026-11-26T15:00:00+00:00", "action": None, "goal": None,
            "text": "A walk?", "style": "plain", "hour_bucket": 16, "reason": "",
            "source": "plain", "response": None, "responded_at": None, **fields}


def _feedback(**fields: object) -> dict[str, object]:
    return {"target_kind": "reflection", "target": "r-1", "rating": 1, "note": None,
            "created_at": "2026-11-26T22:00:00+00:00", **fields}


def _focus(**fields: object) -> dict[str, object]:
    return {"uid": "f-1", "action": None, "nudge": None, "title": "tidy the desk",
            "estimate_minutes": None, "started_at": "2026-11-26T09:00:00+00:00",
            "planned_seconds": 120, "paused_at": None, "paused_seconds": 0,
            "ended_at": None, "outcome": None, **fields}


def _v3_export(**sections: list[object]) -> str:
    head = {"format": "wise-journal", "version": 3,
            "exported_at": "2026-11-26T18:00:00+00:00", "app_version": "0.3.0"}
    document = {**head, **{name: sections.get(name, []) for name in
                           ("goals", "actions", "entries", *V3_SECTIONS)}}
    return json.dumps(document)


def test_a_version_2_file_still_imports_without_sessions(new_journal) -> None:
    journal = new_journal("target")
    counts = import_text(journal, _v2_export(nudges=[_nudge()]))
    assert counts == TransferCounts(0, 0, 0, nudges=1)


def test_a_running_session_in_the_file_never_makes_two_run(new_journal) -> None:
    journal = new_journal("target")
    assert import_text(journal, _v3_export(focus_sessions=[_focus()])) == TransferCounts(
        0, 0, 0, focus_sessions=1)
    counts = import_text(journal, _v3_export(focus_sessions=[_focus(uid="f-2")]))
    assert counts == TransferCounts(0, 0, 0, focus_sessions=1)
    with journal.read() as session:
        rows = session.execute(select(FocusSession.uid, FocusSession.outcome,
                                      FocusSession.ended_at).order_by(FocusSession.uid)).all()
    # The journal's own keeps running; the file's is kept, interrupted at its planned end.
    assert [(uid, outcome) for uid, outcome, _ in rows] == [("f-1", None),
                                                            ("f-2", "interrupted")]
    assert rows[1][2] == at("2026-11-26T09:02:00+00:00")


def test_a_session_with_an_end_but_no_outcome_is_refused(new_journal) -> None:
    journal = new_journal("target")
    with pytest.raises(ImportRejected, match="both an end and an outcome"):
        import_text(journal, _v3_export(
            focus_sessions=[_focus(ended_at="2026-11-26T09:05:00+00:00")]))


def test_a_version_1_file_still_imports(new_journal) -> None:
    journal = new_journal("target")
    export = _minimal_export(goals=[_goal()], actions=[_action(goal="g-1")],
                             entries=[_entry()])

    assert import_text(journal, export) == TransferCounts(1, 1, 1)
    assert import_text(journal, json.dumps(json.loads(export))) == NOTHING  # any layout


def test_a_version_2_goal_has_no_why_ladder_and_imports(new_journal) -> None:
    journal = new_journal("target")
    assert import_text(journal, _v2_export(goals=[_goal()])).goals == 1
    with journal.read() as session:
        assert session.execute(select(Goal.why_ladder)).scalar_one() is None


def test_a_why_ladder_travels_and_a_bad_one_is_refused(new_journal) -> None:
    journal = new_journal("target")
    ladder = ["to be there", "they matter", "love"]
    assert import_text(journal, _v2_export(goals=[_goal(why_ladder=ladder)])).goals == 1
    with journal.read() as session:
        assert json.loads(session.execute(select(Goal.why_ladder)).scalar_one()) == ladder
    for bad in (["a", "b", "c", "d"], "to be there", [1]):
        with pytest.raises(ImportRejected, match=r"why_ladder .*expected a list of at most 3"):
            import_text(new_journal(f"bad-{bad!r}"),
                        _v2_export(goals=[_goal(uid="g-2", slug="other", why_ladder=bad)]))


def test_a_deleted_summary_in_the_file_deletes_the_journals_one_too(new_journal) -> None:
    journal = new_journal("target")
    with journal.write() as session:
        session.add_all([
            Summary(kind="day", period_start=date(2026, 11, 25), period_end=date(2026, 11, 25),
                    content="Made here.", source="model", model="m"),
            Summary(kind="day", period_start=date(2026, 11, 24), period_end=date(2026, 11, 24),
                    content="", source="deleted")])
    export = _v2_export(summaries=[
        _summary(source="deleted", content="left-over text", prompt_version=None),
        _summary(period_start="2026-11-24", period_end="2026-11-24", content="Back?")])

    counts = import_text(journal, export)
    again = import_text(journal, export)

    assert counts == again == NOTHING  # nothing new; one summary deleted
    with journal.read() as session:
        rows = session.execute(select(Summary.period_start, Summary.content, Summary.source)
                               .order_by(Summary.period_start)).all()
    # The user's deletion holds both ways: a live summary in a file does not revive it.
    assert [tuple(row) for row in rows] == [(date(2026, 11, 24), "", "deleted"),
                                            (date(2026, 11, 25), "", "deleted")]


def test_ritual_records_already_in_the_journal_are_kept_as_they_are(new_journal) -> None:
    journal = new_journal("target")
    with journal.write() as session:
        session.add(DayWords(day=date(2026, 11, 26), how_it_went="My own words."))
    export = _v2_export(day_words=[_words(), _words(day="2026-11-27")],
                        reflections=[_reflection()], feedback=[_feedback()])

    counts = import_text(journal, export)

    assert (counts.day_words, counts.reflections, counts.feedback) == (1, 1, 1)
    with journal.read() as session:
        assert session.execute(select(DayWords.how_it_went).where(
            DayWords.day == date(2026, 11, 26))).scalar_one() == "My own words."
        reflection_id = session.execute(select(Reflection.id)).scalar_one()
        assert session.execute(select(Feedback.target_id)).scalar_one() == reflection_id


def test_references_resolve_to_rows_already_in_the_journal(new_journal) -> None:
    journal = new_journal("target")
    with journal.write() as session:
        session.add(Action(title="Call mum", uid="a-1"))
    shown_at = "2026-11-26T15:00:00+00:00"
    export = _v2_export(
        nudges=[_nudge(action="a-1", created_at=shown_at)],
        feedback=[_feedback(target_kind="nudge",
                            target={"created_at": "2026-11-26T16:00:00+01:00",
                                    "action": "a-1"})])

    assert (import_text(journal, export).feedback, import_text(journal, export)) == (1, NOTHING)
    with journal.read() as session:
        nudge = session.execute(select(Nudge)).scalar_one()
        assert nudge.action_id == 1
        assert session.execute(select(Feedback.target_id)).scalar_one() == nudge.id


V2_REJECTIONS: dict[str, tuple[str, str]] = {
    # (Keys not in fill_rich's journal: a key already there is skipped, not written.)
    "words twice": (_v2_export(day_words=[_words(day="2026-12-01"), _words(day="2026-12-01")]),
                    "line 10: day words '2026-12-01' appears twice in the file"),
    "words mood": (_v2_export(day_words=[_words(mood=6)]),
                   "line 9: day words has mood 6; expected a whole number from 1 to 5"),
    "reflection twice": (_v2_export(reflections=[_reflection(), _reflection()]),
                         "reflection 'r-1' appears twice"),
    "reflection period": (_v2_export(reflections=[_reflection(period="soon")]),
                          "reflection has period 'soon'"),
    "summary kind": (_v2_export(summaries=[_summary(kind="year")]),
                     "summary has kind 'year'; expected day, week or month"),
    "summary source": (_v2_export(summaries=[_summary(source="guess")]),
                       "summary has source 'guess'; expected model, plain or deleted"),
    "summary twice": (_v2_export(summaries=[_summary(period_start="2026-12-01",
                                                     period_end="2026-12-01")] * 2),
                      "summary (day, 2026-12-01) appears twice"),
    "summary backwards": (_v2_export(summaries=[_summary(period_end="2026-11-24")]),
                          "summary (day, 2026-11-25) ends on 2026-11-24, before it starts"),
    "nudge style": (_v2_export(nudges=[_nudge(style="gentle")]),
                    "nudge has style 'gentle'; expected plain, why_first, tiny_step or "
                    "question"),
    "reflection kind": (_v2_export(reflections=[_reflection(kind="weekly")]),
                        "reflection has kind 'weekly'; expected daily"),
    "nudge hour": (_v2_export(nudges=[_nudge(hour_bucket=24)]), "nudge has hour_bucket 24"),
    "nudge response": (_v2_export(nudges=[_nudge(response="maybe")]),
                       "nudge has response 'maybe'"),
    "nudge unknown action": (_v2_export(nudges=[_nudge(action="a-404")]),
                             "nudge refers to action 'a-404', which is neither in this file"),
    "nudge twice": (_v2_export(nudges=[_nudge(), _nudge()]), "appears twice in the file"),
    "feedback unknown reflection": (_v2_export(feedback=[_feedback(target="r-404")]),
                                    "feedback refers to reflection 'r-404', which is neither"),
    "feedback unknown nudge": (
        _v2_export(feedback=[_feedback(target_kind="nudge", target={
            "created_at": "2026-11-26T15:00:00+00:00", "action": None})]),
        "feedback refers to the nudge shown 2026-11-26T15:00:00+00:00, which is neither"),
    "feedback kind and target disagree": (
        _v2_export(reflections=[_reflection()],
                   feedback=[_feedback(target_kind="nudge", target="r-1")]),
        "feedback on a nudge names it by its key"),
    "feedback target by row id": (_v2_export(feedback=[_feedback(target=3)]),
                                  "feedback has target 3; expected a reflection's uid"),
    "feedback rating": (_v2_export(reflections=[_reflection()],
                                   feedback=[_feedback(rating=5)]),
                        "feedback has rating 5; expected -1, 0 or 1"),
    "a version 2 file without the new lists": (
        json.dumps({"format": "wise-journal", "version": 2, "goals": [], "actions": [],
                    "entries": []}), "no 'day_words' list"),
}


@pytest.mark.parametrize("case", V2_REJECTIONS)
def test_a_bad_ritual_record_is_rejected_whole(new_journal, case: str) -> None:
    journal = new_journal("target")
    fill_rich(journal)
    before = row_counts(journal)
    content, message = V2_REJECTIONS[case]

    with pytest.raises(ImportRejected) as rejected:
        import_text(journal, content)

    assert message in str(rejected.value)
    assert row_counts(journal) == before
