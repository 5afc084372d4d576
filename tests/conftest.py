"""Shared fixtures: every test gets its own WISE_HOME, and a way to run the real `wise`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A scripted OpenAI-compatible server on 127.0.0.1 (fixtures: fake_openai, ...); the suite
# at another moment (--as-of, --tz; fixture clock_at).
pytest_plugins = ["tests.fake_openai", "tests.moments"]


@pytest.fixture(autouse=True)
def wise_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """All state of the code under test lives in a fresh folder, never the user's."""
    home = tmp_path / "wise-home"
    monkeypatch.setenv("WISE_HOME", str(home))
    return home


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def journal(tmp_path: Path):
    """A real, migrated journal file of the test's own (not in WISE_HOME)."""
    from storage.engine import Journal
    from storage.migrate import ensure_schema

    db = tmp_path / "journal" / "wise.db"
    ensure_schema(db, tmp_path / "backups", keep_backups=3)
    opened = Journal(db)
    yield opened
    opened.close()


@pytest.fixture
def wise(wise_home: Path):
    """Run the real `wise` command in a subprocess with this test's WISE_HOME."""

    def run(*args: str, stdin: bytes | str | None = None, env: dict | None = None,
            timeout: float = 60) -> Result:
        full_env = {**os.environ, "WISE_HOME": str(wise_home), **(env or {})}
        data = stdin.encode() if isinstance(stdin, str) else stdin
        proc = subprocess.run(
            [sys.executable, "-m", "app.cli.main", *args], input=data, capture_output=True,
            env=full_env, cwd=ROOT, timeout=timeout, check=False)
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                      proc.stderr.decode("utf-8", "replace"))

    return run


@pytest.fixture(autouse=True)
def fail_on_warning_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """A warning or error logged by Wise's own code fails the test unless it expects one."""
    yield
    if request.node.get_closest_marker("allow_warning_logs"):
        return
    ours = [r for r in caplog.get_records("call")
            if r.levelno >= 30 and r.name.split(".")[0] in {"app", "ui", "storage"}]
    assert not ours, "unexpected warning logs: " + "; ".join(r.getMessage() for r in ours)
