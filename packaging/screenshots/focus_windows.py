"""Re-take the README's screenshots of focus in the windows, light and dark: Start on the
reflection window's open steps (with the quiet calibration word under a typed estimate),
goal review's heatmaps in minutes with the calibration line and each goal's next step to
start, a goal's steps with their Start buttons (and the calibration word under a step typed
by hand), the fallback window's "Start a step…", and quick capture's preview; then
the same windows with a 10,000-character step. Real windows on the demo journal plus timed
focus sessions (written through the focus store, its clock set for each), offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/focus_windows.py [OUT_DIR]

Writes focus-{reflection,review-minutes,review-goal,fallback}-{light,dark}.png,
focus-capture-hint.png and focus-long-{reflection,review-goal}.png.
"""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shots import HERE, OUT, SIZE, application, ritual_runner, save, scratch_home, settle, themes

# With its "[ ] " and " #book ~15m", a capture of 10,000 characters (its limit).
LONG_STEP = ("Write down every scene I can remember from the old notebook " * 170)[:9_978]


class Clock:
    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


def time_the_demo(db: Path, start_hour: int) -> None:
    """Most done steps of the demo were timed: a session that ended when the step was
    ticked, a little (or a lot) longer than its estimate."""
    from app.daytime import journal_day, local_now
    from app.focus import FocusOutcome, FocusStore
    from app.ritual_data import goal_cards, goal_page

    rng = random.Random(11)
    today = journal_day(local_now(), start_hour)
    done = sorted((step for card in goal_cards(db, today, start_hour)
                   for step in goal_page(db, card.id, today, start_hour).done_actions),
                  key=lambda step: step.done_at)
    clock = Clock()
    store = FocusStore(db, clock=clock)
    try:
        for step in done:
            if rng.random() < 0.3:
                continue
            took = max(2, round((step.estimate_minutes or 10) * rng.uniform(1.1, 2.2)))
            end = step.done_at.astimezone(UTC)
            clock.moment = end - timedelta(minutes=took)
            store.start(action_id=step.id)
            clock.moment = end
            store.finish(FocusOutcome.DONE)
    finally:
        store.close()


class NoTray:
    """The app's side of the fallback window's buttons: nothing to do in a screenshot."""

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None

    def focus_steps(self, fill) -> None:
        fill([(1, "book the dentist", 5), (2, "water the plants", 2),
              (3, "call the school about Friday", 10)])


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    home = scratch_home()
    subprocess.run([sys.executable, str(HERE / "demo_journal.py")], check=True)

    from app.journal import Context

    context = Context.from_environment()
    time_the_demo(context.paths.db, context.day_start_hour)

    from app.capture.store import goal_tags
    from app.drafts import DraftStore
    from app.focus import estimate_calibrations
    from app.launch import wise_command
    from ui.capture_window import CaptureWindow
    from ui.fallback_window import FallbackWindow
    from ui.reflection_window import ReflectionWindow
    from ui.review_window import ReviewWindow
    from ui.tasks import Background

    qapp = application()
    background = Background(threads=1)
    run_ritual = ritual_runner(context.paths.db, background)

    def shoot(theme: str, suffix: str = "") -> None:
        reflection = ReflectionWindow(context.paths.db, run_ritual,
                                      lambda: context.day_start_hour, wise_command)
        reflection.resize(*SIZE)
        reflection.open_day(None)
        reflection.show()
        settle(qapp, 1.2)
        picks = reflection.tomorrow.picks
        picks.setCurrentRow(min(1, picks.count() - 1))
        reflection.tomorrow.new_action.setText("call the bank about the card ~10m")
        name = "focus-long-reflection.png" if suffix else f"focus-reflection-{theme}.png"
        save(reflection, name, wait=0.3, out=out)
        reflection.close()

        review = ReviewWindow(context.paths.db, run_ritual, lambda: context.day_start_hour,
                              wise_command)
        review.resize(*SIZE)
        review.show_goal(None)
        settle(qapp, 1.5)
        review.set_heatmap_unit("minutes", remember=False)
        settle(qapp, 0.3)
        if not suffix:
            save(review, f"focus-review-minutes-{theme}.png", out=out)
        review.open_goal(3)  # Write the book
        settle(qapp, 1.5)
        review.set_heatmap_unit("steps", remember=False)
        if not suffix:  # the calibration word under a step typed by hand
            review.goal_page.step_edit.setText("reread chapter 4 ~10m")
            settle(qapp, 0.3)
        name = "focus-long-review-goal.png" if suffix else f"focus-review-goal-{theme}.png"
        save(review, name, out=out)
        review.close()

    for theme in themes(qapp):
        shoot(theme)
        fallback = FallbackWindow(NoTray())
        fallback.show()
        settle(qapp, 0.3)
        fallback.start_menu.popup(fallback.start_button.mapToGlobal(
            fallback.start_button.rect().bottomLeft()))
        settle(qapp, 0.3)
        shot = fallback.grab()
        menu = fallback.start_menu.grab()
        from PySide6.QtGui import QPainter, QPixmap

        both = QPixmap(shot.width() + menu.width() + 16, max(shot.height(), menu.height()))
        both.fill(qapp.palette().window().color())
        painter = QPainter(both)
        painter.drawPixmap(0, 0, shot)
        painter.drawPixmap(shot.width() + 16, fallback.start_button.geometry().bottom(), menu)
        painter.end()
        both.save(str(out / f"focus-fallback-{theme}.png"))
        fallback.start_menu.close()
        fallback.hide()
    capture = CaptureWindow(DraftStore(home / "draft.txt"), day_start_hour=lambda: 4)
    capture.set_calibrations(estimate_calibrations(context.paths.db))
    capture.set_goals(goal_tags(context.paths.db))
    capture.box.setPlainText("[ ] outline chapter 6 ~20m #book")
    capture.summon()
    save(capture, "focus-capture-hint.png", wait=0.5, out=out)
    capture.hide()

    # A 10,000-character step, through the capture language as a user could paste it.
    subprocess.run([sys.executable, "-m", "app.cli.main", "capture", "-"], check=True,
                   input=f"[ ] {LONG_STEP} #book ~15m".encode(), capture_output=True)
    shoot("light", suffix="long")
    background.wait(5000)
    print(f"screenshots written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
