"""tests/skip_policy.py: in CI a skip outside the allow-list fails the run; elsewhere a skip
is a skip. Checked on a small pytest run of its own (a subprocess, plugin loaded by name)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import skip_policy

ROOT = Path(__file__).resolve().parents[2]

SKIPPING = '''
import pytest

def test_runs():
    pass

def test_skips_for_a_missing_tool():
    pytest.skip("frobnicator not installed")

@pytest.fixture
def needs_a_tool():
    pytest.skip("gizmo did not start")

def test_skips_in_a_fixture(needs_a_tool):
    pass

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_expected_to_fail():
    assert False
'''


def run_pytest(folder: Path, ci: str | None, *extra: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci is not None:
        env["CI"] = ci
    (folder / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.skip_policy", "-p", "no:cacheprovider",
         "-c", str(folder / "pytest.ini"), "--rootdir", str(folder), "-rA", *extra, str(folder)],
        env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT, capture_output=True, text=True,
        timeout=120, check=False)


def test_outside_ci_a_skip_is_a_skip(tmp_path: Path) -> None:
    (tmp_path / "test_some.py").write_text(SKIPPING)
    result = run_pytest(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in result.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_in_ci_an_unexpected_skip_fails(tmp_path: Path, ci: str) -> None:
    (tmp_path / "test_some.py").write_text(SKIPPING)
    result = run_pytest(tmp_path, ci=ci)
    assert result.returncode == 1, result.stdout
    assert "unexpected skip in CI: frobnicator not installed" in result.stdout
    assert "unexpected skip in CI: gizmo did not start" in result.stdout
    assert "1 passed" in result.stdout and "1 xfailed" in result.stdout  # not a skip
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_in_ci_a_module_skipped_at_collection_fails(tmp_path: Path) -> None:
    (tmp_path / "test_module.py").write_text(
        'import pytest\npytest.importorskip("no_such_module_here")\n'
        "def test_never_collected():\n    pass\n")
    result = run_pytest(tmp_path, ci="true")
    assert result.returncode != 0, result.stdout
    assert "unexpected skip in CI: could not import 'no_such_module_here'" in result.stdout


def test_in_ci_a_skip_fails_on_xdist_workers_too(tmp_path: Path) -> None:
    """`make test` runs on pytest-xdist: the skips happen in the workers, whose reports
    (of tests and of collection) reach the controller already failed."""
    (tmp_path / "test_some.py").write_text(SKIPPING)
    (tmp_path / "test_module.py").write_text(
        'import pytest\npytest.importorskip("no_such_module_here")\n'
        "def test_never_collected():\n    pass\n")
    result = run_pytest(tmp_path, "true", "-n", "2")
    assert result.returncode != 0, result.stdout
    assert "created: 2/2 workers" in result.stdout
    assert "unexpected skip in CI: frobnicator not installed" in result.stdout
    assert "unexpected skip in CI: gizmo did not start" in result.stdout
    assert "unexpected skip in CI: could not import 'no_such_module_here'" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_an_allowed_skip_names_its_tests_its_reason_and_why(monkeypatch) -> None:
    for entry in skip_policy.ALLOWED:  # the real list: each entry explains itself
        assert len(entry.why) > 40 and entry.nodeid.startswith("^tests/")
        module = ROOT / entry.nodeid[1:].split("::")[0].replace("\\.", ".")
        assert module.is_file(), f"{entry.nodeid} names no test module"
    entry = skip_policy.AllowedSkip(r"^tests/ui/test_notifications\.py::",
                                    r"shows no tray messages", "a Qt platform without them")
    monkeypatch.setattr(skip_policy, "ALLOWED", (entry,))
    notifications = "tests/ui/test_notifications.py::test_a_tray_message_click"
    assert skip_policy.allowed(notifications, "this Qt platform shows no tray messages") is entry
    assert skip_policy.allowed(notifications, "dunst not installed") is None
    assert skip_policy.allowed("tests/ui/test_hotkey.py::x", "shows no tray messages") is None
