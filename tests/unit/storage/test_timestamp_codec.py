"""One timestamp codec (storage.timeutil) for every year a datetime holds, through the sqlite3
paths and the ORM alike; the doctor's check and repair of stored times; day bounds at the
edges of the calendar."""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from storage.engine import Journal
from storage.models import Action
from storage.timestamp_check import find_misstored, repair, time_columns
from storage.timeutil import from_db, is_canonical, journal_day_bounds, to_db

STORED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
EDGE_ZONES = [timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)), UTC]


def test_every_year_round_trips_in_the_one_stored_form() -> None:
    for year in range(1, 10000):
        for moment in (datetime(year, 1, 1, tzinfo=UTC),
                       datetime(year, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)):
            text = to_db(moment)
            assert STORED.fullmatch(text), text
            assert from_db(text) == moment
            assert is_canonical(text)


def test_stored_text_sorts_as_the_moments_do() -> None:
    rng = random.Random(7)
    moments = [datetime.min.replace(tzinfo=UTC) + timedelta(seconds=rng.randrange(315_000_000_000))
               for _ in range(2000)]
    assert sorted(moments, key=to_db) == sorted(moments)


def test_unpadded_years_written_by_an_older_wise_are_still_read() -> None:
    assert from_db("226-12-01 09:30:00.000000") == datetime(226, 12, 1, 9, 30, tzinfo=UTC)
    assert from_db("7-01-02 03:04:05.000006") == datetime(7, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert not is_canonical("226-12-01 09:30:00.000000")
    for garbage in ("", "yesterday", "2026-02-30 10:00:00.000000", "12345-01-01 00:00:00"):
        with pytest.raises(ValueError, match="is not a moment as Wise stores them"):
            from_db(garbage)


def test_a_moment_outside_the_calendar_in_utc_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="outside the years 1-9999"):
        to_db(datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))))
    with pytest.raises(ValueError, match="naive"):
        to_db(datetime(2026, 1, 1))


@pytest.mark.parametrize("year", [1, 9, 99, 226, 999, 1000, 2026, 9999])
def test_the_orm_and_the_sqlite3_paths_store_and_read_every_year_alike(
        journal: Journal, year: int) -> None:
    due = datetime(year, 6, 1, 9, 30, 0, 123456, tzinfo=UTC)
    with journal.write() as session:
        session.add(Action(title="t", due_at=due, due_on=due.date()))
    conn = sqlite3.connect(journal.db_path)
    stored, = conn.execute("SELECT due_at FROM actions").fetchone()
    conn.close()
    assert stored == to_db(due)
    with journal.read() as session:
        assert session.scalar(select(Action.due_at)) == due
        # A query's bound value goes through the same codec: the comparison is exact.
        assert session.scalar(select(Action.id).where(Action.due_at == due)) is not None


def test_the_orm_reads_what_an_older_wise_stored(journal: Journal) -> None:
    conn = sqlite3.connect(journal.db_path)
    conn.execute("INSERT INTO actions (uid, title, status, due_at, source, created_at, "
                 "updated_at) VALUES ('u1', 'call the bank', 'open', "
                 "'226-12-01 09:30:00.000000', 'capture', ?, ?)",
                 (to_db(datetime(2026, 11, 26, tzinfo=UTC)),) * 2)
    conn.commit()
    conn.close()
    with journal.read() as session:
        assert session.scalar(select(Action.due_at)) == datetime(226, 12, 1, 9, 30, tzinfo=UTC)


def test_the_doctor_checks_every_time_column_of_the_models_and_repairs(journal: Journal) -> None:
    conn = sqlite3.connect(journal.db_path, isolation_level=None)
    columns = time_columns(conn)
    assert ("actions", "due_at", True) in columns and ("actions", "due_on", False) in columns
    assert ("day_words", "day", False) in columns and ("nudges", "created_at", True) in columns
    # Read from the file's schema, they are the models' moments and days, no more, no less.
    assert sorted(columns) == sorted(_model_time_columns())
    good = to_db(datetime(2026, 11, 26, tzinfo=UTC))
    rows = [("a", "226-12-01 09:30:00.000000", "0226-12-01"),  # legacy year: repairable
            ("b", "2026-02-30 10:00:00.000000", "226-12-02"),  # no such day; legacy day
            ("c", good, "2026-11-26"),                          # all well
            ("d", "soon", None)]                                # cannot be read at all
    for uid, due_at, due_on in rows:
        conn.execute("INSERT INTO actions (uid, title, status, due_at, due_on, source, "
                     "created_at, updated_at) VALUES (?, 't', 'open', ?, ?, 'cli', ?, ?)",
                     (uid, due_at, due_on, good, good))
    found = {(v.column, v.value): v.repaired for v in find_misstored(conn)}
    assert found == {("due_at", "226-12-01 09:30:00.000000"): "0226-12-01 09:30:00.000000",
                     ("due_on", "226-12-02"): "0226-12-02",
                     ("due_at", "2026-02-30 10:00:00.000000"): None,
                     ("due_at", "soon"): None}
    rewritten, unreadable = repair(conn)
    assert rewritten == 2 and len(unreadable) == 2
    assert {v.value for v in find_misstored(conn)} == {"2026-02-30 10:00:00.000000", "soon"}
    conn.close()


@pytest.mark.parametrize("zone", EDGE_ZONES, ids=str)
@pytest.mark.parametrize("day", [date.min, date(1, 1, 2), date(9999, 12, 30), date.max])
def test_day_bounds_at_the_edges_of_the_calendar(day: date, zone: timezone) -> None:
    start, end = journal_day_bounds(day, 4, zone)
    assert start < end
    assert start.tzinfo is UTC and end.tzinfo is UTC


def _model_time_columns() -> list[tuple[str, str, bool]]:
    from sqlalchemy import Date

    from storage.models import Base, UTCDateTime

    return [(table.name, column.name, isinstance(column.type, UTCDateTime))
            for table in Base.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, UTCDateTime | Date)]
