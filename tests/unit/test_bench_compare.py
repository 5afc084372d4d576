"""`make bench-compare`'s table: which numbers it reads from the harness's rows, the
medians over rounds and the now / base ratio (no timing here: the rows are made up)."""

from __future__ import annotations

import pytest

from tests.benchmarks.compare import Value, compare, markdown, parse_value, plan


@pytest.mark.parametrize(("shown", "expected"), [
    ("512.3 ms (p90 600.1 ms)", Value(512.3, "ms")),
    ("1.91 s, 51 MiB peak", Value(1910.0, "ms")),
    ("26 µs (p90 31 µs)", Value(0.026, "ms")),
    ("92.5 MiB", Value(92.5, "MiB")),
    ("0.128%", Value(0.128, "%")),
    ("2.0", Value(2.0, "")),
    ("-0.0 ms", Value(-0.0, "ms")),
    ("46.5 → 57.0 MiB (+10.5)", None),
    ("sqlalchemy in 0/12, litellm in 0/12 runs", None),
    ("FAILED", None),
    ("—", None),
])
def test_reads_the_number_the_table_shows_first(shown, expected):
    value = parse_value(shown)
    if expected is None:
        assert value is None
    else:
        assert value == Value(pytest.approx(expected.number), expected.unit)


def _row(name, wise, group="capture"):
    return {"group": group, "name": name, "wise": wise}


def test_medians_over_rounds_and_the_ratio_now_over_base():
    base = [[_row("cold", "100.0 ms (p90 1 ms)"), _row("rss", "90 MiB", "tray")],
            [_row("cold", "120.0 ms"), _row("rss", "94 MiB", "tray")],
            [_row("cold", "300.0 ms"), _row("rss", "92 MiB", "tray")]]
    now = [[_row("cold", "0.09 s"), _row("rss", "80 MiB", "tray")],
           [_row("cold", "100.0 ms"), _row("rss", "80 MiB", "tray")],
           [_row("cold", "110.0 ms"), _row("rss", "98 MiB", "tray")]]

    cold, rss = compare(base, now)

    assert (cold.base, cold.now) == ("120.0 ms", "100.0 ms")
    assert cold.ratio == pytest.approx(100 / 120)
    assert cold.base_values == (100.0, 120.0, 300.0)
    assert (rss.group, rss.base, rss.now) == ("tray", "92.0 MiB", "80.0 MiB")
    assert rss.ratio == pytest.approx(80 / 92)


def test_rows_one_side_lacks_or_cannot_read_have_no_ratio():
    base = [[_row("only base", "5.0 ms"), _row("text", "in 0/12 runs"),
             _row("broke", "FAILED")],
            [_row("only base", "7.0 ms"), _row("text", "in 0/12 runs"),
             _row("broke", "4.0 ms")]]
    now = [[_row("only now", "0.02 ms"), _row("text", "in 0/12 runs"), _row("broke", "3 s")],
           [_row("only now", "0.02 ms"), _row("text", "in 0/12 runs"), _row("broke", "3 s")]]

    lines = {line.name: line for line in compare(base, now)}

    assert [line.name for line in compare(base, now)] == ["only now", "text", "broke",
                                                           "only base"]
    assert (lines["only base"].base, lines["only base"].now) == ("6.0 ms", "—")
    assert (lines["only now"].base, lines["only now"].now) == ("—", "20 µs")
    assert lines["broke"].now == "3.00 s"
    assert lines["text"].now == "in 0/12 runs"
    assert lines["broke"].base == "FAILED / 4.0 ms"
    assert all(line.ratio is None for line in lines.values())
    table = markdown(compare(base, now))
    assert "| **capture** | | | |" in table
    assert "| only now | — | 20 µs |  |" in table


def test_each_side_goes_first_in_every_other_round(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"

    runs = plan(3, a, b, ["capture", "tray"], ["idle"])

    assert [(r.side, r.quick) for r in runs] == [
        ("base", False), ("base", True), ("now", False), ("now", True),
        ("now", False), ("now", True), ("base", False), ("base", True),
        ("base", False), ("base", True), ("now", False), ("now", True)]
    assert {r.groups for r in runs if r.quick} == {("idle",)}
    assert all(r.tree == (a if r.side == "base" else b) for r in runs)
