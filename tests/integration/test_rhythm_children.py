"""The work the tray hands to child processes (so that it never loads SQLAlchemy itself):
`wise nudge --tick [--busy]`, `wise nudge --respond ID RESPONSE`, `wise maintenance`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from storage.clock import local_now, utc_now


@pytest.fixture
def active_now(wise) -> None:
    """Only this hour and the next are active: with the daily cap of 4 both are in the
    day's plan whatever the learner's seeded draws say, so a tick now may nudge (with all
    24 hours active, whether this hour is among today's four depends on the date)."""
    hour = local_now().hour
    assert wise("config", "set", "nudges.quiet_start", f"{(hour + 2) % 24:02d}:00").code == 0
    assert wise("config", "set", "nudges.quiet_end", f"{hour:02d}:00").code == 0


def test_tick_records_a_nudge_and_respond_answers_it(wise, active_now) -> None:
    assert wise("capture", "call mum tomorrow").code == 0
    busy = wise("nudge", "--tick", "--busy", "--json")
    assert busy.code == 0, busy.err
    assert busy.json()["nudge_id"] is None and busy.json()["reason"]

    tick = wise("nudge", "--tick", "--json")
    assert tick.code == 0, tick.err
    data = tick.json()
    assert set(data) == {"nudge_id", "title", "text", "reason", "action_id", "goal_id"}
    assert isinstance(data["action_id"], int) and data["goal_id"] is None  # no #goal given
    assert isinstance(data["nudge_id"], int) and data["title"] == "call mum" and data["text"]

    again = wise("nudge", "--tick", "--json").json()
    assert again["nudge_id"] is None  # the gap between nudges holds

    done = wise("nudge", "--respond", str(data["nudge_id"]), "done", "--json")
    assert done.code == 0, done.err
    assert done.json()["recorded"] is True and done.json()["action_done"] is True
    assert wise("nudge", "--respond", str(data["nudge_id"]), "maybe").code == 2
    assert wise("nudge", "--respond", "x", "done").code == 2


def test_maintenance_runs_the_nightly_work(wise, wise_home: Path) -> None:
    result = wise("maintenance", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert Path(data["backup"]).parent == wise_home / "backups"
    assert data["fts_optimized"] is True


def test_the_tray_helper_runs_wise_and_reads_its_json(wise_home: Path, monkeypatch) -> None:
    from ui.children import ChildFailed, run_wise

    monkeypatch.setenv("WISE_HOME", str(wise_home))
    assert run_wise("nudge", "--tick", "--busy", timeout=60)["nudge_id"] is None
    with pytest.raises(ChildFailed, match="exit 2"):
        run_wise("nudge", "--respond", "x", "done", timeout=60)


def _answers_at_ten(db: Path, days: int = 8) -> None:
    """Nudges at 10 am that led to a step and at 3 pm that were let pass, one each a day."""
    import sqlite3
    from datetime import timedelta

    now = utc_now().replace(tzinfo=None)
    rows = [((now - timedelta(days=day)).strftime("%Y-%m-%d %H:%M:%S.%f"), "A small step",
             "plain", hour, "due today", "plain", response)
            for day in range(1, days + 1) for hour, response in ((10, "done"), (15, "ignored"))]
    with sqlite3.connect(db) as conn:
        conn.executemany("INSERT INTO nudges (created_at, text, style, hour_bucket, reason, "
                         "source, response) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.close()


def test_learned_says_what_was_learned_and_reset_forgets_it(wise, wise_home: Path) -> None:
    fresh = wise("nudge", "--learned", "--json")
    assert fresh.code == 0, fresh.err
    data = fresh.json()
    assert data["answers"] == 0 and data["since"] is None
    assert data["description"].startswith("Not enough to go on yet")

    _answers_at_ten(wise_home / "wise.db")
    learned = wise("nudge", "--learned", "--json").json()
    assert learned["answers"] == 16
    assert "You act on nudges most around 10–11 am." in learned["description"]
    assert learned["favourite_hour"] == 10 and set(learned["hours"]) == {"10", "15"}
    words = wise("nudge", "--learned")
    assert words.code == 0 and words.out.strip() == learned["description"]

    reset = wise("nudge", "--reset-learning", "--json")
    assert reset.code == 0, reset.err
    assert reset.json()["reset"] is True
    since = datetime.fromisoformat(reset.json()["since"])
    assert since.tzinfo is not None and abs(since - local_now()).seconds < 60

    after = wise("nudge", "--learned", "--json").json()
    assert after["answers"] == 0 and after["description"].startswith("Not enough")
    assert after["since"] is not None
    assert "since" in wise("nudge", "--learned").out  # the words say when it was reset
    # The rows themselves are kept: only the learner forgets them.
    import sqlite3

    with sqlite3.connect(wise_home / "wise.db") as conn:
        assert conn.execute("SELECT count(*) FROM nudges").fetchone()[0] == 16
    conn.close()


def test_learned_and_reset_refuse_to_mix_with_other_work(wise) -> None:
    both = wise("nudge", "--learned", "--reset-learning")
    assert both.code == 2 and "one of" in both.err
    assert wise("nudge", "--learned", "--tick").code == 2
