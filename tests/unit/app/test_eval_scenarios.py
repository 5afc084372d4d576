"""Every scenario of the suite, built through the real services and rendered with the real
prompt, judged on its two scripted replies: the good one passes every check that applies,
the bad one fails each check it names. This is how every check is tested both ways on
realistic replies (tests/unit/app/test_eval_checks.py adds the edge cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.daytime import journal_day, local_now
from app.evals.build import START_HOUR, build_journal
from app.evals.checks import CHECKS, Reply, run_checks
from app.evals.purposes import plan, read_reply
from app.evals.scenarios import PURPOSES, load_suite
from prompts import variants
from prompts.structured import parse_structured

SUITE = load_suite()


def requests_for(scenario, home: Path) -> dict:
    """variant name -> the request, for every variant of the scenario's purpose."""
    today = journal_day(local_now(), START_HOUR)
    context, journal = build_journal(scenario, home, today)
    try:
        return {v.name: plan(scenario, context, journal, today, v.name)
                for v in variants.variants_for(scenario.purpose)}
    finally:
        journal.close()


def judged(scenario, request, reply_text: str) -> dict:
    parsed = (parse_structured(reply_text, request.schema) if request.schema is not None
              else None)
    results = run_checks(Reply(scenario, request, read_reply(request, parsed, reply_text)))
    return {r.name: r for r in results}


def test_the_suite_is_big_enough_and_covers_every_purpose() -> None:
    assert len(SUITE) >= 24
    assert {s.purpose for s in SUITE} == set(PURPOSES)


def test_every_check_is_shown_failing_by_some_scripted_bad_reply() -> None:
    named = {name for s in SUITE for name in s.scripted.bad_fails}
    assert named == set(CHECKS) - {"not_an_echo"}, set(CHECKS) - named


@pytest.mark.parametrize("scenario", SUITE, ids=[s.name for s in SUITE])
def test_the_good_reply_passes_and_the_bad_one_fails_what_it_names(scenario,
                                                                 tmp_path: Path) -> None:
    requests = requests_for(scenario, tmp_path)
    for name, request in requests.items():  # a variant is a candidate only if it passes
        assert request.prompt_version.endswith(f"+{name}")
        good = judged(scenario, request, scenario.scripted.good)
        failed = {n: r.evidence for n, r in good.items() if r.applies and not r.passed}
        assert not failed, f"the good reply failed with variant {name}: {failed}"
    request = next(iter(requests.values()))
    bad = judged(scenario, request, scenario.scripted.bad)
    for name in scenario.scripted.bad_fails:
        assert bad[name].applies and not bad[name].passed, (name, bad[name])
        assert bad[name].evidence  # a failure always says why
