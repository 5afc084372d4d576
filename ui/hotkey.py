"""The global shortcut that opens quick capture from anywhere.

It grabs exactly one key combination from the system and never watches any other key (a
private journal must not see what the user types elsewhere). X11: XGrabKey on a separate
display connection; Windows: RegisterHotKey. Wayland and macOS give apps no such key, so
the status tells the user how to bind `wise capture` in their desktop's settings instead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple, Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)

MODIFIERS = ("Meta", "Ctrl", "Alt", "Shift")  # Qt's portable names, in its order
FUNCTION_KEYS = tuple(f"F{n}" for n in range(1, 13))
SUGGESTIONS = ("Ctrl+Alt+Space", "Ctrl+Alt+J", "Ctrl+Shift+Space", "Meta+J")

# X11 modifier masks (X.h); kept here so parsing and mapping need no X connection.
_X_SHIFT, _X_LOCK, _X_CONTROL, _X_MOD1, _X_MOD2, _X_MOD4 = 1, 2, 4, 8, 16, 64
_X11_MASKS = {"Ctrl": _X_CONTROL, "Alt": _X_MOD1, "Shift": _X_SHIFT, "Meta": _X_MOD4}

# Windows (winuser.h).
_WIN_MODS = {"Alt": 0x0001, "Ctrl": 0x0002, "Shift": 0x0004, "Meta": 0x0008}
_WIN_MOD_NOREPEAT = 0x4000
_WIN_WM_HOTKEY, _WIN_WM_QUIT, _WIN_PM_NOREMOVE = 0x0312, 0x0012, 0x0000
_WIN_ERROR_HOTKEY_ALREADY_REGISTERED = 1409

NOT_SET_MESSAGE = ("No global shortcut is set. Quick capture is in the tray menu, and the "
                   "command `wise capture` opens it too.")
STOPPED_MESSAGE = "The global shortcut is off."
WAYLAND_MESSAGE = (
    "Global shortcuts are not available to apps on Wayland. Bind the command `wise capture` "
    "to a keyboard shortcut in your desktop's settings (GNOME: Settings → Keyboard → "
    "Custom Shortcuts; KDE: System Settings → Shortcuts).")
MACOS_MESSAGE = (
    "Wise can't set a global shortcut on macOS. Make one in the Shortcuts app instead: a "
    "shortcut that runs the shell script `wise capture`, with a key added in its details "
    "(or use System Settings → Keyboard → Keyboard Shortcuts).")


@dataclass(frozen=True)
class HotkeyStatus:
    active: bool
    message: str  # for the Settings window: what works, or why not and what to do instead


class KeyCombo(NamedTuple):
    modifiers: frozenset[str]  # a subset of MODIFIERS
    key: str                   # "Space", "A"-"Z", "0"-"9" or "F1"-"F12"

    @property
    def text(self) -> str:
        """Qt's portable text, e.g. "Ctrl+Alt+Space"."""
        return "+".join([*(m for m in MODIFIERS if m in self.modifiers), self.key])


class HotkeyUnavailable(Exception):
    """The shortcut could not be registered; the message says why and what to do."""


def parse_sequence(sequence: str) -> KeyCombo:
    """Parse Qt portable text ("Ctrl+Alt+Space", "Meta+J") into a KeyCombo.

    Raises ValueError, with a reason a person can read, for anything else."""
    parts = [part.strip() for part in sequence.split("+")]
    if not sequence.strip() or any(not part for part in parts):
        raise ValueError("it is not a key combination")
    *modifier_names, key_name = parts
    modifiers: set[str] = set()
    by_lower = {m.lower(): m for m in MODIFIERS}
    for name in modifier_names:
        modifier = by_lower.get(name.lower())
        if modifier is None:
            raise ValueError(f"“{name}” is not a modifier (use Ctrl, Alt, Shift or Meta)")
        if modifier in modifiers:
            raise ValueError(f"{modifier} appears twice")
        modifiers.add(modifier)
    key = _canonical_key(key_name)
    if key is None:
        if key_name.lower() in by_lower:
            raise ValueError("it has no key besides the modifiers")
        raise ValueError(f"the key “{key_name}” is not supported "
                         "(use Space, a letter, a digit or F1–F12)")
    if key not in FUNCTION_KEYS and not modifiers - {"Shift"}:
        raise ValueError("it needs Ctrl, Alt or Meta, or it would take a key away from typing")
    return KeyCombo(frozenset(modifiers), key)


