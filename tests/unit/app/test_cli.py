"""The `wise` commands, run in-process against a real journal in WISE_HOME."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from app import __version__
from app.cli.main import main


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def run_json(cli, *args: str):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_version(cli, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"wise {__version__}"


def test_no_arguments_prints_help_for_now(cli) -> None:
    code, out, _ = cli()
    assert code == 0 and "capture" in out and "doctor" in out


def test_goal_lifecycle(cli) -> None:
    goal = run_json(cli, "goals", "add", "Learn Spanish", "--why", "talk with my in-laws",
                    "--cadence", "3")
    assert (goal["slug"], goal["status"], goal["cadence_per_week"]) == ("learn-spanish",
                                                                        "active", 3)
    code, _, err = cli("goals", "add", "learn spanish")
    assert code == 2 and "#learn-spanish" in err
    for verb, status in (("pause", "paused"), ("resume", "active"), ("done", "done"),
                         ("archive", "archived")):
        assert run_json(cli, "goals", verb, "learn-spanish")["status"] == status
    assert run_json(cli, "goals", "list") == []
    assert [g["slug"] for g in run_json(cli, "goals", "list", "--all")] == ["learn-spanish"]
    code, _, err = cli("goals", "pause", "nope")
    assert code == 2 and "no goal" in err


def test_a_goal_added_twice_is_refused_offering_the_one_there_is(cli) -> None:
    """One rule with the review window (storage.repo.goals.GoalTagTaken): never a #run-2
    that would split the captures between two goals."""
    first = run_json(cli, "goals", "add", "Run")
    cli("goals", "pause", "run")
    code, out, err = cli("goals", "add", "  run ")
    assert code == 2 and out == ""
    assert "you have this goal already: Run (#run, paused)" in err
    assert f"it is goal {first['id']}; `wise goals resume run` picks it up again" in err
    assert [g["slug"] for g in run_json(cli, "goals", "list", "--all")] == ["run"]
    # Another tag, given on purpose, is a second goal.
    assert run_json(cli, "goals", "add", "Run", "--slug", "run-trail")["slug"] == "run-trail"


def test_goal_list_counts_activity(cli) -> None:
    cli("goals", "add", "Health", "--why", "energy for the kids")
    cli("capture", "+ walked ~20m #health")
    cli("capture", "[ ] book a check-up #health")
    [health] = run_json(cli, "goals")
    assert (health["open_actions"], health["done_last_7_days"]) == (1, 1)
    assert health["last_activity"] is not None
    _, out, _ = cli("goals")
    assert "why: energy for the kids" in out and "1 open, 1 done this week" in out


def test_capture_then_today_then_done(cli) -> None:
    cli("goals", "add", "Family", "--why", "I want to be there for them")
    saved = run_json(cli, "capture", "call mum about the trip #family tomorrow")
    assert (saved["kind"], saved["goal"], saved["text"]) == ("todo", "family",
                                                             "call mum about the trip")
    run_json(cli, "capture", "felt calm after the walk")
    today = run_json(cli, "today")
    assert [a["title"] for a in today["captured"]] == ["call mum about the trip"]
    assert [n["text"] for n in today["notes"]] == ["felt calm after the walk"]
    assert today["wins"] == []
    _, out, _ = cli("today")
    assert "call mum about the trip" in out and "due tomorrow" in out and "#family" in out
    done = run_json(cli, "actions", "done", str(saved["id"]))
    assert done["status"] == "done" and done["done_at"]
    assert [a["title"] for a in run_json(cli, "today")["wins"]] == ["call mum about the trip"]
    assert run_json(cli, "actions", "list") == []


def test_actions_list_filters_and_drop(cli) -> None:
    cli("goals", "add", "Home")
    a = run_json(cli, "capture", "[ ] fix the tap #home")
    run_json(cli, "capture", "[ ] renew passport")
    assert len(run_json(cli, "actions", "list")) == 2
    assert [x["title"] for x in run_json(cli, "actions", "list", "--goal", "home")] == [
        "fix the tap"]
    assert run_json(cli, "actions", "drop", str(a["id"]))["status"] == "dropped"
    assert [x["title"] for x in run_json(cli, "actions", "list", "--status", "dropped")] == [
        "fix the tap"]
    code, _, err = cli("actions", "done", "999")
    assert code == 2 and "no action 999" in err


def test_search(cli) -> None:
    cli("capture", "called mum about the trip")
    cli("capture", "[ ] buy stamps")
    hits = run_json(cli, "search", "mum")
    assert [(h["kind"], h["snippet"]) for h in hits] == [("entry", "called [mum] about the trip")]
    code, out, _ = cli("search", "zebra")
    assert code == 0 and "Nothing found" in out


def test_config_commands(cli, wise_home: Path) -> None:
    assert run_json(cli, "config", "get", "day.start_hour") == {"key": "day.start_hour",
                                                               "value": 4}
    run_json(cli, "config", "set", "day.start_hour", "6")
    assert run_json(cli, "config", "get", "day.start_hour")["value"] == 6
    listing = run_json(cli, "config", "list")
    assert {o["key"] for o in listing} >= {"day.start_hour", "llm.model"}
    code, _, err = cli("config", "set", "day.start_hour", "31")
    assert code == 2 and err.startswith("wise: day.start_hour must be between")
    code, out, _ = cli("config", "path")
    assert out.strip() == str(wise_home / "settings.toml")


def test_json_flag_before_or_after_the_command(cli) -> None:
    _, out, _ = cli("--json", "capture", "a note")
    assert json.loads(out)["kind"] == "note"
    _, out, _ = cli("goals", "list", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize("args", [["frobnicate"], ["capture", "--nope", "x"],
                                  ["actions", "done", "abc"], ["export", "--format", "pdf"],
                                  ["search", "x", "--limit", "0"]])
def test_usage_errors_are_one_line_and_exit_2(cli, args) -> None:
    code, _, err = cli(*args)
    assert code == 2
    assert err.startswith("wise: ") and err.count("\n") == 1


def test_doctor_on_a_fresh_home_is_healthy(cli) -> None:
    cli("capture", "hello")
    report = run_json(cli, "doctor")
    assert report["healthy"] is True
    names = {c["name"]: c["status"] for c in report["checks"]}
    assert names["journal integrity"] == "ok"
    assert names["full-text search"] == "ok"
    assert names["schema"] == "ok"
    assert "keyring" in names


def test_doctor_reports_what_the_upgrade_repaired(cli, wise_home: Path) -> None:
    """A journal of schema 0010 with values Wise does not know: the upgrade repairs them,
    and doctor says what became of them (a warning when rows had to be removed)."""
    import sqlite3

    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "journals"
    db = wise_home / "wise.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript((fixtures / "0010_focus.sql").read_text(encoding="utf-8"))
    conn.execute("UPDATE nudges SET style = 'gentle'")
    conn.commit()
    conn.close()
    db.chmod(0o600)
    before = {c["name"]: c["status"] for c in run_json(cli, "doctor")["checks"]}
    assert before["schema"] == "warning" and "values" not in before  # not migrated yet
    cli("capture", "hello")  # any command migrates, after a backup
    checks = {c["name"]: c for c in run_json(cli, "doctor")["checks"]}
    assert checks["values"]["status"] == "ok"
    assert "2 nudges with style 'gentle' (now plain)" in checks["values"]["detail"]


def test_backup_command(cli, wise_home: Path) -> None:
    cli("capture", "keep me")
    result = run_json(cli, "backup")
    assert Path(result["backup"]).parent == wise_home / "backups"


def test_a_day_that_does_not_exist_is_named_as_such(cli) -> None:
    code, _, err = cli("today", "--date", "2026-13-01")
    assert code == 2 and "2026-13-01 does not exist: there is no month 13" in err
    code, _, err = cli("reflect", "--dry-run", "--date", "2026-02-30")
    assert code == 2 and "2026-02-30 does not exist: February 2026 has 28 days" in err
    code, _, err = cli("today", "--date", "next week")
    assert code == 2 and "or today, yesterday or tomorrow" in err and "Traceback" not in err


def test_today_yesterday_and_tomorrow_are_days(cli) -> None:
    days = {word: date.fromisoformat(run_json(cli, "today", "--date", word)["day"])
            for word in ("yesterday", "today", "Tomorrow")}
    assert days["today"] - days["yesterday"] == days["Tomorrow"] - days["today"] == timedelta(1)
    assert run_json(cli, "today")["day"] == days["today"].isoformat()
    plan = run_json(cli, "reflect", "--dry-run", "--date", "yesterday")
    assert plan["day"] == days["yesterday"].isoformat()


def test_prose_days_are_not_zero_padded(cli) -> None:
    _, out, _ = cli("today", "--date", "2024-12-05")
    assert out.startswith("Thursday 5 December 2024\n")
    _, out, _ = cli("reflect", "--dry-run", "--date", "2024-02-29")
    assert "It is the end of Thursday 29 February 2024." in out


def test_search_finds_what_is_tagged_or_belongs_to_a_goal(cli) -> None:
    cli("capture", "[ ] call dad about christmas #family")  # before the goal: a tag
    cli("goals", "add", "Family")
    cli("capture", "+ dinner with the kids #family #happy")  # a link to the goal
    cli("capture", "a quiet walk")
    for query in ("family", "#family", "famil"):
        hits = run_json(cli, "search", query)
        assert sorted(h["snippet"] for h in hits) == ["call dad about christmas",
                                                      "dinner with the kids"], query
    [hit] = run_json(cli, "search", "#happy")
    assert (hit["goal"], hit["tags"]) == ("family", ["happy"])
    _, out, _ = cli("search", "kids")
    assert "dinner with the [kids]  #family #happy" in out


def test_doctor_sees_a_search_index_missing_an_item(cli, wise_home: Path) -> None:
    from tests.helpers import sql

    cli("capture", "hello")
    cli("capture", "[ ] and a step")
    sql(wise_home, "DELETE FROM actions_fts")  # as if a write had bypassed the triggers
    code, out, _ = cli("doctor", "--json")
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert code == 1 and checks["search index"]["status"] == "problem"
    assert "actions and their index differ" in checks["search index"]["detail"]


def test_a_captured_step_its_goal_has_open_says_so(cli) -> None:
    cli("goals", "add", "Family")
    cli("capture", "[ ] call dad about Christmas #family")
    code, out, _ = cli("capture", "[ ] Call dad about christmas. #family tomorrow")
    assert code == 0
    assert out.startswith("Already open as to-do 1: Call dad about christmas. (goal Family, "
                          "due tomorrow); not added twice.")
    [step] = run_json(cli, "actions", "list")
    assert (step["id"], step["title"], step["due_on"] is not None) == (
        1, "call dad about Christmas", True)


def test_a_new_goal_says_how_many_earlier_items_carry_its_tag(cli) -> None:
    cli("capture", "[ ] call mum about the trip #family")
    cli("capture", "dinner with the kids #family #happy")
    cli("capture", "[ ] something else #work")
    code, out, _ = cli("goals", "add", "Family")
    assert code == 0 and ("2 earlier items carry #family (1 to-do and 1 note) and belong to "
                          "no goal. Link them to Family: wise goals link family") in out
    assert run_json(cli, "search", "#family")[0]["goal"] is None  # still a plain tag
    code, out, _ = cli("goals", "link", "family")
    assert code == 0 and out.splitlines() == [
        "Linked 1 to-do and 1 note carrying #family to Family:",
        "  to-do 1: call mum about the trip", "  note 1: dinner with the kids"]
    hits = run_json(cli, "search", "#family")
    assert [(h["goal"], h["tags"]) for h in hits] == [("family", ["happy"]),
                                                      ("family", [])]
    assert "Nothing to link" in cli("goals", "link", "family")[1]
    added = run_json(cli, "goals", "add", "Work", "--link")
    assert [(i["kind"], i["text"]) for i in added["linked"]] == [("to-do", "something else")]
