"""In CI (CI=true) a skipped test is a failed test, unless the skip is on ALLOWED below.

A skip hides whatever the test was there to catch: a missing tool that CI installs
(Xvfb, dunst, chattr...), a probe that "did not start", an exception turned into a skip.
On a developer's machine a skip with its reason is friendly; in CI it is a failure, so
that a green build means every test ran. Each allowed skip names the tests it may hit, the
reason it must give, and why it is acceptable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class AllowedSkip:
    nodeid: str   # a regular expression on the test's node id (searched)
    reason: str   # a regular expression on the skip's message (searched)
    why: str      # why this skip is not hiding a failure


# Empty: on Linux with the packages .ci/run installs, no test has a reason to skip. (The
# skips written into tests are for other platforms - Windows, macOS, a Qt without tray
# messages - or for a developer's machine that lacks a tool CI installs.) An entry looks
# like: AllowedSkip(r"^tests/ui/test_x\.py::", r"needs a GPU", "why that hides nothing").
ALLOWED: tuple[AllowedSkip, ...] = ()


def enforced() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def allowed(nodeid: str, reason: str) -> AllowedSkip | None:
    for entry in ALLOWED:
        if re.search(entry.nodeid, nodeid) and re.search(entry.reason, reason):
            return entry
    return None


def _reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _fail_unexpected(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not (report.skipped and enforced()) or hasattr(report, "wasxfail"):
        return
    reason = _reason(report)
    if allowed(report.nodeid, reason) is None:
        report.outcome = "failed"
        report.longrepr = (f"unexpected skip in CI: {reason}\n(CI=true: a skip is a failure "
                           "unless it is on the allow-list in tests/skip_policy.py)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    _fail_unexpected(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):
    outcome = yield
    _fail_unexpected(outcome.get_result())


def pytest_report_header(config: pytest.Config) -> str | None:
    if enforced():
        return f"CI=true: a skip is a failure unless allowed ({len(ALLOWED)} in " \
               "tests/skip_policy.py)"
    return None