def _canonical_key(name: str) -> str | None:
    upper = name.upper()
    if upper == "SPACE":
        return "Space"
    if len(name) == 1 and name.isascii() and name.isalnum():
        return upper
    if upper in FUNCTION_KEYS:
        return upper
    return None


def x11_modifier_mask(modifiers: frozenset[str]) -> int:
    """Ctrl→ControlMask, Alt→Mod1Mask, Shift→ShiftMask, Meta→Mod4Mask."""
    mask = 0
    for modifier in modifiers:
        mask |= _X11_MASKS[modifier]
    return mask


def x11_keysym_name(key: str) -> str:
    """The X keysym name for a KeyCombo key: "Space"→"space", "J"→"j", "F9"→"F9"."""
    if key == "Space":
        return "space"
    if key in FUNCTION_KEYS:
        return key
    return key.lower()


def windows_virtual_key(key: str) -> int:
    """The Windows virtual-key code for a KeyCombo key."""
    if key == "Space":
        return 0x20
    if key in FUNCTION_KEYS:
        return 0x70 + int(key[1:]) - 1
    return ord(key)  # VK codes of A–Z and 0–9 are their ASCII codes


def hotkey_backend(platform_name: str, environ: Mapping[str, str],
                   system: str = sys.platform) -> str:
    """Which way to get a global key: "x11", "windows", "wayland", "macos" or "none"."""
    name = platform_name.lower()
    if name == "xcb":
        return "x11" if environ.get("DISPLAY") else "none"
    if name.startswith("wayland"):
        return "wayland"
    if name in {"windows", "direct2d"} and system == "win32":
        return "windows"
    if name == "cocoa":
        return "macos"
    if name in {"", "offscreen", "minimal", "minimalegl", "linuxfb", "eglfs", "vnc",
                "vkkhrdisplay"}:
        return "none"
    return "wayland" if environ.get("WAYLAND_DISPLAY") else "none"


def _another_combination(combo: KeyCombo) -> str:
    return next(s for s in SUGGESTIONS if s != combo.text)


def _taken_message(combo: KeyCombo) -> str:
    return (f"{combo.text} is already used by another app, so Wise can't have it. Choose "
            f"another combination, for example {_another_combination(combo)}.")


class _Listener(Protocol):
    def stop(self) -> None: ...


class GlobalHotkey(QObject):
    """One global key combination; `activated` fires on the GUI thread when it is pressed."""

    activated = Signal()
    # Emitted by the listening thread. Connected queued to slots of this main-thread
    # object, so `activated` itself is always emitted on the GUI thread.
    _pressed = Signal()
    _lost = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listener: _Listener | None = None
        self._status = HotkeyStatus(False, NOT_SET_MESSAGE)
        self._pressed.connect(self._on_pressed, Qt.ConnectionType.QueuedConnection)
        self._lost.connect(self._on_lost, Qt.ConnectionType.QueuedConnection)

    @property
    def status(self) -> HotkeyStatus:
        return self._status

    def start(self, sequence: str) -> HotkeyStatus:
        """Grab `sequence` (Qt portable text; "" turns the shortcut off), replacing any
        earlier one. Never raises: the status says whether it worked, and if not, why."""
        self.stop()
        self._status = self._start(sequence)
        log.info("global shortcut: %s", self._status.message)
        return self._status

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            self._status = HotkeyStatus(False, STOPPED_MESSAGE)

    def _start(self, sequence: str) -> HotkeyStatus:
        if not sequence or not sequence.strip():  # (None from an unset setting, too)
            return HotkeyStatus(False, NOT_SET_MESSAGE)
        try:
            combo = parse_sequence(sequence)
        except ValueError as exc:
            return HotkeyStatus(False, f"“{sequence}” can't be a global shortcut: {exc}. "
                                       f"Try {SUGGESTIONS[0]}.")
        platform_name = QGuiApplication.platformName()
        backend = hotkey_backend(platform_name, os.environ)
        if backend == "wayland":
            return HotkeyStatus(False, WAYLAND_MESSAGE)
        if backend == "macos":
            return HotkeyStatus(False, MACOS_MESSAGE)
        if backend == "none":
            return HotkeyStatus(False, (
                f"No display: Qt runs on the “{platform_name or 'none'}” platform, so there is "
                "no keyboard to take a shortcut from. The command `wise capture` still works."))
        listener_type = _X11Listener if backend == "x11" else _WindowsListener
        try:
            self._listener = listener_type(combo, self._pressed.emit, self._lost.emit)
        except HotkeyUnavailable as exc:
            return HotkeyStatus(False, str(exc))
        message = f"{combo.text} opens quick capture."
        if backend == "x11" and os.environ.get("WAYLAND_DISPLAY"):
            message += (" This is a Wayland session, where it works only while an X11 app has "
                        "focus; for a shortcut that always works, bind the command "
                        "`wise capture` in your desktop's keyboard settings.")
        return HotkeyStatus(True, message)

    @Slot()
    def _on_pressed(self) -> None:
        if self._listener is not None:
            self.activated.emit()

    @Slot(str)
    def _on_lost(self, reason: str) -> None:
        log.warning("global shortcut stopped working: %s", reason)
        self._listener = None
        self._status = HotkeyStatus(False, (
            f"The global shortcut stopped working ({reason}). Set it again in Settings, or "
            "restart Wise."))


