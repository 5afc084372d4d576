"""Runs GlobalHotkey in a QApplication of its own, for test_hotkey.py's real X11 test.

Prints one line per event, flushed: "status active=<bool> message=<text>", then "ready",
then "activated main-thread=<bool>" per press; after --presses presses (or --seconds) it
stops the hotkey and prints "stopped listeners-alive=<n> active=<bool>". Exit code 0, or
3 if the hotkey could not be started.
"""

from __future__ import annotations

import argparse
import sys
import threading

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from ui.hotkey import GlobalHotkey


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sequence")
    parser.add_argument("--presses", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()

    app = QGuiApplication(sys.argv[:1])
    hotkey = GlobalHotkey()
    status = hotkey.start(args.sequence)
    say(f"status active={status.active} message={status.message}")
    if not status.active:
        return 3

    presses = 0

    def on_activated() -> None:
        nonlocal presses
        presses += 1
        say(f"activated main-thread={threading.current_thread() is threading.main_thread()}")
        if presses >= args.presses:
            app.quit()

    hotkey.activated.connect(on_activated)
    QTimer.singleShot(int(args.seconds * 1000), app.quit)
    say("ready")
    app.exec()
    hotkey.stop()
    alive = [t for t in threading.enumerate() if t.name.startswith("wise-hotkey")]
    say(f"stopped listeners-alive={len(alive)} active={hotkey.status.active}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
