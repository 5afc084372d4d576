"""Setting sync up from Settings, as a person would: real widgets driving the real `wise
sync setup` child against a real folder and a real WebDAV server (rclone), secrets on
the child's stdin only; every failure in plain words with what was typed still there."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from app.paths import resolve_paths
from app.settings.store import load_settings
from app.sync.transport import KEY_FILE
from tests.conftest import ROOT
from tests.helpers import AS_PLAIN_USER, closed_port
from tests.webdav_server import PASSWORD, USER, rclone_webdav
from ui.settings_window import SettingsWindow
from ui.sync_setup import SyncSetupDialog, passphrase_hint, tame

PASSPHRASE = "otter lantern quietly harbour"
SLOW_MS = 90_000  # a child with Argon2 (64 MiB, 3 passes) on a loaded machine
# Records each child's command line and environment, then becomes `wise`: the test then
# knows where the secrets were (and were not) handed over.
RECORDER = """
import json, os, sys
with open(sys.argv[1], "a", encoding="utf-8") as log:
    log.write(json.dumps({"argv": sys.argv, "env": dict(os.environ)}) + "\\n")
os.execv(sys.executable, [sys.executable, "-m", "app.cli.main", *sys.argv[2:]])
"""


@pytest.fixture
def wise_command(tmp_path: Path):
    """The `wise` command line for the children, through the recorder; `.seen()` gives
    what every child was started with."""
    script, log = tmp_path / "recorder.py", tmp_path / "children.jsonl"
    script.write_text(RECORDER, encoding="utf-8")

    class Command:
        def __call__(self) -> list[str]:
            return [*AS_PLAIN_USER, sys.executable, str(script), str(log)]

        def seen(self) -> list[dict]:
            return [json.loads(line) for line in log.read_text().splitlines()]

    return Command()


@pytest.fixture
def settings(qtbot, file_keyring: Path, wise_command, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)  # the children import the test keyring backend from tests/
    window = SettingsWindow(resolve_paths().settings_file, wise_command=wise_command)
    qtbot.add_widget(window)
    window.reload()
    window.show()
    qtbot.wait_exposed(window)
    return window


def fill(dialog: SyncSetupDialog, folder: Path | str, passphrase: str = PASSPHRASE,
         again: str | None = None) -> None:
    dialog.folder_choice.setChecked(True)
    dialog.folder.setText(str(folder))
    dialog.passphrase.setText(passphrase)
    dialog.again.setText(passphrase if again is None else again)


def run(qtbot, dialog: SyncSetupDialog) -> None:
    qtbot.mouseClick(dialog.go, Qt.MouseButton.LeftButton)
    assert dialog.is_running()
    assert not dialog.go.isEnabled() and not dialog.progress_row.isHidden()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=SLOW_MS)


def test_passphrase_hints() -> None:
    assert passphrase_hint("")[0] == "empty"
    assert passphrase_hint("abc") == ("short", "Too short: 7 more characters, at least 10 "
                                               "in all.")
    assert passphrase_hint("aaaaaaaaaaaaaaaaaaaaaaaa")[0] == "weak"
    assert passphrase_hint("abcdefghij")[0] == "weak"
    assert passphrase_hint("otter lantern")[0] == "fair"
    assert passphrase_hint(PASSPHRASE)[0] == "strong"
    assert tame("at " + "x" * 10_000 + " end") == "at " + "x" * 39 + "…" + "x" * 39 + " end"


def test_a_mismatch_or_a_missing_part_is_caught_before_anything_runs(
        qtbot, tmp_path: Path, wise_command) -> None:
    dialog = SyncSetupDialog(wise_command)
    qtbot.add_widget(dialog)
    dialog.show()
    folder = tmp_path / "Sync"
    fill(dialog, folder, again=PASSPHRASE + "!")
    assert dialog.match.text() == "Not the same yet."
    assert dialog.start() is False
    assert "not the same" in dialog.error_text()
    assert dialog.focusWidget() is dialog.again and dialog.again.property("invalid") is True
    dialog.again.setText(PASSPHRASE)
    assert dialog.match.text() == "✓ The same."
    dialog.passphrase.setText("otter\nlantern quietly")  # pasted: it would split on stdin
    dialog.again.setText("otter\nlantern quietly")
    assert dialog.start() is False and "line break" in dialog.error_text()
    assert dialog.focusWidget() is dialog.passphrase
    dialog.passphrase.setText("short")
    dialog.again.setText("short")
    assert dialog.start() is False and "at least 10 characters" in dialog.error_text()
    dialog.webdav_choice.setChecked(True)
    assert dialog.start() is False and dialog.error_text() == "Type the WebDAV address first."
    dialog.url.setText("https://cloud.example.org/dav/")
    dialog.user.setText("sam")
    assert dialog.start() is False and "WebDAV password" in dialog.error_text()
    # Nothing ran, nothing was made; what was typed is all still there.
    assert not dialog.is_running() and not folder.exists()
    assert not (tmp_path / "children.jsonl").exists()
    assert (dialog.folder.text(), dialog.url.text(), dialog.user.text()) == (
        str(folder), "https://cloud.example.org/dav/", "sam")


def test_set_up_from_settings_shows_the_recovery_key_then_syncs_and_stops(
        qtbot, settings: SettingsWindow, tmp_path: Path, wise_command,
        file_keyring: Path) -> None:
    captured = subprocess.run([*wise_command(), "capture", "call mum"], capture_output=True,
                              text=True, check=False)
    assert captured.returncode == 0, captured.stderr
    panel = settings.sync_panel
    assert panel is not None and panel.headline.text() == "Not set up on this device."
    assert panel.setup_button.isVisible() and not panel.now_button.isVisible()
    qtbot.mouseClick(panel.setup_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    folder = tmp_path / "Sync" / "Wise"
    fill(dialog, folder)
    run(qtbot, dialog)

    assert dialog.on_done_page(), dialog.error_text()
    key = dialog.recovery_key()
    assert len(key.split("-")) == 11 and not dialog.key_box.isHidden()
    assert "Keep it somewhere safe" in dialog.key_box.findChild(
        type(dialog.done_text), "caption").text()
    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == key
    assert (folder / KEY_FILE).exists()
    assert load_settings(resolve_paths().settings_file).values["sync.folder"] == str(folder)
    # The passphrase went on stdin: not in the command line, not in the environment, not
    # in the settings; the key is in the keyring.
    _capture, child = wise_command.seen()
    assert child["argv"][2:] == ["sync", "setup", "--folder", str(folder), "--json"]
    assert PASSPHRASE not in json.dumps(child)
    assert PASSPHRASE not in resolve_paths().settings_file.read_text()
    assert "wise-sync" in file_keyring.read_text()
    assert dialog.passphrase.text() == "" and dialog.again.text() == ""

    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    assert panel.headline.text() == f"Syncing with {tame(str(folder))}"
    assert not panel.setup_button.isVisible() and panel.now_button.isVisible()
    qtbot.waitUntil(lambda: panel.status_text().startswith("No sync has run yet"),
                    timeout=SLOW_MS)
    settings.restore_defaults()  # keeps where this device syncs
    assert settings.save() is True
    assert load_settings(resolve_paths().settings_file).values["sync.folder"] == str(folder)
    settings.show()

    qtbot.mouseClick(panel.now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status_text().startswith("Synced just now: "),
                    timeout=SLOW_MS)
    assert re.match(r"Synced just now: sent [1-9]\d* change\(s\), received 0\.$",
                    panel.status_text())
    assert list((folder / "devices").iterdir())

    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    box = panel.confirm_box
    assert box is not None and box.text() == "Stop syncing on this device?"
    stop = next(b for b in box.buttons() if b.text() == "Stop syncing")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.headline.text() == "Not set up on this device.",
                    timeout=SLOW_MS)
    assert load_settings(resolve_paths().settings_file).values["sync.folder"] == ""
    assert (folder / KEY_FILE).exists()  # the shared folder is untouched
    assert settings.save() is True  # and Save does not bring the old folder back
    assert load_settings(resolve_paths().settings_file).values["sync.folder"] == ""


def test_errors_in_plain_words_keep_what_was_typed(
        qtbot, settings: SettingsWindow, tmp_path: Path, wise_command) -> None:
    """A folder that cannot be written, a path the system refuses, a sync folder set up
    elsewhere with another passphrase, a recovery key with a typo or for an empty folder,
    and at last the right recovery key: it joins."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    dialog = settings.sync_panel.open_setup()
    width = dialog.width()
    fill(dialog, locked / "Wise")
    run(qtbot, dialog)
    assert dialog.error_text() == ("Wise cannot write to this folder (Permission denied). "
                                   "Choose a folder you can write to. Nothing was changed.")
    assert dialog.focusWidget() is dialog.folder and dialog.folder.text() == str(locked / "Wise")
    assert dialog.passphrase.text() == PASSPHRASE == dialog.again.text()

    fill(dialog, tmp_path / ("deep-" * 2000))  # 10,000 characters
    run(qtbot, dialog)
    assert dialog.error_text().startswith("Wise cannot write to this folder (File name too "
                                          "long)")
    assert dialog.width() == width  # the message wraps; the window keeps its shape

    shared = tmp_path / "shared"  # another device set it up, with its own passphrase
    other = subprocess.run([*wise_command(), "sync", "setup", "--folder", str(shared), "--json"],
                           input="the other device's words\n", text=True,
                           capture_output=True, check=False,
                           env={**os.environ, "WISE_HOME": str(tmp_path / "other-home")})
    assert other.returncode == 0, other.stderr
    fill(dialog, shared)
    run(qtbot, dialog)
    assert dialog.error_text().startswith("That passphrase does not open this sync folder")
    assert dialog.focusWidget() is dialog.passphrase and dialog.passphrase.text() == PASSPHRASE
    assert load_settings(resolve_paths().settings_file).values["sync.folder"] == ""

    # Forgotten: the recovery key instead. A typo is caught here; an empty folder there.
    qtbot.mouseClick(dialog.switch, Qt.MouseButton.LeftButton)
    assert dialog.secret_card.isHidden() and dialog.go.text() == "Join"
    key = json.loads(other.stdout)["recovery_key"]
    dialog.recovery.setText(key[:-1] + ("0" if key[-1] != "0" else "1"))
    assert dialog.start() is False
    assert dialog.error_text() == ("That recovery key has a typo (its checksum does not "
                                   "match).")
    dialog.recovery.setText(key.lower().replace("-", " "))
    dialog.folder.setText(str(tmp_path / "empty"))
    run(qtbot, dialog)
    assert dialog.error_text().startswith("No device has set sync up in this place yet")
    assert dialog.focusWidget() is dialog.folder
    dialog.folder.setText(str(shared))
    run(qtbot, dialog)
    assert dialog.on_done_page(), dialog.error_text()
    assert dialog.key_box.isHidden() and "joined the sync folder" in dialog.done_text.text()
    assert key not in json.dumps(wise_command.seen())  # on stdin, never the command line