class _X11Listener:
    """XGrabKey on the root window of a display connection of its own, read by a thread."""

    def __init__(self, combo: KeyCombo, on_press: Callable[[], None],
                 on_lost: Callable[[str], None]) -> None:
        try:
            from Xlib import XK, X, display, error  # X11 only, so imported here
        except ImportError as exc:
            raise HotkeyUnavailable(
                "The python-xlib package is missing, so Wise can't take a global key here. "
                "Reinstall Wise, or bind the command `wise capture` in your desktop's "
                "keyboard settings.") from exc
        self._X, self._error = X, error
        self._on_press, self._on_lost = on_press, on_lost
        try:
            self._display = display.Display()
        except (error.DisplayError, error.XauthError, error.XNoAuthError, OSError) as exc:
            raise HotkeyUnavailable(
                f"Wise could not connect to the X display {os.environ.get('DISPLAY', '')} "
                f"({exc}). Bind the command `wise capture` in your desktop's keyboard "
                "settings instead.") from exc
        self._root = self._display.screen().root
        keysym = XK.string_to_keysym(x11_keysym_name(combo.key))
        self._keycode = self._display.keysym_to_keycode(keysym) if keysym else 0
        if not self._keycode:
            self._display.close()
            raise HotkeyUnavailable(f"This keyboard has no {combo.key} key. Choose another "
                                    f"combination, for example {_another_combination(combo)}.")
        base = x11_modifier_mask(combo.modifiers)
        self._masks = [base | extra for extra in self._lock_combinations(XK, base)]
        catch = error.CatchError(error.BadAccess)
        for mask in self._masks:
            self._root.grab_key(self._keycode, mask, False, X.GrabModeAsync, X.GrabModeAsync,
                                onerror=catch)
        self._display.sync()  # a round trip, so a BadAccess has arrived by now
        if catch.get_error() is not None:
            self._release()
            raise HotkeyUnavailable(_taken_message(combo))
        self._last_release_time = -1
        self._stopping = False
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name="wise-hotkey-x11", daemon=True)
        self._thread.start()

    def _lock_combinations(self, XK, base: int) -> list[int]:
        """Every combination of CapsLock, NumLock and ScrollLock, so that a lock being on
        doesn't stop the shortcut (X matches modifiers exactly)."""
        mapping = self._display.get_modifier_mapping()

        def mask_of(keysym_name: str) -> int:
            keycode = self._display.keysym_to_keycode(XK.string_to_keysym(keysym_name))
            for index, keycodes in enumerate(mapping):
                if keycode and keycode in keycodes:
                    return 1 << index
            return 0

        candidates = {_X_LOCK, mask_of("Num_Lock") or _X_MOD2, mask_of("Scroll_Lock")}
        locks = sorted(mask for mask in candidates if mask and not mask & base)
        return sorted({sum(subset) for n in range(len(locks) + 1)
                       for subset in combinations(locks, n)})

    def _run(self) -> None:
        X = self._X
        try:
            fd = self._display.fileno()
            while True:
                while self._display.pending_events():
                    event = self._display.next_event()
                    if event.type == X.KeyRelease:
                        self._last_release_time = event.time
                    elif event.type == X.KeyPress and event.time != self._last_release_time:
                        # (auto-repeat sends a release and a press with the same time)
                        self._on_press()
                readable, _, _ = select.select([fd, self._wake_read], [], [])
                if self._wake_read in readable:
                    return
        except Exception as exc:  # the X connection died: say so, don't crash
            if not self._stopping:
                # (RuntimeError: the GlobalHotkey was deleted without stop(); nobody to tell)
                with contextlib.suppress(RuntimeError):
                    self._on_lost(f"the X display connection ended: {exc or type(exc).__name__}")

    def stop(self) -> None:
        self._stopping = True
        os.write(self._wake_write, b"x")
        self._thread.join(timeout=2)
        os.close(self._wake_read)
        os.close(self._wake_write)
        self._release()

    def _release(self) -> None:
        """Ungrab and close the connection (closing alone would also end the grabs)."""
        try:
            for mask in self._masks:
                self._root.ungrab_key(self._keycode, mask)
            self._display.close()
        except (self._error.ConnectionClosedError, self._error.XError, OSError):
            log.debug("X display already gone while releasing the shortcut", exc_info=True)


