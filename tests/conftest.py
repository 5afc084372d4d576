"""Shared fixtures: every test gets its own WISE_HOME, and a way to run the real `wise`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = [
    "tests.fake_openai",   # a scripted OpenAI-compatible server on 127.0.0.1 (fake_openai)
    "tests.isolation",     # no session bus, keyring or provider key of the developer's
    "tests.skip_policy",   # in CI, a skip outside its allow-list is a failure
    "tests.moments",       # the suite at another moment (--as-of, --tz; clock_at, in_zone)
    "tests.module_names",  # two test files with one basename: said plainly, naming both
]

# No per-example deadline: hypothesis's default (200 ms) fails on a loaded machine; how
# fast things are is measured by `make bench`, not by the tests.
settings.register_profile("wise", deadline=None)
settings.load_profile("wise")


@pytest.fixture(autouse=True)
def wise_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """All state of the code under test lives in a fresh folder, never the user's."""
    home = tmp_path / "wise-home"
    monkeypatch.setenv("WISE_HOME", str(home))
    yield home
    stop_shared_model_worker(home)


def stop_shared_model_worker(home: Path, environ: Mapping[str, str] | None = None,
                              ) -> int | None:
    """A `wise` child (or a gateway) of the test may have started the model worker shared
    by this WISE_HOME's processes (app.llm.shared_worker): stop it now, serving or still
    starting (its starter cancelled), rather than let it wait out its idle time beside
    the next tests. `environ`: the environment those processes ran in when it was not
    this one's (the worker's lock is in their runtime folder). The pid signalled, if any."""
    import signal

    from app.llm.shared_worker import SharedWorker, shared_paths

    if not shared_paths(home, environ)[1].exists():
        return None
    pid = SharedWorker(home, environ=environ).holder()
    if pid is not None and pid != os.getpid():  # (a test may serve in this process)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            return pid
    return None


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
            timeout: float = 60, prefix: Sequence[str] = ()) -> Result:
        """`prefix`: a command to run it under (e.g. setpriv with fewer capabilities)."""
        full_env = {**os.environ, "WISE_HOME": str(wise_home), **(env or {})}
        data = stdin.encode() if isinstance(stdin, str) else stdin
        proc = subprocess.run(
            [*prefix, sys.executable, "-m", "app.cli.main", *args], input=data,
            capture_output=True, env=full_env, cwd=ROOT, timeout=timeout, check=False)
        return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                      proc.stderr.decode("utf-8", "replace"))

    return run


@pytest.fixture(autouse=True)
def fail_on_warning_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """A warning or error logged by Wise's own code fails the test unless the test expects
    that message: @pytest.mark.allow_warning_logs(r"regex", ...), searched in each message
    (on a test, its class or its module)."""
    allowed = [re.compile(pattern) for marker in request.node.iter_markers(
        "allow_warning_logs") for pattern in marker.args]
    if any(not marker.args for marker in request.node.iter_markers("allow_warning_logs")):
        pytest.fail("allow_warning_logs needs the pattern of each warning it allows")
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    ours = [r.getMessage() for r in records
            if r.levelno >= 30 and r.name.split(".")[0] in {"app", "ui", "storage"}]
    unexpected = [m for m in ours if not any(p.search(m) for p in allowed)]
    assert not unexpected, "unexpected warning logs: " + "; ".join(unexpected)
