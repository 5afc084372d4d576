"""What the running tray writes (the quick-capture window, the socket) survives `wise export`
then `wise import` into a fresh journal: the README calls the export "complete and
re-importable". The window once stored source 'tray', which the importer refused whole."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.ipc.client import TrayClient
from app.journal import Context
from tests.helpers import export_import_export
from ui.app import WiseApp


@pytest.fixture
def tray(qtbot, wise_home: Path, monkeypatch: pytest.MonkeyPatch):
    """The tray app in this process (no tray icon offscreen: its fallback window shows)."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    app = WiseApp(Context.from_environment(), log_path=str(wise_home / "logs" / "wise.log"))
    app.start()
    qtbot.addWidget(app.capture_window)
    yield app
    app.shutdown()
    for widget in QApplication.topLevelWidgets():
        widget.hide()


@pytest.mark.allow_warning_logs  # "no system tray" is logged as a warning, on purpose
def test_a_capture_from_the_window_round_trips(tray, qtbot, wise, wise_home: Path,
                                               tmp_path: Path) -> None:
    assert wise("goals", "add", "Family").code == 0
    for line in ("[ ] call dad about christmas #family ~10m", "felt calm after the walk #calm"):
        tray.show_capture()  # as the hotkey does
        tray.capture_window.box.setPlainText(line)
        with qtbot.waitSignal(tray.capture_window.submitted):
            qtbot.keyClick(tray.capture_window.box, "\r")
        qtbot.waitUntil(lambda: not tray.capture_window.isVisible(), timeout=5000)  # saved
    journal = export_import_export(wise, tmp_path)
    assert [(a["title"], a["source"]) for a in journal["actions"]] == [
        ("call dad about christmas", "capture")]
    assert [(e["text"], e["source"], e["tags"]) for e in journal["entries"]] == [
        ("felt calm after the walk", "capture", ["calm"])]


@pytest.mark.allow_warning_logs
def test_a_capture_over_the_socket_round_trips(tray, qtbot, wise, tmp_path: Path) -> None:
    client = TrayClient(tray.ipc.path)
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("reply", client.request(
        {"cmd": "capture", "text": "+ watered the plants", "uid": "a-uid-from-a-script"})))
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=10000)
    assert box["reply"]["saved"]
    journal = export_import_export(wise, tmp_path)
    assert [(a["uid"], a["status"], a["source"]) for a in journal["actions"]] == [
        ("a-uid-from-a-script", "done", "capture")]
