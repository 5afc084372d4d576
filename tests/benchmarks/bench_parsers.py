"""Parsers: how long Wise takes to read what the user typed and what a model replied.

Measured in-process, warm, the median of repeated calls:

- `parse_capture` on a typical line ("[ ] call mum about the trip #family tomorrow at 3pm
  ~20m"): every capture and every keystroke of the capture window's preview pays it
  (target <= 1 ms);
- `parse_capture` on the slowest of PATHOLOGICAL_CAPTURES, inputs of the maximum length
  built to make a regex backtrack (target <= 100 ms), beside an ordinary text of the same
  length;
- `parse_structured` on the slowest of PATHOLOGICAL_REPLIES, a model reply of braces and
  quotes that never closes (target <= 5 s: it runs in a `wise` child, off the GUI).

The tests (tests/unit/app/test_capture_parser.py, tests/unit/prompts/
test_prompt_structured.py) check that these inputs are parsed whole and correctly; how
fast is measured only here, where the machine's load is shown beside the numbers.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timedelta, timezone

from app.capture.parser import MAX_CAPTURE_CHARS as _MAX
from prompts.structured import MAX_REPLY_CHARS
from tests.benchmarks.harness import Row, Stats, Workspace, med_p90, ms, ratio, secs

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone(timedelta(hours=1)))
TYPICAL = "[ ] call mum about the trip #family tomorrow at 3pm ~20m"
PATHOLOGICAL_CAPTURES = (
    "~" * _MAX,
    "#a " * (_MAX // 3),
    "in " * (_MAX // 3),
    "at 3 pm on " * (_MAX // 11),
    "1" * _MAX,
    "~1" + "0" * (_MAX - 3) + "m",
    "#" + "1" * (_MAX - 1),
    "#x-" * (_MAX // 3),
    "a " + " " * _MAX + "tomorrow",
    "x" + "\n ~1m" * (_MAX // 5),
    "\x00" * _MAX,
    "[ ]" * (_MAX // 3),
)
ORDINARY = ("buy milk and call mum about the trip " * (_MAX // 30))[:_MAX]
PATHOLOGICAL_REPLIES = ('{"' * 8_000, "{\u201c" * 8_000, "{" * (MAX_REPLY_CHARS - 1))


def _timed(fn, runs: int) -> Stats:
    fn()  # warm
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Stats.of(samples)


def run_capture_parser(ws: Workspace) -> list[Row]:
    from app.capture.parser import parse_capture

    group = "parsers: what the user typed"
    runs = 50 if ws.quick else 500
    ws.log(f"parse_capture on a typical line x {runs} ...")
    typical = _timed(lambda: parse_capture(TYPICAL, NOW), runs)
    ws.log(f"parse_capture on {len(PATHOLOGICAL_CAPTURES)} pathological inputs ...")
    repeats = 3 if ws.quick else 10
    worst_name, worst = "", Stats.of([])
    for raw in PATHOLOGICAL_CAPTURES:
        stats = _timed(lambda raw=raw: parse_capture(raw, NOW), repeats)
        if not worst.n or stats.median > worst.median:
            worst_name, worst = repr(raw[:6]) + "…", stats
    ordinary = _timed(lambda: parse_capture(ORDINARY, NOW), repeats)
    return [
        Row(group, "parse_capture, typical line",
            f"{typical.median * 1e6:.0f} µs (p90 {typical.p90 * 1e6:.0f} µs)", target="≤ 1 ms",
            met=typical.median <= 0.001, data={"typical": typical}),
        Row(group, f"parse_capture, slowest pathological ({worst_name}) vs ordinary text, "
                   f"{_MAX:,} characters", med_p90(worst), med_p90(ordinary),
            ratio(worst.median, ordinary.median), "≤ 100 ms", worst.median <= 0.100,
            data={"worst": worst, "ordinary": ordinary}),
    ]


def run_reply_parser(ws: Workspace) -> list[Row]:
    from prompts.schemas import DailyReflection
    from prompts.structured import OutputParseError, parse_structured

    def parse(reply: str) -> None:
        with contextlib.suppress(OutputParseError):
            parse_structured(reply, DailyReflection)

    group = "parsers: what a model replied"
    repeats = 2 if ws.quick else 5
    ws.log(f"parse_structured on {len(PATHOLOGICAL_REPLIES)} pathological replies ...")
    medians = [_timed(lambda reply=reply: parse(reply), repeats).median
               for reply in PATHOLOGICAL_REPLIES]
    worst = max(medians)
    return [Row(group, "parse_structured, slowest pathological reply", secs(worst),
                ms(min(medians)), ratio(worst, min(medians)), "≤ 5 s", worst <= 5.0,
                note="baseline column: the fastest of the pathological replies",
                data={"medians_s": medians})]


STEPS = (run_capture_parser, run_reply_parser)
