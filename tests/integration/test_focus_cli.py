"""`wise focus ...` and `wise today` through the real command, on a real journal."""

from __future__ import annotations


def test_start_extend_done_and_today_shows_the_time(wise) -> None:
    assert wise("capture", "[ ] write the intro ~10m").code == 0
    started = wise("focus", "start", "1", "--json")
    assert started.code == 0, started.err
    data = started.json()
    assert data["session"]["planned_seconds"] == 600 and data["left_seconds"] > 590
    assert "10 min left" in wise("focus", "status").out
    assert wise("focus", "start", "something else").code == 2  # one at a time, said clearly
    assert wise("focus", "pause").code == 0
    assert wise("focus", "status", "--json").json()["paused"] is True
    assert wise("focus", "resume").code == 0
    extended = wise("focus", "extend", "5", "--json").json()
    assert extended["session"]["planned_seconds"] == 900
    done = wise("focus", "done")
    assert done.code == 0 and "Ticked off" in done.out
    again = wise("focus", "done", "--json")
    assert again.code == 1 and again.json()["session"] is None
    today = wise("today", "--json").json()
    assert [s["title"] for s in today["focus"]["steps"]] == ["write the intro"]
    assert [a["title"] for a in today["wins"]] == ["write the intro"]
    assert "Time given" in wise("today").out


def test_starting_by_words_makes_a_step_and_bad_lengths_are_refused(wise) -> None:
    refused = wise("focus", "start", "call", "the", "bank", "--minutes", "0")
    assert refused.code == 2 and "minutes" in refused.err
    assert wise("focus", "status", "--json").json() == {"session": None}
    started = wise("focus", "start", "call", "the", "bank", "--json").json()
    assert started["session"]["title"] == "call the bank"
    assert started["session"]["planned_seconds"] == 120  # "just start": two minutes
    assert wise("focus", "stop").code == 0


def test_calibration_says_how_long_done_steps_really_took(wise, wise_home) -> None:
    import sqlite3

    assert "Not enough timed steps" in wise("focus", "calibration").out
    for number in range(3):
        assert wise("capture", f"[ ] step {number} ~10m").code == 0
    conn = sqlite3.connect(wise_home / "wise.db")
    for action_id, minutes in ((1, 12), (2, 18), (3, 30)):
        conn.execute(
            "INSERT INTO focus_sessions (uid, action_id, title, estimate_minutes, started_at, "
            "planned_seconds, paused_seconds, ended_at, outcome) VALUES (?, ?, 'x', 10, "
            "'2026-12-01 09:00:00.000000', 600, 0, ?, 'done')",
            (f"u{action_id}", action_id, f"2026-12-01 09:{minutes:02d}:00.000000"))
    conn.commit()
    conn.close()
    found = wise("focus", "calibration", "--json").json()["calibration"]
    assert found == [{"estimate_from": 6, "estimate_to": 15, "typical_guess": 10,
                      "typical_minutes": 18, "sessions": 3}]
    assert "Your ~10 min steps take about 18" in wise("focus", "calibration").out


def test_a_nudge_answered_started_from_the_cli_starts_a_session(wise, wise_home) -> None:
    import sqlite3

    from storage.migrate import ensure_schema
    from storage.ritual_writes import RitualWriter

    ensure_schema(wise_home / "wise.db", wise_home / "backups", keep_backups=1)
    writer = RitualWriter(wise_home / "wise.db")
    writer.add_actions([("water the plants", 10)], goal_id=None)
    writer.close()
    conn = sqlite3.connect(wise_home / "wise.db")
    nudge = conn.execute(
        "INSERT INTO nudges (created_at, action_id, text, style, hour_bucket, reason, source) "
        "VALUES ('2026-12-04 09:00:00.000000', 1, 'Two minutes?', 'plain', 9, 'due', "
        "'plain')").lastrowid
    conn.commit()
    answered = wise("nudge", "--respond", str(nudge), "started", "--json")
    assert answered.code == 0, answered.err
    data = answered.json()
    assert (data["response"], data["session"]["action_id"], data["session"]["nudge_id"],
            data["session"]["planned_seconds"]) == ("started", 1, nudge, 120)
    assert conn.execute("SELECT response FROM nudges").fetchone() == ("started",)
    assert conn.execute("SELECT count(*) FROM focus_sessions WHERE ended_at IS NULL"
                        ).fetchone() == (1,)
    conn.close()
    again = wise("nudge", "--respond", str(nudge), "started")
    assert again.code == 2 and "already running" in again.err and "not answered" in again.err
