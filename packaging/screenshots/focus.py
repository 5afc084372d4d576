"""Re-take the README's focus screenshots: the timer window (light and dark, running and
at its end check-in, and with a 10,000-character step) and the ring on the owl at tray
sizes on a light and a dark panel, all from the real widgets, rendered offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/focus.py

Writes packaging/screenshots/focus-{running,check-in}-{light,dark}.png,
focus-long-title.png and focus-ring.png.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import timedelta

from shots import OUT, application, save, scratch_home, themes


def main() -> int:
    scratch_home()
    from PySide6.QtGui import QColor, QImage, QPainter

    from app.focus import RING_STEPS, countdown
    from storage.focus import FocusSession
    from storage.timeutil import utc_now
    from ui.focus_window import FocusWindow
    from ui.icons import IconState, render_state

    qapp = application()
    start = utc_now()
    session = FocusSession(1, "u", 1, None, "Write the first paragraph of the intro", 10,
                           start, 600, None, 0, None, None)
    running = countdown(session, start + timedelta(minutes=3, seconds=18))
    over = countdown(session, start + timedelta(minutes=10, seconds=5))
    for theme in themes(qapp):
        for name, view, words in (("running", running, ""),
                                  ("check-in", over, "Time's up. How did it go?")):
            window = FocusWindow()
            window.show_countdown(view)
            window.say(words)
            window.show()
            save(window, f"focus-{name}-{theme}.png", wait=0.2)
            window.close()
    window = FocusWindow()
    long_title = replace(session, title="A very long step " * 589)
    window.show_countdown(countdown(long_title, start + timedelta(minutes=1)))
    window.say("This is taking longer than you guessed — that's information, not failure.")
    window.show()
    save(window, "focus-long-title.png", wait=0.2)
    window.close()

    states = [IconState(), IconState(focus_ring=RING_STEPS), IconState(focus_ring=16),
              IconState(focus_ring=8), IconState(focus_ring=2),
              IconState(focus_ring=12, focus_paused=True)]
    sizes, pad, cell = (16, 22, 32), 10, 40
    height = sum(sizes) + pad * (len(sizes) + 1)
    image = QImage(len(states) * cell + pad, 2 * height, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    for row, panel in enumerate((QColor("#ECECEC"), QColor("#2B2B2B"))):
        painter.fillRect(0, row * height, image.width(), height, panel)
        y = row * height + pad
        for size in sizes:
            for column, state in enumerate(states):
                painter.drawImage(pad + column * cell, y, render_state(state, size))
            y += size + pad
    painter.end()
    image.scaled(image.width() * 3, image.height() * 3).save(str(OUT / "focus-ring.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
