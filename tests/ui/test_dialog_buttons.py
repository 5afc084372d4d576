"""Dialog buttons are the platform style's plain buttons: on a real X server, where Qt's
generic theme would hand OK, Save, Cancel and Close old stock icons (a green tick, a red
X), none of Wise's dialogs shows one (tests/ui/dialog_buttons_probe.py, on xcb)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.xvfb import start_xvfb

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("dialog_buttons_probe.py")


def test_dialog_buttons_carry_no_stock_icons(tmp_path: Path) -> None:
    if not shutil.which("Xvfb"):
        pytest.skip("needs xvfb")
    server, display = start_xvfb()
    try:
        env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT),
                   XDG_RUNTIME_DIR=str(tmp_path), XDG_CURRENT_DESKTOP="")
        done = subprocess.run([sys.executable, str(PROBE)], cwd=ROOT, env=env, text=True,
                              capture_output=True, timeout=120, check=False)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    buttons = [button for dialog in report["dialogs"].values() for button in dialog]
    assert {"Add goal", "Cancel", "Save", "Close", "OK"} <= {text.replace("&", "")
                                                           for text, _icon in buttons}
    assert [text for text, icon in buttons if icon] == []
