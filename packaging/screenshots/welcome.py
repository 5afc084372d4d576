"""Re-take the README's screenshots of the welcome's four steps, light and dark: the real
window on a new journal, rendered offscreen. A model server on loopback (tests' fake
OpenAI-compatible one, on a free port) stands in for LM Studio in the model step.

    PYTHONPATH=. .venv/bin/python packaging/screenshots/welcome.py

Writes packaging/screenshots/welcome-{1,2,3,4}-{light,dark}.png, welcome-3-wayland-light.png
and settings-model-light.png.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit

from shots import OUT, application, save, scratch_home, settle, themes


def main() -> int:
    scratch_home()
    subprocess.run([sys.executable, "-m", "app.cli.main", "migrate"], check=True,
                   capture_output=True)
    from app.journal import Context
    from app.launch import wise_command
    from app.llm.local_servers import LM_STUDIO, find_local_models
    from storage.ritual_writes import RitualWriter
    from tests.fake_openai import FakeOpenAI, Reply
    from ui.hotkey import WAYLAND_MESSAGE, HotkeyStatus
    from ui.settings_window import SettingsWindow
    from ui.tasks import Background
    from ui.welcome_window import WelcomeServices, WelcomeWindow

    server = FakeOpenAI().start()
    server.models = ["qwen2.5-3b-instruct", "gemma-3-4b-it"]
    port = urlsplit(server.base_url).port
    qapp = application()
    context = Context.from_environment()
    background = Background(threads=1)
    writer: dict = {}
    status = {"hotkey": HotkeyStatus(True, "Ctrl+Alt+Space opens quick capture.")}

    def add_goal(title, why, ladder, on_success, on_error):
        def job():
            writer.setdefault("w", RitualWriter(context.paths.db))
            return writer["w"].add_goal(title, why=why, why_ladder=ladder)
        background.run(job, on_success=on_success, on_error=on_error)

    def services() -> WelcomeServices:
        return WelcomeServices(
            settings_path=context.paths.settings_file, add_goal=add_goal,
            import_file=lambda *_args: None, show_capture=lambda: None,
            hotkey_status=lambda: status["hotkey"], run_in_background=background.run,
            wise_command=wise_command,
            find_models=lambda: find_local_models([(LM_STUDIO, port)]))

    def shot(window, name: str) -> None:
        save(window, name, wait=0.6)

    for theme in themes(qapp):
        welcome = WelcomeWindow(services())
        welcome.show()
        shot(welcome, f"welcome-1-{theme}.png")
        welcome.go_to(1)
        welcome.goal_title.setText("Be there for my kids")
        welcome.why_edits[0].setText("I want to see them grow up, not just hear about it")
        welcome.go_deeper()
        welcome.why_edits[1].setText("they are only small once")
        welcome.go_deeper()
        welcome.why_edits[2].setText("it is what I will remember when I am old")
        shot(welcome, f"welcome-2-{theme}.png")
        welcome.go_to(2)
        welcome.hotkey_pressed()
        shot(welcome, f"welcome-3-{theme}.png")
        if theme == "light":
            status["hotkey"] = HotkeyStatus(False, WAYLAND_MESSAGE)
            welcome.go_to(2)
            shot(welcome, "welcome-3-wayland-light.png")
            status["hotkey"] = HotkeyStatus(True, "Ctrl+Alt+Space opens quick capture.")
        welcome.go_to(3)
        welcome.picker.look()
        background.wait(10_000)
        settle(qapp, 0.5)
        server.script(Reply('{"text": "Fill the watering can and water the plants.", '
                            '"why": "a calm place to come back to", '
                            '"action_uid": "test-step"}'))
        welcome.picker.test()
        background.wait(120_000)
        shot(welcome, f"welcome-4-{theme}.png")
        welcome.hide()
        if theme == "light":
            settings = SettingsWindow(context.paths.settings_file,
                                      run_in_background=background.run,
                                      wise_command=wise_command, show_welcome=lambda: None)
            settings.resize(720, 760)
            settings.show()
            settle(qapp, 0.5)
            settings._scroll.ensureWidgetVisible(settings.picker, 0, 40)
            shot(settings, "settings-model-light.png")
            settings.hide()
    background.wait(5000)
    server.stop()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
