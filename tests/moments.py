"""The suite at any hour: run tests as if it were another moment, in another time zone.

    pytest --as-of "2026-03-29 03:30" --tz Europe/Berlin   # the time-sensitive tests
    pytest tests/ui --as-of "2027-01-01 00:30"             # or the ones you name
    python -m tests.moments                                # at every moment below (CI)

`--tz` sets TZ (and `time.tzset()`) before any test module is imported; `--as-of` sets
WISE_CLOCK_SHIFT (see storage/clock.py) afresh at the start of every test, so each test
starts at that local moment and its time runs on from there, in this process and in every
`wise` child or tray it starts. Sleeps, timeouts and APScheduler's waits stay real.
Without a path, `--as-of` runs the tests in TIME_SENSITIVE; give paths to run others.

A test that needs one fixed moment of its own uses `clock_at` (below) instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zoneinfo
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.clock import SHIFT_ENV

ROOT = Path(__file__).resolve().parent.parent

# The tests whose outcome once depended on the hour, weekday or date they ran at, and
# those that check what Wise does with "now" (the journal day, today and tomorrow, due
# dates, schedules, nudges, summaries, the month's budget) through the real clock: a
# module, or one test in it ("path::name", every parametrization). `make test-hours` runs
# them at every moment in MOMENTS. A new test about days or times belongs here. (Tests
# that pass their own fixed moment to pure functions need not be here: no hour reaches
# them.)
TIME_SENSITIVE = (
    # The clock and the journal day themselves.
    "tests/unit/storage/test_clock.py",
    "tests/unit/app/test_daytime.py",
    "tests/integration/test_clock_shift.py",
    # Capture ("tomorrow", "tonight"), today, goals "this week", in-process and as `wise`.
    "tests/unit/app/test_cli.py",
    "tests/integration/test_new_user.py",
    "tests/ui/test_capture_window.py::test_the_preview_follows_the_typing",
    "tests/integration/test_tray_process.py::test_capture_goes_through_the_socket_and_is_committed",
    # Nightly summaries of the last complete day (issue 17's two tests), and the schedule.
    "tests/integration/test_maintenance.py",
    "tests/integration/test_scheduler.py",
    "tests/integration/test_rhythm_children.py",
    # Nudges: active hours, pause until tomorrow, the learner's recent answers.
    "tests/unit/app/test_nudge_service.py::test_wise_nudge_dry_run_explains_and_sends_nothing",
    "tests/ui/test_wise_app.py::test_pause_and_resume_nudges",
    "tests/ui/test_wise_app.py::test_until_tomorrow_means_the_day_start_hour_even_across_a_dst_change",
    "tests/ui/test_wise_app.py::test_todays_reflection_opens_the_reflection_window_on_today",
    "tests/ui/test_wise_app.py::test_the_rhythm_runs_and_its_work_goes_to_child_processes",
    "tests/ui/test_wise_app.py::test_no_nudge_interrupts_reflecting",
    "tests/ui/test_settings_window.py::test_settings_shows_what_wise_has_learned",
    # The month's budget.
    "tests/integration/test_gateway.py::test_over_budget_stops_a_paid_call_before_it_starts",
    "tests/integration/test_gateway.py::test_local_models_are_never_stopped_by_the_budget",
    # The daily reflection: today, earlier days, tomorrow's picks.
    "tests/integration/test_reflect.py::test_without_a_model_the_plain_reflection_still_helps",
    "tests/integration/test_reflect.py::test_the_plain_reflection_answers_the_users_own_words",
    "tests/integration/test_reflect_stream.py"
    "::test_without_a_model_the_plain_reflection_streams_in_one_delta",
    "tests/ui/test_reflection_window.py::test_it_opens_today_with_the_wins_first",
    "tests/ui/test_reflection_window.py"
    "::test_the_journal_s_today_needs_no_year_just_after_new_year",
    "tests/ui/test_reflection_window.py::test_earlier_days_by_keys_buttons_and_the_date_picker",
    "tests/ui/test_reflection_window.py::test_changing_the_day_saves_the_words_to_their_own_day",
    "tests/ui/test_reflection_window.py"
    "::test_without_a_model_the_plain_reflection_and_a_quiet_hint",
    "tests/ui/test_reflection_window.py"
    "::test_three_picks_become_planned_actions_and_a_fourth_is_refused",
    "tests/ui/test_reflection_window.py"
    "::test_a_new_action_goes_through_the_capture_language_and_is_ticked",
    # Goal review: the last four weeks, this week's charts, what Wise remembers.
    "tests/integration/test_breakdown_review.py::test_review_without_a_model_is_plain_and_kind",
    "tests/ui/test_review_window.py::test_cards_show_each_goal_with_its_why_rhythm_and_heatmap",
    "tests/ui/test_review_window.py::test_week_charts_show_the_seeded_week",
    "tests/ui/test_review_window.py::test_week_charts_have_an_empty_state",
    "tests/ui/test_review_window.py::test_an_edited_feedback_note_is_what_the_next_prompt_reads",
)

# (local moment, time zone): past midnight before the day-start hour, the last minute
# before it and the first after it, the day's last minute, and the nights the clocks
# change (journal days of 23 and 25 hours: just after the skipped hour, and inside the
# repeated one). Zones far from UTC, so that a UTC date used in place of
# the local one shows; dates at a year's, a month's and a week's end.
MOMENTS = (
    ("2027-01-01 00:30", "Pacific/Auckland"),   # UTC is still 31 Dec 11:30; a Friday
    ("2026-03-01 03:59", "America/New_York"),   # the journal day is Sat 28 Feb
    ("2026-06-01 04:00", "Asia/Kolkata"),       # Monday; UTC is still 31 May
    ("2026-08-31 23:59", "America/Los_Angeles"),  # UTC is already 1 September
    ("2026-03-29 03:30", "Europe/Berlin"),      # an hour ago they showed 01:30
    ("2026-10-25 02:30", "Europe/Berlin"),      # the first 02:30: it comes again at 03:00
)

_AS_OF = pytest.StashKey[datetime]()


def shift_to(moment: datetime) -> str:
    """WISE_CLOCK_SHIFT's value that makes Wise's clock show `moment` now."""
    return f"{(moment - datetime.now(UTC)).total_seconds():.6f}"


def local_moment(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM' in the local zone (TZ), refusing a time the clocks skip."""
    try:
        wall = datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f"--as-of wants 'YYYY-MM-DD HH:MM', not {text!r}") from None
    if wall.tzinfo is not None:
        return wall
    moment = wall.astimezone()
    if moment.replace(tzinfo=None) != wall:
        raise pytest.UsageError(f"{text} does not exist in {os.environ.get('TZ', 'this zone')}"
                                " (the clocks skip it)")
    return moment


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wise clock", "run as if it were another moment")
    group.addoption("--as-of", metavar="MOMENT",
                    help="local 'YYYY-MM-DD HH:MM' every test starts at (WISE_CLOCK_SHIFT); "
                         "without paths, runs the time-sensitive modules")
    group.addoption("--tz", metavar="ZONE", help="the local time zone (sets TZ), e.g. "
                                                 "Europe/Berlin")


