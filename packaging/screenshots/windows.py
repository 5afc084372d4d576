"""Re-take the README's screenshots of the reflection and goal-review windows, light and
dark: the real windows on the demo journal (demo_journal.py), rendered offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/windows.py

Writes packaging/screenshots/{reflection,review-goals,review-goal,review-week,
review-memory}-{light,dark}.png. The dark look is a plain dark palette, as a desktop's
dark theme hands to Qt.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent
SIZE = (1100, 720)


def dark_palette():
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#26282b", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#2b2d31",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#33363a",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#3d7fd6",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#33363a",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#8a8d91",
        QPalette.ColorRole.Link: "#6ea8ff", QPalette.ColorRole.Mid: "#4a4d52",
        QPalette.ColorRole.Dark: "#18191b", QPalette.ColorRole.Light: "#4a4d52",
        QPalette.ColorRole.Midlight: "#3a3d41", QPalette.ColorRole.Shadow: "#000000",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7d81"))
    return palette


def settle(qapp, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.01)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="wise-shots-"))
    os.environ["WISE_HOME"] = str(home)
    import subprocess

    subprocess.run([sys.executable, str(OUT / "demo_journal.py")], check=True,
                   env={**os.environ, "PYTHONPATH": str(OUT.parents[1])})

    from PySide6.QtWidgets import QApplication, QStyleFactory

    from app.journal import Context
    from app.launch import wise_command
    from storage.ritual_writes import RitualWriter
    from ui.reflection_window import ReflectionWindow
    from ui.review_window import ReviewWindow
    from ui.tasks import Background

    qapp = QApplication([sys.argv[0]])
    qapp.setStyle(QStyleFactory.create("Fusion"))
    light = qapp.palette()
    context = Context.from_environment()
    background = Background(threads=1)
    holder: dict = {}

    def run_ritual(work, on_success, on_error):
        def job():
            holder.setdefault("writer", RitualWriter(context.paths.db))
            return work(holder["writer"])
        background.run(job, on_success=on_success, on_error=on_error)

    for theme, palette in (("light", light), ("dark", dark_palette())):
        qapp.setPalette(palette)
        reflection = ReflectionWindow(context.paths.db, run_ritual,
                                      lambda: context.day_start_hour, wise_command)
        reflection.resize(*SIZE)
        reflection.open_day(None)
        reflection.show()
        settle(qapp, 1.0)
        reflection.words.how.setPlainText("Slow start, but the walk at lunch cleared my head. "
                                          "Story time with Lea was the best part.")
        reflection.words.in_the_way.setPlainText("The rain, and too many tabs open.")
        for scale, value in ((reflection.words.mood, 4), (reflection.words.energy, 3)):
            if scale.value() != value:  # the light run saved them: a click would clear them
                scale.buttons[value - 1].click()
        reflection.reflection.reflect()  # no model: the plain reflection, from the data
        reflection.wait_for_children(60_000)
        settle(qapp, 1.5)
        reflection.grab().save(str(OUT / f"reflection-{theme}.png"))
        reflection.shutdown()
        reflection.close()

        review = ReviewWindow(context.paths.db, run_ritual, lambda: context.day_start_hour,
                              wise_command)
        review.resize(*SIZE)
        review.show_goal(None)
        settle(qapp, 1.5)
        review.grab().save(str(OUT / f"review-goals-{theme}.png"))
        review.open_goal(1)
        settle(qapp, 1.5)
        review.grab().save(str(OUT / f"review-goal-{theme}.png"))
        review.show_page(2)
        settle(qapp, 1.5)
        review.grab().save(str(OUT / f"review-week-{theme}.png"))
        review.close()
    background.wait(5000)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