def test_webdav_unreachable_refused_then_set_up(qtbot, settings: SettingsWindow,
                                                tmp_path: Path, wise_command,
                                                file_keyring: Path) -> None:
    with rclone_webdav(tmp_path / "dav") as url, closed_port() as nothing_there:
        dialog = settings.sync_panel.open_setup()
        dialog.webdav_choice.setChecked(True)
        assert dialog.folder_box.isEnabled() is False
        dialog.url.setText(f"http://127.0.0.1:{nothing_there}/wise/")
        dialog.user.setText(USER)
        dialog.password.setText("not the password")
        dialog.passphrase.setText(PASSPHRASE)
        dialog.again.setText(PASSPHRASE)
        run(qtbot, dialog)
        assert dialog.error_text() == (
            "Wise could not reach the WebDAV server (Connection refused). Check the address "
            "and that this computer is online. Nothing was changed.")
        assert dialog.focusWidget() is dialog.url

        dialog.url.setText(url)
        run(qtbot, dialog)
        assert dialog.error_text().startswith("The WebDAV server did not accept this user "
                                              "and password.")
        assert dialog.focusWidget() is dialog.password
        assert dialog.password.text() == "not the password"

        dialog.password.setText(PASSWORD)
        run(qtbot, dialog)
        assert dialog.on_done_page(), dialog.error_text()
        assert len(dialog.recovery_key().split("-")) == 11
        assert list((tmp_path / "dav" / "wise").iterdir())
        values = load_settings(resolve_paths().settings_file).values
        assert (values["sync.webdav_url"], values["sync.webdav_user"]) == (url, USER)
        assert PASSWORD in file_keyring.read_text()
        assert PASSWORD not in resolve_paths().settings_file.read_text()
        for child in wise_command.seen():
            assert PASSWORD not in json.dumps(child) and PASSPHRASE not in json.dumps(child)


def test_the_panel_says_when_by_wise_s_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """'today at …' is today on Wise's one clock: WISE_CLOCK_SHIFT moves it too."""
    from storage.clock import SHIFT_ENV, shift, utc_now
    from ui.sync_panel import _when

    stored = utc_now().replace(tzinfo=None).isoformat()  # as `wise sync status` gives it
    assert _when(stored).startswith("today at ")
    monkeypatch.setenv(SHIFT_ENV, str((shift() + timedelta(days=3)).total_seconds()))
    assert _when(stored).startswith("on ")
