"""take.sh's camera: crops of the X screen saved as PNGs, one per request, so the tray and
quick-capture shots need no ImageMagick. Started once (a Qt start costs a moment, a shot
must not: "Saved ✓" stays for less than a second), it reads "X Y WIDTH HEIGHT PATH" lines
on stdin and answers each with "ok" once the file is written.

    DISPLAY=:71 .venv/bin/python packaging/screenshots/grab.py
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    screen = app.primaryScreen()
    for line in sys.stdin:
        x, y, width, height, path = line.split(maxsplit=4)
        shot = screen.grabWindow(0, int(x), int(y), int(width), int(height))
        print("ok" if shot.save(path.strip()) else f"could not write {path.strip()}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
