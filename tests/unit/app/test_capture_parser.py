"""The capture language: a readable table of what Wise understands, and the invariants."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.capture.parser import ParsedCapture, Span, parse_capture
from tests.benchmarks.bench_parsers import PATHOLOGICAL_CAPTURES

TZ = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # a Thursday, mid-morning
NIGHT = datetime(2026, 11, 27, 1, 30, tzinfo=TZ)  # Friday 01:30: still Thursday's journal day
REPO = Path(__file__).resolve().parents[3]


def day(d: int, month: int = 11) -> tuple[datetime, bool]:
    """An all-day due on a date of 2026."""
    return datetime(2026, month, d, tzinfo=TZ), True


def at(d: int, hour: int, minute: int = 0, month: int = 11) -> tuple[datetime, bool]:
    """A timed due in 2026."""
    return datetime(2026, month, d, hour, minute, tzinfo=TZ), False


# You type -> kind, text, tags, (due, all_day) or None, estimate minutes.
# `now` is Thursday 2026-11-26 10:00 (+01:00), day start 4 am.
CASES = [
    # markers
    ("buy milk", "note", "buy milk", (), None, None),
    ("[ ] buy milk", "todo", "buy milk", (), None, None),
    ("[] buy milk", "todo", "buy milk", (), None, None),
    ("  todo: buy milk", "todo", "buy milk", (), None, None),
    ("T: buy milk", "todo", "buy milk", (), None, None),
    ("todo:buy milk", "todo", "buy milk", (), None, None),
    ("[x] wrote the essay", "win", "wrote the essay", (), None, None),
    ("[X] wrote the essay", "win", "wrote the essay", (), None, None),
    ("+ wrote the essay", "win", "wrote the essay", (), None, None),
    ("+wrote the essay", "win", "wrote the essay", (), None, None),
    ("done: wrote the essay", "win", "wrote the essay", (), None, None),
    ("Did: wrote the essay", "win", "wrote the essay", (), None, None),
    ("+1 to that idea", "note", "+1 to that idea", (), None, None),
    ("[ ]", "todo", "", (), None, None),
    # the escape hatch: only tags are read
    ("note: pay rent tomorrow ~10m #home", "note", "pay rent tomorrow ~10m", ("home",), None, None),
    # tags
    ("talked to #family about money", "note", "talked to #family about money", ("family",),
     None, None),
    ("call mum #family tomorrow", "todo", "call mum", ("family",), day(27), None),
    ("call mum about the trip #family tomorrow", "todo", "call mum about the trip", ("family",),
     day(27), None),
    ("learn C# and a#b, see #1", "note", "learn C# and a#b, see #1", (), None, None),
    ("#Work plan #work #Café #self-care", "note", "#Work plan", ("work", "café", "self-care"),
     None, None),
    # estimates, anywhere
    ("write report ~30m", "todo", "write report", (), None, 30),
    ("write ~1h30m report", "todo", "write report", (), None, 90),
    ("read ~1.5h", "todo", "read", (), None, 90),
    ("nap ~90min", "todo", "nap", (), None, 90),
    ("nap ~0m", "note", "nap ~0m", (), None, None),
    ("nap ~25h", "note", "nap ~25h", (), None, None),
    ("nap ~90 min", "note", "nap ~90 min", (), None, None),
    ("a ~5m b ~10m c", "todo", "a ~5m b c", (), None, 10),
    # today / tonight alone do not make a to-do
    ("felt great today", "note", "felt great today", (), None, None),
    ("felt great today #mood", "note", "felt great today", ("mood",), None, None),
    ("[ ] call mum today", "todo", "call mum", (), day(26), None),
    ("call mum today ~10m", "todo", "call mum", (), day(26), 10),
    ("due today: call mum due today", "todo", "due today: call mum", (), day(26), None),
    ("dinner with sam tonight", "note", "dinner with sam tonight", (), None, None),
    ("[ ] dinner with sam tonight", "todo", "dinner with sam", (), at(26, 20), None),
    ("movie tonight at 9", "todo", "movie", (), at(26, 21), None),
    # days
    ("pay rent tmrw", "todo", "pay rent", (), day(27), None),
    ("dentist fri", "todo", "dentist", (), day(27), None),
    ("gym thursday", "todo", "gym", (), day(26), None),
    ("gym wed", "todo", "gym", (), day(2, 12), None),
    ("saw her last friday", "note", "saw her last friday", (), None, None),
    ("gym every friday at 9", "note", "gym every friday at 9", (), None, None),
    ("lay in the sun", "note", "lay in the sun", (), None, None),
    ("[ ] mow the lawn sat", "todo", "mow the lawn", (), day(28), None),
    ("mow the lawn sat 10am", "todo", "mow the lawn", (), at(28, 10), None),
    # in ...
    ("call back in 2h", "todo", "call back", (), at(26, 12), None),
    ("call back in 45 min", "todo", "call back", (), at(26, 10, 45), None),
    ("call back in 2 hours", "todo", "call back", (), at(26, 12), None),
    ("stretch in an hour", "todo", "stretch", (), at(26, 11), None),
    ("renew passport in 3 days", "todo", "renew passport", (), day(29), None),
    ("renew passport in 2 weeks", "todo", "renew passport", (), day(10, 12), None),
    # at ...
    ("standup at 15:00", "todo", "standup", (), at(26, 15), None),
    ("standup at 9", "todo", "standup", (), at(27, 9), None),
    ("standup at 3:30pm", "todo", "standup", (), at(26, 15, 30), None),
    ("standup at 12am", "todo", "standup", (), at(27, 0), None),
    ("ends at 25:00", "note", "ends at 25:00", (), None, None),
    ("ends 3pm", "note", "ends 3pm", (), None, None),
    # day and time
    ("dentist fri 3pm", "todo", "dentist", (), at(27, 15), None),
    ("dentist friday at 15:00", "todo", "dentist", (), at(27, 15), None),
    ("call bob tomorrow 9am", "todo", "call bob", (), at(27, 9), None),
    ("call bob tomorrow at 9:30", "todo", "call bob", (), at(27, 9, 30), None),
    ("ship it today at 17:00", "todo", "ship it", (), at(26, 17), None),
    ("meet bob at 3 pm tomorrow", "todo", "meet bob", (), at(27, 15), None),
    ("Call Mum TOMORROW AT 3PM", "todo", "Call Mum", (), at(27, 15), None),
    ("party fri at 1", "todo", "party", (), at(28, 1), None),
    # ISO dates
    ("file taxes 2026-12-01", "todo", "file taxes", (), day(1, 12), None),
    ("file taxes 2026-12-01 09:30", "todo", "file taxes", (), at(1, 9, 30, 12), None),
    ("file taxes 2026-02-30", "note", "file taxes 2026-02-30", (), None, None),
    # prefixes
    ("essay by friday", "todo", "essay", (), day(27), None),
    ("rent due tomorrow", "todo", "rent", (), day(27), None),
    ("lunch on fri", "todo", "lunch", (), day(27), None),
    ("report by 5pm", "todo", "report", (), at(26, 17), None),
    ("essay due by friday", "todo", "essay", (), day(27), None),
    ("essay by this friday", "todo", "essay", (), day(27), None),
    # only one due in the trailing run; metadata can be interleaved
    ("pack monday tomorrow", "todo", "pack monday", (), day(27), None),
    ("plan trip #travel tomorrow ~20m #family", "todo", "plan trip", ("travel", "family"),
     day(27), 20),
    # a win has no due
    ("[x] paid rent tomorrow", "win", "paid rent tomorrow", (), None, None),
    ("+ ran 5k ~30m", "win", "ran 5k", (), None, 30),
    # a line that is all metadata keeps its words as the title
    ("tomorrow", "note", "tomorrow", (), None, None),
    ("#family", "note", "#family", ("family",), None, None),
    ("[ ] tomorrow #home", "todo", "tomorrow #home", ("home",), None, None),
    # punctuation ends recognition: metadata is whole words
    ("call mum tomorrow.", "note", "call mum tomorrow.", (), None, None),
    # spacing and lines
    ("  spaced   out  words  ", "note", "spaced   out  words", (), None, None),
    ("line one\nline two #x tomorrow", "todo", "line one\nline two", ("x",), day(27), None),
    ("first line ~10m\nsecond line", "todo", "first line\nsecond line", (), None, 10),
    ("", "note", "", (), None, None),
    (" \n\t ", "note", "", (), None, None),
]

# The day-start rule: at Friday 01:30 with day start 4 am, "today" is still Thursday.
NIGHT_CASES = [
    ("[ ] call mum today", "todo", "call mum", (), day(26), None),
    ("pay rent tomorrow", "todo", "pay rent", (), day(27), None),
    ("gym thursday", "todo", "gym", (), day(26), None),
    ("standup at 15:00", "todo", "standup", (), at(27, 15), None),
    ("sleep at 2", "todo", "sleep", (), at(27, 2), None),
    ("bins at 1", "todo", "bins", (), at(28, 1), None),
    ("call bob tomorrow 9am", "todo", "call bob", (), at(27, 9), None),
]


def _check(parsed: ParsedCapture, kind, text, tags, due, estimate) -> None:
    assert (parsed.kind, parsed.text, parsed.tags) == (kind, text, tags)
    assert (parsed.due, parsed.due_all_day) == (due if due else (None, False))
    assert parsed.estimate_minutes == estimate


@pytest.mark.parametrize(("raw", "kind", "text", "tags", "due", "estimate"), CASES,
                         ids=[case[0] or "<empty>" for case in CASES])
def test_capture_language(raw, kind, text, tags, due, estimate):
    _check(parse_capture(raw, NOW), kind, text, tags, due, estimate)


@pytest.mark.parametrize(("raw", "kind", "text", "tags", "due", "estimate"), NIGHT_CASES,
                         ids=[case[0] for case in NIGHT_CASES])
def test_day_start_hour(raw, kind, text, tags, due, estimate):
    _check(parse_capture(raw, NIGHT, day_start_hour=4), kind, text, tags, due, estimate)


def test_midnight_day_start_makes_today_the_calendar_day():
    parsed = parse_capture("pay rent tomorrow", NIGHT, day_start_hour=0)
    assert parsed.due == datetime(2026, 11, 28, tzinfo=TZ)


def test_tonight_after_eight_is_due_today_not_in_the_past():
    late = datetime(2026, 11, 26, 22, 30, tzinfo=TZ)
    parsed = parse_capture("[ ] call mum tonight", late)
    assert (parsed.due, parsed.due_all_day) == day(26)


def test_relative_due_keeps_the_minute_and_the_time_zone():
    now = datetime(2026, 11, 26, 10, 7, 42, 123456, tzinfo=TZ)
    parsed = parse_capture("call back in 30m", now)
    assert parsed.due == datetime(2026, 11, 26, 10, 37, tzinfo=TZ)
    assert parsed.due.tzinfo is TZ


def test_spans_name_every_understood_part():
    raw = "[ ] call mum #family by friday 3pm ~10m"
    parsed = parse_capture(raw, NOW)
    assert [(raw[s.start : s.end], s.kind) for s in parsed.spans] == [
        ("[ ]", "marker"), ("#family", "tag"), ("by friday 3pm", "due"), ("~10m", "estimate"),
    ]
    assert parsed.spans[0] == Span(0, 3, "marker")


def test_a_tag_left_in_the_sentence_has_no_span():
    parsed = parse_capture("talked to #family about money", NOW)
    assert parsed.tags == ("family",)
    assert parsed.spans == ()


# --- properties ---------------------------------------------------------------------------

# Words of the language, so that generated lines exercise the interesting paths.
VOCABULARY = [
    "today", "tonight", "tomorrow", "tmrw", "fri", "Friday", "sat", "sun", "last", "every",
    "at", "3pm", "3", "pm", "15:00", "9:30am", "12am", "in", "2h", "2", "hours", "an", "days",
    "~10m", "~1.5h", "~1h30m", "~0m", "~99h", "#tag", "#Tag", "#1", "#ünï", "C#", "by", "due",
    "on", "this", "[ ]", "[x]", "+", "note:", "todo:", "t:", "did:", "2026-12-01",
    "2026-02-30", "9999-12-31", "0001-01-01", "2026-12-01t09:00", "\x00", "\n", "🙂", "ſat",
]
words = st.sampled_from(VOCABULARY) | st.text(max_size=6)
lines = st.lists(words, max_size=14).flatmap(
    lambda parts: st.lists(st.sampled_from([" ", "  ", "\n", "\t", ""]),
                           min_size=len(parts), max_size=len(parts))
    .map(lambda seps: "".join(sep + part for sep, part in zip(seps, parts, strict=True)))
)
any_text = st.text() | lines | st.text(alphabet=st.characters(), max_size=40).map(lambda s: s * 250)
moments = st.datetimes(timezones=st.sampled_from([TZ, UTC, timezone(-timedelta(hours=9))]))


def _strip_space(text: str) -> str:
    return "".join(text.split())


def _assert_invariants(raw: str, now: datetime, parsed: ParsedCapture,
                       local: bool = False) -> None:
    assert parsed.raw is raw
    previous_end = 0
    for span in parsed.spans:
        assert previous_end <= span.start < span.end <= len(raw)
        assert span.kind in ("marker", "tag", "due", "estimate")
        previous_end = span.end
    # Nothing is lost: what is not in a span is in text, up to whitespace.
    kept, position = [], 0
    for span in parsed.spans:
        kept.append(raw[position : span.start])
        position = span.end
    kept.append(raw[position:])
    assert _strip_space("".join(kept)) == _strip_space(parsed.text)
    assert parsed.text == parsed.text.strip()

    assert parsed.kind in ("note", "todo", "win")
    assert all(tag == tag.lower() and not tag.startswith("#") for tag in parsed.tags)
    assert len(set(parsed.tags)) == len(parsed.tags)
    if parsed.due is not None:
        if local:  # the local offset in force at the due moment
            assert parsed.due.utcoffset() == parsed.due.astimezone().utcoffset()
        else:
            assert parsed.due.tzinfo is now.tzinfo
        assert parsed.kind == "todo"
    if parsed.due_all_day:
        assert parsed.due is not None
        assert parsed.due.time() == datetime.min.time()
    if parsed.estimate_minutes is not None:
        assert 0 < parsed.estimate_minutes <= 24 * 60
        assert parsed.kind != "note"


@settings(max_examples=400, database=None, deadline=None)
@given(raw=any_text, now=moments, day_start_hour=st.integers(0, 23))
def test_never_raises_and_loses_nothing(raw, now, day_start_hour):
    parsed = parse_capture(raw, now, day_start_hour)
    _assert_invariants(raw, now, parsed)


@settings(max_examples=200, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=any_text, wall=st.datetimes(min_value=datetime(2, 1, 1),
                                       max_value=datetime(9998, 12, 31)),
       day_start_hour=st.integers(0, 23))
def test_local_wall_times_never_raise_either(in_zone, raw, wall, day_start_hour):
    in_zone("Europe/Berlin")
    now = wall.astimezone()
    parsed = parse_capture(raw, now, day_start_hour, local=True)
    _assert_invariants(raw, now, parsed, local=True)


@pytest.mark.parametrize(("now", "raw", "due"), [
    # The evening before the clocks go forward, and back: 9 am by the clock that morning.
    ("2026-03-28 20:00", "call mum tomorrow 9am", "2026-03-29T09:00:00+02:00"),
    ("2026-10-24 20:00", "call mum tomorrow 9am", "2026-10-25T09:00:00+01:00"),
    ("2026-10-24 20:00", "call mum at 3pm sunday", "2026-10-25T15:00:00+01:00"),
    ("2026-03-28 20:00", "pay rent tomorrow", "2026-03-29T00:00:00+01:00"),
    # Thirty real minutes across the change, shown by the clock then.
    ("2026-03-29 01:50", "call back in 30m", "2026-03-29T03:20:00+02:00"),
    # A time the clocks skip is the moment an hour later; one they show twice, the first.
    ("2026-03-28 20:00", "bins out 2026-03-29 02:30", "2026-03-29T03:30:00+02:00"),
    ("2026-10-24 20:00", "bins out 2026-10-25 02:30", "2026-10-25T02:30:00+02:00"),
])
def test_local_due_times_take_the_offset_of_their_own_day(in_zone, now, raw, due):
    in_zone("Europe/Berlin")
    parsed = parse_capture(raw, datetime.fromisoformat(now).astimezone(), 4, local=True)
    assert parsed.due is not None and parsed.due.isoformat() == due


@settings(max_examples=200, database=None, deadline=None)
@given(raw=lines)
def test_deterministic(raw):
    assert parse_capture(raw, NOW) == parse_capture(raw, NOW)
    _assert_invariants(raw, NOW, parse_capture(raw, NOW))


# Not a speed test (that is `make bench`, group parsers: <= 100 ms each); a regex that
# backtracked catastrophically on these would run into the timeout.
@pytest.mark.timeout(60)
@pytest.mark.parametrize("raw", PATHOLOGICAL_CAPTURES)
def test_pathological_input_is_parsed_whole(raw):
    _assert_invariants(raw, NOW, parse_capture(raw, NOW))


def test_parser_imports_only_the_standard_library():
    # Besides itself, only storage.timeutil (stdlib-only: the one journal-day rule) and
    # storage.limits (stdlib-only: the tag's length), storage.clock (stdlib-only: the one
    # "now").
    code = (
        "import sys; before = set(sys.modules); import app.capture.parser; "
        "new = set(sys.modules) - before - {'storage', 'storage.timeutil', 'storage.limits', "
        "'storage.clock'}; "
        "new = {m.split('.')[0] for m in new}; "
        "print(sorted(new - set(sys.stdlib_module_names) - {'app'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- due dates absurdly far from today: kept as text, and said so -----------------------


@pytest.mark.parametrize(("raw", "words", "phrase"), [
    ("call the bank 0226-12-01 09:30", "0226-12-01 09:30", "1,799 years ago"),
    ("my dad was born 1950-03-04", "1950-03-04", "76 years ago"),
    ("pay by 2025-11-01", "by 2025-11-01", "more than a year ago"),
    ("book it 2126-11-26 #trip", "2126-11-26", "100 years from now"),
    ("retire in 9999 days", "in 9999 days", "27 years from now"),
    ("meet 1950-01-01 at 3pm", "1950-01-01 at 3pm", "76 years ago"),
])
def test_a_due_far_from_today_stays_text_and_is_named(raw: str, words: str, phrase: str) -> None:
    from app.capture.preview import describe_preview

    parsed = parse_capture(raw, NOW)
    assert parsed.due is None and parsed.kind == "note"
    assert words in parsed.text  # nothing the user typed is lost
    assert parsed.far_due is not None and parsed.far_due.words == words
    notice = parsed.far_due.notice()
    assert notice == f"{words} is kept as text, not as a due date: it is {phrase}"
    assert notice in describe_preview(parsed, {}, NOW.date())  # shown before Enter


@pytest.mark.parametrize("raw", ["pay by 2025-11-26", "renew passport 2046-11-01"])
def test_a_due_within_a_year_back_or_twenty_ahead_is_a_due(raw: str) -> None:
    parsed = parse_capture(raw, NOW)
    assert parsed.due is not None and parsed.far_due is None


def test_at_the_edges_of_the_calendar_nothing_raises() -> None:
    for now in (datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=14))),
                datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-12)))):
        for raw in ("x 0001-01-01 00:30", "y 9999-12-31 23:30", "z tomorrow 9am", "in 3 days"):
            parse_capture(raw, now)
