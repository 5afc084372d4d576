"""The test suite stays off the developer's desktop: a pytest run started inside a made-up
one (its own session bus, also at $XDG_RUNTIME_DIR/bus; provider keys and endpoints in the
environment; a keyring holding a key) reaches none of it.

The inner run is the probes (isolation_probe.py) and the tray-app tests that used to put
"call mum / Two minutes?" on the developer's screen. Any process that connects to a
dbus-daemon is given the next unique name (":1.N"), so the names handed out before and
after the run tell whether anything in it connected.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.dbus_bus import start_bus
from tests.keyring_backend import FILE_ENV

ROOT = Path(__file__).resolve().parents[2]
DEVELOPERS_KEY = "sk-the-developers-own-key-0123456789"
INNER_RUN = [
    "tests/integration/isolation_probe.py",
    "tests/ui/test_wise_app.py::test_the_rhythm_runs_and_its_work_goes_to_child_processes",
    "tests/ui/test_wise_app.py::test_a_snoozed_nudge_comes_back_with_its_own_words",
    "tests/ui/test_wise_app.py::test_opening_a_nudge_opens_its_goal_in_goal_review",
]

jeepney = pytest.importorskip("jeepney", reason="jeepney speaks D-Bus for Wise on Linux")


def connection_number(address: str) -> int:
    """Connect, and return the N of the unique name ":1.N" the bus gave this connection."""
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as conn:
        return int(conn.unique_name.rsplit(".", 1)[1])


@pytest.mark.timeout(900)
def test_a_test_run_reaches_nothing_of_the_developers_desktop(tmp_path: Path) -> None:
    keyring_file = tmp_path / "developers-keyring.json"
    keyring_file.write_text(json.dumps({"wise/openai": DEVELOPERS_KEY}))
    with start_bus("bus") as desktop:
        desktop_env = {
            "DBUS_SESSION_BUS_ADDRESS": desktop.address,
            "XDG_RUNTIME_DIR": str(desktop.folder),
            "OPENAI_API_KEY": DEVELOPERS_KEY, "ANTHROPIC_API_KEY": DEVELOPERS_KEY,
            "AZURE_API_KEY": DEVELOPERS_KEY, "AZURE_API_BASE": "https://example.invalid",
            "OLLAMA_API_BASE": "http://example.invalid:11434",
            "PYTHON_KEYRING_BACKEND": "tests.keyring_backend.FileKeyring",
            FILE_ENV: str(keyring_file),
        }
        basetemp = tempfile.mkdtemp(prefix="wise-in-")  # short: the tray's socket is in it
        try:
            before = connection_number(desktop.address)
            inner = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 "--basetemp", basetemp, *INNER_RUN],
                env={**os.environ, **desktop_env, "QT_QPA_PLATFORM": "offscreen"}, cwd=ROOT,
                capture_output=True, text=True, timeout=800, check=False)
            after = connection_number(desktop.address)
        finally:
            shutil.rmtree(basetemp, ignore_errors=True)
    assert after == before + 1, (
        f"{after - before - 1} connection(s) from the test run reached the session bus")
    assert inner.returncode == 0, inner.stdout[-4000:] + inner.stderr[-2000:]
    assert "passed" in inner.stdout and "skipped" not in inner.stdout, inner.stdout[-2000:]
    assert json.loads(keyring_file.read_text()) == {"wise/openai": DEVELOPERS_KEY}