class _WindowsListener:
    """RegisterHotKey on a thread of its own, which then waits in a message loop for
    WM_HOTKEY. stop() posts WM_QUIT to that thread; it unregisters on the way out."""

    _ID = 1

    def __init__(self, combo: KeyCombo, on_press: Callable[[], None],
                 on_lost: Callable[[str], None]) -> None:
        import ctypes  # Windows only, so imported here
        from ctypes import wintypes

        self._ctypes, self._wintypes = ctypes, wintypes
        # ctypes.WinDLL exists on Windows only: a type checker run for Linux does not know it.
        user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        user32.RegisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int, wintypes.UINT,
                                          wintypes.UINT]
        user32.RegisterHotKey.restype = wintypes.BOOL
        user32.UnregisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int]
        user32.UnregisterHotKey.restype = wintypes.BOOL
        user32.GetMessageW.argtypes = [ctypes.POINTER(wintypes.MSG), wintypes.HWND,
                                       wintypes.UINT, wintypes.UINT]
        user32.GetMessageW.restype = wintypes.BOOL
        user32.PeekMessageW.argtypes = [ctypes.POINTER(wintypes.MSG), wintypes.HWND,
                                        wintypes.UINT, wintypes.UINT, wintypes.UINT]
        user32.PeekMessageW.restype = wintypes.BOOL
        user32.PostThreadMessageW.argtypes = [wintypes.DWORD, wintypes.UINT, wintypes.WPARAM,
                                              wintypes.LPARAM]
        user32.PostThreadMessageW.restype = wintypes.BOOL
        kernel32.GetCurrentThreadId.restype = wintypes.DWORD
        self._user32, self._kernel32 = user32, kernel32

        modifiers = _WIN_MOD_NOREPEAT
        for modifier in combo.modifiers:
            modifiers |= _WIN_MODS[modifier]
        self._on_press, self._on_lost = on_press, on_lost
        self._thread_id = 0
        self._error = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(modifiers, windows_virtual_key(combo.key)),
            name="wise-hotkey-windows", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=5):
            raise HotkeyUnavailable("Windows did not answer when Wise asked for the shortcut. "
                                    "Restart Wise, or choose another combination.")
        if self._error:
            self._thread.join(timeout=2)
            if self._error == _WIN_ERROR_HOTKEY_ALREADY_REGISTERED:
                raise HotkeyUnavailable(_taken_message(combo))
            raise HotkeyUnavailable(f"Windows refused {combo.text} (error {self._error}). "
                                    f"Choose another combination, for example "
                                    f"{_another_combination(combo)}.")

    def _run(self, modifiers: int, virtual_key: int) -> None:
        ctypes, user32 = self._ctypes, self._user32
        msg = self._wintypes.MSG()
        # Make sure this thread has a message queue before anyone posts to it.
        user32.PeekMessageW(ctypes.byref(msg), None, 0, 0, _WIN_PM_NOREMOVE)
        self._thread_id = self._kernel32.GetCurrentThreadId()
        if not user32.RegisterHotKey(None, self._ID, modifiers, virtual_key):
            self._error = ctypes.get_last_error() or -1
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                result = user32.GetMessageW(ctypes.byref(msg), None, 0, 0)
                if result == 0:  # WM_QUIT, posted by stop()
                    return
                if result == -1:
                    self._on_lost(f"Windows error {ctypes.get_last_error()}")
                    return
                if msg.message == _WIN_WM_HOTKEY and msg.wParam == self._ID:
                    self._on_press()
        finally:
            user32.UnregisterHotKey(None, self._ID)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._user32.PostThreadMessageW(self._thread_id, _WIN_WM_QUIT, 0, 0)
            self._thread.join(timeout=2)
