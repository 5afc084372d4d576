"""Re-take the README's screenshots of a sync conflict where its text lives: the reflection
window with the day's words written on two devices apart (light and dark, and with
10,000 characters in each version), and goal review with a goal's why merged by editing.
Two real journals edit apart and meet through copies of a sync folder (the real sync,
tests/sync_devices.py); the windows are the real ones, rendered offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/sync_conflict.py

Writes packaging/screenshots/sync-conflict-{light,dark,long}.png and
sync-conflict-goal.png.
"""

from __future__ import annotations

import sys

from shots import OUT, SIZE, application, ritual_runner, save, scratch_home, settle, themes

LAPTOP = ("Slow start, but the walk at lunch cleared my head. Story time with Lea was the "
          "best part.")
DESKTOP = ("Too many meetings. The walk at lunch helped; I finally called Sam back in the "
           "evening.")
LONG = ("A long brain dump about the week, one thought after another, written on the "
        "{where}. ")


def main() -> int:
    scratch = scratch_home(home="home")
    from app.daytime import journal_day, local_now
    from app.launch import wise_command
    from app.ritual_data import goal_cards
    from app.sync.crypto import new_key
    from storage.ritual_writes import RitualWriter
    from tests.sync_devices import Device, meet, template_journal
    from ui.reflection_window import ReflectionWindow
    from ui.review_window import ReviewWindow
    from ui.tasks import Background

    qapp = application()
    template = template_journal(scratch)
    background = Background(threads=1)
    today = journal_day(local_now(), 4)

    def conflict_on_words(name: str, laptop: str, desktop: str) -> Device:
        key = new_key()
        a = Device(scratch / name, "laptop", key, template)
        b = Device(scratch / name, "desktop", key, template)
        for device, words in ((a, laptop), (b, desktop)):
            writer = RitualWriter(device.db)
            writer.save_day_words(today, how_it_went=words, in_the_way="The rain.",
                                  mood=4, energy=3)
            writer.close()
        meet(a, b)
        b.close()
        return a

    def reflection_shot(device: Device, name: str) -> None:
        window = ReflectionWindow(device.db, ritual_runner(device.db, background), lambda: 4,
                                  wise_command)
        window.resize(*SIZE)
        window.open_day(None)
        window.show()
        save(window, f"sync-conflict-{name}.png", wait=1.5)
        window.shutdown()
        window.close()

    short = conflict_on_words("short", LAPTOP, DESKTOP)
    for theme in themes(qapp):
        reflection_shot(short, theme)
    long = conflict_on_words("long", (LONG.format(where="laptop") * 120)[:10_000],
                             (LONG.format(where="desktop") * 120)[:10_000])
    reflection_shot(long, "long")

    # A goal's why, merged by editing in goal review.
    key = new_key()
    a = Device(scratch / "goal", "laptop", key, template)
    b = Device(scratch / "goal", "desktop", key, template)
    goal = RitualWriter(a.db).add_goal("Family", why="Be there for them")
    meet(a, b)
    [b_goal] = [card.id for card in goal_cards(b.db, today, 4)]
    RitualWriter(a.db).update_goal(goal, why="Be there for them, on Sundays at least")
    RitualWriter(b.db).update_goal(b_goal, why="Be there when they need me")
    meet(a, b)
    review = ReviewWindow(a.db, ritual_runner(a.db, background), lambda: 4, wise_command)
    review.resize(*SIZE)
    review.show_goal(goal)
    settle(qapp, 1.5)
    review.goal_page.conflicts.cards[0].start_merge()
    save(review, "sync-conflict-goal.png", wait=0.5)
    review.close()
    background.wait(5000)
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
