"""Re-take the README's screenshots of the reflection and goal-review windows, light and
dark: the real windows on the demo journal (demo_journal.py), rendered offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/windows.py

Writes packaging/screenshots/{reflection,review-goals,review-goal,review-week,
review-memory}-{light,dark}.png. The dark look is a plain dark palette, as a desktop's
dark theme hands to Qt (shots.dark_palette).
"""

from __future__ import annotations

import subprocess
import sys

from shots import HERE, OUT, SIZE, application, ritual_runner, save, scratch_home, settle, themes


def main() -> int:
    scratch_home()
    subprocess.run([sys.executable, str(HERE / "demo_journal.py")], check=True)

    from app.journal import Context
    from app.launch import wise_command
    from ui.reflection_window import ReflectionWindow
    from ui.review_window import ReviewWindow
    from ui.tasks import Background

    qapp = application()
    context = Context.from_environment()
    background = Background(threads=1)
    run_ritual = ritual_runner(context.paths.db, background)

    for theme in themes(qapp):
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
        save(reflection, f"reflection-{theme}.png", wait=1.5)
        reflection.shutdown()
        reflection.close()

        review = ReviewWindow(context.paths.db, run_ritual, lambda: context.day_start_hour,
                              wise_command)
        review.resize(*SIZE)
        review.show_goal(None)
        save(review, f"review-goals-{theme}.png", wait=1.5)
        review.open_goal(1)
        save(review, f"review-goal-{theme}.png", wait=1.5)
        review.show_page(2)
        save(review, f"review-week-{theme}.png", wait=1.5)
        review.close()
    background.wait(5000)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
