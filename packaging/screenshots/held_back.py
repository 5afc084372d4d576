"""Re-take the screenshots of the replies Wise held back: the link in Settings' model
section and the read-only list it opens (light and dark, one reply of 10,000 characters),
from the real widgets, rendered offscreen.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/held_back.py

Writes packaging/screenshots/held-back-{light,dark}.png and held-back-link.png.
"""

from __future__ import annotations

from shots import application, save, scratch_home, settle, themes


def main() -> int:
    home = scratch_home()
    from app.llm.held_back import held_back_replies
    from app.llm.model_memory import ModelMemory
    from app.paths import resolve_paths
    from ui.settings_window import SettingsWindow

    memory = ModelMemory(home)
    memory.keep_refused(purpose="daily_reflection", model="openai/gemma", rule="echo",
                        detail="10 words in a row from the instructions",
                        text="It is the end of the day. Look back on the day with them.\n"
                             "<journal-data>\nGoals: Family — to be there for them\n"
                             "</journal-data>")
    memory.keep_refused(purpose="nudge", model="openai/gemma", rule="repetition",
                        detail="'mendatang' 1000 times", text="mendatang " * 1000)
    qapp = application()
    paths = resolve_paths()
    for theme in themes(qapp):
        window = SettingsWindow(paths.settings_file,
                                held_back=lambda: held_back_replies(paths.data_dir))
        window.show()
        settle(qapp, 0.2)
        link = window.held_back_link
        if theme == "light":
            save(link.parentWidget(), "held-back-link.png")
        dialog = link.open()
        save(dialog, f"held-back-{theme}.png", wait=0.2)
        dialog.close()
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
