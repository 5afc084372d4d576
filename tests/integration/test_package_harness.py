"""The harness of the package tests (tests/package/conftest.py), run here with this
checkout's `wise` in place of an installed one: `make package-test` needs root and a built
package, and what is tested here is the harness, not the package."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from pathlib import Path

from app.launch import model_worker_command
from app.llm.shared_worker import SharedWorker, shared_paths
from tests.package.conftest import installed_wise

ROOT = Path(__file__).resolve().parents[2]


def test_the_model_worker_of_an_installed_wise_is_stopped_with_its_test(
        wise_home: Path, tmp_path: Path) -> None:
    """The worker that the installed `wise llm test` starts for its home lives in the
    installed environment's runtime folder; after the test it must be gone (it was left
    running from the removed package's binary)."""
    command = Path(sys.executable).with_name("wise")
    with installed_wise(str(command), wise_home, tmp_path) as wise:
        socket_file, lock, _log = shared_paths(wise_home, wise.env)
        # What app.llm.shared_worker starts for a `wise` child of that environment.
        worker = subprocess.Popen(
            model_worker_command("--serve", str(socket_file), "--lock", str(lock),
                                 "--idle-exit", "600"),
            env=wise.env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            _wait_until_it_holds_the_lock(worker, SharedWorker(wise_home, environ=wise.env))
        except BaseException:
            worker.kill()
            worker.wait()
            raise
    try:
        assert worker.poll() is not None, "the shared model worker outlived the test"
    finally:
        with contextlib.suppress(ProcessLookupError):
            worker.kill()
        worker.wait()


def _wait_until_it_holds_the_lock(worker: subprocess.Popen, shared: SharedWorker) -> None:
    deadline = time.monotonic() + 60  # a hang guard; it takes the lock as it starts
    while shared.holder() != worker.pid:
        assert worker.poll() is None, f"the worker ended (exit {worker.returncode})"
        assert time.monotonic() < deadline, "the worker never took its lock"
        time.sleep(0.02)