def pytest_configure(config: pytest.Config) -> None:
    zone = config.getoption("--tz")
    if zone:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise pytest.UsageError(f"--tz: no time zone called {zone!r}") from None
        os.environ["TZ"] = zone
        _local_zone_changed()
    text = config.getoption("--as-of")
    if text:
        as_of = local_moment(text)
        config.stash[_AS_OF] = as_of
        os.environ[SHIFT_ENV] = shift_to(as_of)  # for anything before the first test


def pytest_report_header(config: pytest.Config) -> str | None:
    as_of = config.stash.get(_AS_OF, None)
    if as_of is None:
        return None
    return f"wise clock: every test starts at {as_of.isoformat()} ({os.environ.get('TZ')})"


def _only_time_sensitive(config: pytest.Config) -> bool:
    """--as-of without paths: the time-sensitive tests only."""
    return (config.stash.get(_AS_OF, None) is not None
            and config.args_source is pytest.Config.ArgsSource.TESTPATHS)


def _listed() -> dict[str, set[str]]:
    """TIME_SENSITIVE as {module path: test names (empty: every test in it)}."""
    listed: dict[str, set[str]] = {}
    for entry in TIME_SENSITIVE:
        path, _, name = entry.partition("::")
        listed.setdefault(path, set())
        if name:
            listed[path].add(name)
        elif listed[path]:
            raise pytest.UsageError(f"TIME_SENSITIVE names {path} both whole and in part")
    return listed


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if (not _only_time_sensitive(config) or collection_path.suffix != ".py"
            or not collection_path.name.startswith("test_")):
        return None
    return str(collection_path.relative_to(ROOT)) not in _listed() or None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _only_time_sensitive(config):
        return
    listed = _listed()
    kept, dropped, found = [], [], set()
    for item in items:
        path, _, name = item.nodeid.partition("::")
        name = name.partition("[")[0]  # every parametrization of a listed test
        if not listed.get(path) or name in listed[path]:
            kept.append(item)
            found.add(f"{path}::{name}" if listed.get(path) else path)
        else:
            dropped.append(item)
    # A renamed or deleted test must not silently leave the hours run.
    missing = [entry for entry in TIME_SENSITIVE if entry not in found]
    if missing:
        raise pytest.UsageError("TIME_SENSITIVE lists tests that do not exist: "
                                + ", ".join(missing))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def wise_clock_as_of(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under --as-of, this test starts at that moment (its children too)."""
    as_of = request.config.stash.get(_AS_OF, None)
    if as_of is not None:
        monkeypatch.setenv(SHIFT_ENV, shift_to(as_of))


@pytest.fixture
def clock_at(monkeypatch: pytest.MonkeyPatch):
    """`clock_at(moment)`: from now on Wise's clock (and its children's) shows `moment`
    (an aware datetime), and runs on from there."""

    def move(moment: datetime) -> datetime:
        monkeypatch.setenv(SHIFT_ENV, shift_to(moment))
        return moment

    return move


def _local_zone_changed() -> None:
    time.tzset()
    tzlocal = sys.modules.get("tzlocal")  # the scheduler's local zone, cached there
    if tzlocal is not None:
        tzlocal.reload_localzone()


@pytest.fixture
def in_zone():
    """`in_zone("Europe/Berlin")`: the local time zone (TZ) of this process and its
    children for the rest of the test."""
    before = os.environ.get("TZ")

    def move(zone: str) -> zoneinfo.ZoneInfo:
        os.environ["TZ"] = zone
        _local_zone_changed()
        return zoneinfo.ZoneInfo(zone)

    yield move
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    _local_zone_changed()


def _concurrency() -> int:
    """How many moments run side by side: WISE_HOURS_JOBS, else one per core (at most
    the moments). Each moment is its own pytest process with its own temporary folders,
    sockets and ports; much of their time is spent waiting on children and schedulers."""
    wanted = os.environ.get("WISE_HOURS_JOBS", "")
    jobs = int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    return min(jobs, len(MOMENTS))


def main() -> int:
    """Run the time-sensitive tests at every moment (extra arguments go to pytest), a few
    side by side; print each moment's output whole as it ends; exit non-zero when any
    moment failed, after all of them ran."""
    pending = list(MOMENTS)
    running: list[tuple[str, str, subprocess.Popen, object]] = []
    failed = []
    jobs = _concurrency()
    while pending or running:
        while pending and len(running) < jobs:
            as_of, zone = pending.pop(0)
            output = tempfile.TemporaryFile()  # noqa: SIM115 (closed when it ends)
            process = subprocess.Popen(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 "--as-of", as_of, "--tz", zone, *sys.argv[1:]],
                cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
            running.append((as_of, zone, process, output))
        time.sleep(0.2)
        for entry in [entry for entry in running if entry[2].poll() is not None]:
            running.remove(entry)
            as_of, zone, process, output = entry
            output.seek(0)
            print(f"== as of {as_of} in {zone}", flush=True)
            sys.stdout.buffer.write(output.read())
            sys.stdout.flush()
            output.close()
            if process.returncode:
                failed.append(f"{as_of} in {zone}")
    if failed:
        print("== failed as of " + "; ".join(failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
