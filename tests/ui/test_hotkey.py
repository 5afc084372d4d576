"""The global shortcut: parsing, choosing a backend, honest statuses, and a real X11 grab
(an Xvfb server, the hotkey in a subprocess on Qt's xcb platform, keys sent by xdotool)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

from tests.helpers import require_tools
from tests.xvfb import start_xvfb
from ui.hotkey import (
    GlobalHotkey,
    HotkeyStatus,
    KeyCombo,
    hotkey_backend,
    parse_sequence,
    windows_virtual_key,
    x11_keysym_name,
    x11_modifier_mask,
)

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("hotkey_probe.py")

# -- parsing and mapping -------------------------------------------------------------------


@pytest.mark.parametrize(("sequence", "modifiers", "key"), [
    ("Ctrl+Alt+Space", {"Ctrl", "Alt"}, "Space"),
    ("Meta+J", {"Meta"}, "J"),
    ("ctrl+shift+j", {"Ctrl", "Shift"}, "J"),
    ("Alt+Shift+7", {"Alt", "Shift"}, "7"),
    ("Ctrl + Alt + F12", {"Ctrl", "Alt"}, "F12"),
    ("F9", set(), "F9"),
])
def test_parse_sequence(sequence, modifiers, key):
    assert parse_sequence(sequence) == (frozenset(modifiers), key)


@pytest.mark.parametrize("sequence", [
    "", "   ", "Ctrl", "Ctrl+Alt", "Space", "J", "Shift+J", "Ctrl+", "+J", "Ctrl++",
    "Ctrl+Ctrl+J", "Hyper+J", "Ctrl+Alt+Enter", "Ctrl+F13", "Ctrl+J+K", "Ctrl+é", "garbage",
])
def test_parse_sequence_rejects_what_it_cannot_grab(sequence):
    with pytest.raises(ValueError, match=r"\w"):
        parse_sequence(sequence)


@pytest.mark.parametrize("sequence", ["Ctrl+Alt+Space", "Meta+J", "Ctrl+Shift+F5", "Alt+3",
                                      "Meta+Ctrl+Alt+Shift+K"])
def test_canonical_text_round_trips_through_qt(sequence):
    """What Settings stores (QKeySequence's portable text) parses back to the same text."""
    qt_text = QKeySequence(sequence).toString(QKeySequence.SequenceFormat.PortableText)
    assert parse_sequence(qt_text).text == qt_text


def test_x11_mapping():
    ctrl_alt_space = parse_sequence("Ctrl+Alt+Space")
    assert x11_modifier_mask(ctrl_alt_space.modifiers) == 4 | 8  # ControlMask | Mod1Mask
    assert x11_modifier_mask(frozenset({"Shift", "Meta"})) == 1 | 64  # ShiftMask | Mod4Mask
    assert [x11_keysym_name(k) for k in ("Space", "J", "5", "F1", "F12")] == [
        "space", "j", "5", "F1", "F12"]


def test_windows_mapping():
    assert [windows_virtual_key(k) for k in ("Space", "J", "0", "F1", "F12")] == [
        0x20, 0x4A, 0x30, 0x70, 0x7B]


@pytest.mark.parametrize(("platform", "env", "system", "backend"), [
    ("xcb", {"DISPLAY": ":0"}, "linux", "x11"),
    ("xcb", {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", "x11"),  # XWayland
    ("xcb", {}, "linux", "none"),
    ("wayland", {"WAYLAND_DISPLAY": "wayland-0"}, "linux", "wayland"),
    ("wayland-egl", {}, "linux", "wayland"),
    ("offscreen", {"WAYLAND_DISPLAY": "wayland-0"}, "linux", "none"),
    ("minimal", {}, "linux", "none"),
    ("eglfs", {}, "linux", "none"),
    ("windows", {}, "win32", "windows"),
    ("cocoa", {}, "darwin", "macos"),
    ("something-new", {"WAYLAND_DISPLAY": "wayland-0"}, "linux", "wayland"),
    ("something-new", {}, "linux", "none"),
])
def test_hotkey_backend(platform, env, system, backend):
    assert hotkey_backend(platform, env, system) == backend


# -- statuses where no key can be grabbed (the test app runs offscreen) ---------------------


def test_offscreen_gives_an_inactive_status_that_says_there_is_no_display(qapp):
    hotkey = GlobalHotkey()
    status = hotkey.start("Ctrl+Alt+Space")
    assert status == hotkey.status
    assert not status.active
    assert "no display" in status.message.lower()
    assert "wise capture" in status.message
    hotkey.stop()


def test_an_empty_sequence_turns_the_shortcut_off(qapp):
    status = GlobalHotkey().start("")
    assert status == HotkeyStatus(False, status.message)
    assert "no global shortcut" in status.message.lower()


def test_a_bad_sequence_is_named_and_a_good_one_suggested(qapp):
    status = GlobalHotkey().start("Ctrl+Banana")
    assert not status.active
    assert "Ctrl+Banana" in status.message
    assert "Banana" in status.message.split(":", 1)[1]
    assert "Ctrl+Alt+Space" in status.message


def test_keycombo_text_is_in_qt_order():
    assert KeyCombo(frozenset({"Meta", "Shift", "Alt", "Ctrl"}), "K").text == (
        "Meta+Ctrl+Alt+Shift+K")


# -- a real X server -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    """A private Xvfb server; the display number is picked by Xvfb itself (-displayfd)."""
    require_tools("Xvfb", "xdotool", install="xvfb xdotool")
    server, display = start_xvfb()
    try:
        yield display
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Probe:
    """tests/ui/hotkey_probe.py running on the xcb platform; its output lines in a queue."""

    def __init__(self, display: str, sequence: str, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
        self.process = subprocess.Popen(
            [sys.executable, str(PROBE), sequence, *args], cwd=ROOT, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, prefix: str, timeout: float = 5) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise AssertionError(
                    f"no {prefix!r} within {timeout} s; output so far: {self.seen}; "
                    f"stderr: {self._stderr()}")
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def _stderr(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read()

    def finish(self, timeout: float = 10) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout=5)
        self.process.stdout.close()
        self.process.stderr.close()


def xdotool(display: str, *keys: str) -> None:
    subprocess.run(["xdotool", "key", *keys], env={**os.environ, "DISPLAY": display},
                   check=True, timeout=10)


def x_modifier_state(display: str) -> int:
    from Xlib import display as xdisplay

    connection = xdisplay.Display(display)
    try:
        return connection.screen().root.query_pointer().mask
    finally:
        connection.close()


def test_x11_hotkey_fires_on_the_gui_thread_also_with_locks_on(x_display):
    probe = Probe(x_display, "Ctrl+Alt+Space", "--presses", "3")
    try:
        status = probe.expect("status", timeout=20)
        assert status == "status active=True message=Ctrl+Alt+Space opens quick capture."
        probe.expect("ready")
        xdotool(x_display, "ctrl+alt+space")
        assert probe.expect("activated") == "activated main-thread=True"

        xdotool(x_display, "Num_Lock")
        assert x_modifier_state(x_display) & 16, "NumLock (Mod2) should be on"
        xdotool(x_display, "ctrl+alt+space")
        assert probe.expect("activated") == "activated main-thread=True"

        xdotool(x_display, "Caps_Lock")
        assert x_modifier_state(x_display) & (2 | 16) == 2 | 16, "Caps and NumLock should be on"
        xdotool(x_display, "ctrl+alt+space")
        assert probe.expect("activated") == "activated main-thread=True"

        # stop() ends the listening thread and leaves the hotkey inactive.
        assert probe.expect("stopped") == "stopped listeners-alive=0 active=False"
        assert probe.finish() == 0
    finally:
        probe.close()
        xdotool(x_display, "Num_Lock", "Caps_Lock")
    assert x_modifier_state(x_display) & (2 | 16) == 0


def test_x11_a_taken_combination_gives_an_inactive_status_naming_it(x_display):
    holder = Probe(x_display, "Ctrl+Alt+Space")
    try:
        holder.expect("ready", timeout=20)
        second = Probe(x_display, "Ctrl+Alt+Space")
        try:
            status = second.expect("status", timeout=20)
            assert status.startswith("status active=False message=Ctrl+Alt+Space is already used")
            assert "Ctrl+Alt+J" in status  # another combination to try
            assert second.finish() == 3
        finally:
            second.close()
        # The failed attempt took nothing away from the app that holds the combination.
        xdotool(x_display, "ctrl+alt+space")
        assert holder.expect("activated") == "activated main-thread=True"
        assert holder.finish() == 0
    finally:
        holder.close()


def test_x11_stop_releases_the_combination_for_others(x_display):
    first = Probe(x_display, "Ctrl+Alt+J")
    try:
        first.expect("ready", timeout=20)
        xdotool(x_display, "ctrl+alt+j")
        first.expect("stopped")
        assert first.finish() == 0
    finally:
        first.close()
    second = Probe(x_display, "Ctrl+Alt+J")
    try:
        assert second.expect("status", timeout=20).startswith("status active=True")
        second.expect("ready")
        xdotool(x_display, "ctrl+alt+j")
        assert second.expect("activated") == "activated main-thread=True"
        assert second.finish() == 0
    finally:
        second.close()
