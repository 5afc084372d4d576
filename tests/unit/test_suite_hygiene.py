"""The suite's own harness: its helpers keep tests apart when they run beside each other
(xdist), and it refuses two test files of one name, saying which."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers import closed_port
from tests.module_names import clashes


@pytest.mark.parametrize("reuse", [False, True], ids=["plain", "SO_REUSEADDR"])
def test_a_closed_port_refuses_and_no_test_beside_it_can_take_it(reuse: bool) -> None:
    """A port picked, closed and used later could meanwhile be a server's of the test
    beside (a "closed" port that answers); closed_port holds it for the whole block."""
    with closed_port() as port:
        with socket.socket() as other:
            if reuse:  # as http.server and most servers bind
                other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError, match="in use") as taken:
                other.bind(("127.0.0.1", port))
            assert taken.value.errno == errno.EADDRINUSE
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=10).close()


def test_the_suite_has_no_two_test_files_of_one_name() -> None:
    assert clashes() == []


def test_two_test_files_of_one_name_stop_the_run_naming_both(tmp_path: Path) -> None:
    for folder, name in (("unit", "test_same.py"), ("ui", "test_same.py"),
                         ("pkg", "test_same.py"), ("pkg", "__init__.py")):
        (tmp_path / "tests" / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / "tests" / folder / name).write_text("def test_it():\n    pass\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.module_names", "-c", "/dev/null",
         "--rootdir", str(tmp_path), "--collect-only", "-q", "-p", "no:cacheprovider",
         "tests"], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    # tests/pkg is a package: its test_same.py is the module pkg.test_same, no clash.
    assert ("tests/ui/test_same.py and tests/unit/test_same.py are both imported as the "
            "module 'test_same'") in done.stderr
    assert "pkg" not in done.stderr
