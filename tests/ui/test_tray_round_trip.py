"""What the running tray writes (the quick-capture window, the socket) survives `wise export`
then `wise import` into a fresh journal: the README calls the export "complete and
re-importable". The window once stored source 'tray', which the importer refused whole."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.ipc.client import TrayClient
from tests.helpers import export_import_export


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
def test_a_capture_from_the_window_round_trips(tray_app, qtbot, wise, wise_home: Path,
                                               tmp_path: Path) -> None:
    assert wise("goals", "add", "Family").code == 0
    for line in ("[ ] call dad about christmas #family ~10m", "felt calm after the walk #calm"):
        tray_app.show_capture()  # as the hotkey does
        tray_app.capture_window.box.setPlainText(line)
        with qtbot.waitSignal(tray_app.capture_window.submitted):
            qtbot.keyClick(tray_app.capture_window.box, "\r")
        qtbot.waitUntil(lambda: not tray_app.capture_window.isVisible(), timeout=5000)  # saved
    journal = export_import_export(wise, tmp_path)
    assert [(a["title"], a["source"]) for a in journal["actions"]] == [
        ("call dad about christmas", "capture")]
    assert [(e["text"], e["source"], e["tags"]) for e in journal["entries"]] == [
        ("felt calm after the walk", "capture", ["calm"])]


@pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
def test_a_capture_over_the_socket_round_trips(tray_app, qtbot, wise, tmp_path: Path) -> None:
    client = TrayClient(tray_app.ipc.path)
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("reply", client.request(
        {"cmd": "capture", "text": "+ watered the plants", "uid": "a-uid-from-a-script"})))
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=10000)
    assert box["reply"]["saved"]
    journal = export_import_export(wise, tmp_path)
    assert [(a["uid"], a["status"], a["source"]) for a in journal["actions"]] == [
        ("a-uid-from-a-script", "done", "capture")]
