"""The first-run welcome, in the real tray app on a real journal: it shows on a first start
with an empty journal, goes through by keyboard alone, leaves a goal with its why and
why-ladder, finds a model server on loopback and tests it through `wise llm test`, and
never shows again once finished or skipped."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.journal import Context
from app.launch import installed_command
from app.llm.local_servers import LM_STUDIO, find_local_models
from app.settings.store import load_settings
from app.state import load_state
from tests.fake_openai import Reply
from ui.app import WiseApp
from ui.hotkey import WAYLAND_MESSAGE, HotkeyStatus

pytestmark = pytest.mark.allow_warning_logs(r"^no system tray on this desktop: ")
SLOW_MS = 60_000
TEST_REPLY = json.dumps({"text": "Fill the watering can and water the plants.",
                         "why": "a calm place to come back to", "action_uid": "test-step"})


def start_app(wise_home: Path) -> WiseApp:
    app = WiseApp(Context.from_environment(), log_path=str(wise_home / "logs" / "wise.log"))
    app.start()
    return app


def stop_app(app: WiseApp) -> None:
    app.shutdown()
    QApplication.processEvents()
    for widget in QApplication.topLevelWidgets():
        widget.hide()


@pytest.fixture
def runtime(wise_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))


def welcome_of(app: WiseApp, qtbot):
    qtbot.waitUntil(lambda: app._welcome is not None and app._welcome.isVisible(),
                    timeout=SLOW_MS)
    return app._welcome


def goals(home: Path) -> list[tuple]:
    conn = sqlite3.connect(home / "wise.db")
    try:
        return conn.execute("SELECT title, why, why_ladder FROM goals").fetchall()
    finally:
        conn.close()


def test_a_first_start_welcomes_and_keyboard_alone_goes_through(
        qtbot, wise_home: Path, runtime) -> None:
    app = start_app(wise_home)
    try:
        welcome = welcome_of(app, qtbot)
        assert welcome.current_step() == 0
        assert app.open_windows().get("welcome") is True
        qtbot.keyClick(welcome.next_button, Qt.Key.Key_Return)
        assert welcome.current_step() == 1
        assert welcome.focusWidget() is welcome.goal_title or not welcome.isActiveWindow()
        qtbot.keyClicks(welcome.goal_title, "Be there for my kids")
        qtbot.keyClicks(welcome.why_edits[0], "to see them grow")
        # "Ask me why again" by its mnemonic, twice: three levels, then no more.
        for answer in ("they are only small once", "it is what I will remember"):
            welcome.deeper_button.click()
            shown = [e for e, r in zip(welcome.why_edits, welcome.why_rows, strict=True)
                     if not r.isHidden()]
            qtbot.keyClicks(shown[-1], answer)
        assert not welcome.deeper_button.isEnabled()  # at most three levels
        qtbot.keyClick(welcome.goal_title, Qt.Key.Key_Return)  # Enter in a field: Next
        qtbot.waitUntil(lambda: welcome.current_step() == 2, timeout=SLOW_MS)
        [(title, why, ladder)] = goals(wise_home)
        assert (title, why) == ("Be there for my kids", "it is what I will remember")
        assert json.loads(ladder) == ["to see them grow", "they are only small once",
                                      "it is what I will remember"]
        assert "saved" in welcome.status.text()
        # The capture step: the shortcut pressed while it shows is acknowledged.
        app.hotkey.activated.emit()
        assert welcome.capture_result.text().startswith("✓")
        qtbot.keyClick(welcome.next_button, Qt.Key.Key_Return)
        assert welcome.current_step() == 3
        welcome.times["schedule.reflection_time"].setTime(
            welcome.times["schedule.reflection_time"].time().addSecs(-3600))
        qtbot.keyClick(welcome.next_button, Qt.Key.Key_Return)  # Finish
        assert not welcome.isVisible()
        assert load_state(wise_home / "state.json").welcome == "finished"
        settings = load_settings(wise_home / "settings.toml")
        assert settings.get("schedule.reflection_time") == "20:00"
        assert settings.explicit.keys() == {"schedule.reflection_time"}  # only what changed
    finally:
        stop_app(app)
    # Never again on its own, even with the journal made empty again.
    conn = sqlite3.connect(wise_home / "wise.db")
    conn.execute("DELETE FROM goals")
    conn.commit()
    conn.close()
    again = start_app(wise_home)
    try:
        qtbot.waitUntil(lambda: again.capture_window.isHidden() and again.health_checks_done,
                        timeout=SLOW_MS)
        qtbot.wait(200)  # the welcome's own check runs on the same writer thread, after
        again.background.wait(10_000)
        QApplication.processEvents()
        assert again._welcome is None
        again.show_welcome()  # what Settings' button and `wise open welcome` do
        assert again._welcome.isVisible()
    finally:
        stop_app(again)


def test_escape_skips_it_for_good_and_nothing_is_saved(qtbot, wise_home: Path,
                                                       runtime) -> None:
    app = start_app(wise_home)
    try:
        welcome = welcome_of(app, qtbot)
        welcome.next()
        qtbot.keyClicks(welcome.goal_title, "half typed")
        qtbot.keyClick(welcome, Qt.Key.Key_Escape)
        assert not welcome.isVisible()
        assert load_state(wise_home / "state.json").welcome == "skipped"
        assert goals(wise_home) == []
    finally:
        stop_app(app)


def test_a_journal_with_something_in_it_is_not_welcomed(qtbot, wise, wise_home: Path,
                                                         runtime) -> None:
    assert wise("capture", "an old thought").code == 0
    app = start_app(wise_home)
    try:
        qtbot.waitUntil(lambda: app.health_checks_done > 0, timeout=SLOW_MS)
        app.background.wait(10_000)
        QApplication.processEvents()
        assert app._welcome is None
        assert load_state(wise_home / "state.json").welcome is None
    finally:
        stop_app(app)


def test_a_goal_without_a_title_is_not_made_and_the_step_goes_on(qtbot, wise_home: Path,
                                                                 runtime) -> None:
    app = start_app(wise_home)
    try:
        welcome = welcome_of(app, qtbot)
        welcome.go_to(1)
        welcome.why_edits[0].setText("a why without a goal")
        welcome.deeper_button.click()  # answered: the next question shows
        assert not welcome.why_rows[1].isHidden()
        welcome.deeper_button.click()  # the second is empty: asked to answer it first
        assert welcome.why_rows[2].isHidden()
        assert "first" in welcome.status.text()
        welcome.next()
        assert welcome.current_step() == 2
        assert goals(wise_home) == []
    finally:
        stop_app(app)


def test_a_goal_there_already_is_not_copied_and_the_words_stay(qtbot, wise_home: Path,
                                                               runtime) -> None:
    """The one rule of every surface that adds goals (storage.repo.goals.GoalTagTaken),
    in the welcome's own words: it has no list to open the goal from, but an empty title
    goes on."""
    from storage.ritual_writes import RitualWriter

    app = start_app(wise_home)
    try:
        welcome = welcome_of(app, qtbot)
        writer = RitualWriter(wise_home / "wise.db")  # added meanwhile, e.g. by the CLI
        writer.add_goal("Run a 5k", why="to feel strong again")
        writer.close()
        welcome.go_to(1)
        welcome.goal_title.setText("run a 5K")
        welcome.why_edits[0].setText("the words I typed")
        welcome.next()
        qtbot.waitUntil(lambda: "already" in welcome.status.text(), timeout=SLOW_MS)
        assert welcome.status.text() == ("“Run a 5k” is one of your goals already. Give this "
                                         "one another title, or clear it to go on.")
        assert welcome.current_step() == 1 and welcome.next_button.isEnabled()
        assert (welcome.goal_title.text(), welcome.why_edits[0].text()) == (
            "run a 5K", "the words I typed")
        welcome.goal_title.clear()
        welcome.next()
        assert welcome.current_step() == 2
        assert goals(wise_home) == [("Run a 5k", "to feel strong again", None)]
    finally:
        stop_app(app)


def test_without_a_global_shortcut_the_exact_command_is_shown_and_copied(
        qtbot, wise_home: Path, runtime) -> None:
    app = start_app(wise_home)
    try:
        welcome = welcome_of(app, qtbot)
        app.hotkey._status = HotkeyStatus(False, WAYLAND_MESSAGE)
        welcome.go_to(2)
        intro = welcome.capture_intro.text()
        assert intro.startswith("Global shortcuts are not available to apps on Wayland. ")
        assert "keyboard settings" in intro
        command = welcome.command_edit.text()
        assert command.split()[0] == installed_command()[0]
        assert command.endswith(" capture") and Path(command.split()[0]).is_absolute()
        welcome.copy_button.click()
        assert QGuiApplication.clipboard().text() == command
        welcome.open_capture_button.click()
        assert app.capture_window.isVisible()
    finally:
        stop_app(app)


def test_the_model_step_finds_a_local_server_and_tests_it(qtbot, wise_home: Path, runtime,
                                                          fake_openai) -> None:
    fake_openai.models = ["qwen2.5-0.5b-instruct"]
    # `wise llm test` asks for a small structured nudge, as Wise's real calls do.
    fake_openai.script(Reply(TEST_REPLY))
    port = urlsplit(fake_openai.base_url).port
    app = start_app(wise_home)
    try:
        welcome = welcome_of(app, qtbot)
        welcome.go_to(3)
        picker = welcome.picker
        picker._find = lambda: find_local_models([(LM_STUDIO, port)])
        with qtbot.waitSignal(picker.looked, timeout=SLOW_MS) as looked:
            picker.look_button.click()
        assert looked.args == [1]
        assert "LM Studio with 1 model" in picker.look_status.text()
        assert picker.model() == ("openai/qwen2.5-0.5b-instruct",
                                  f"http://127.0.0.1:{port}/v1")
        with qtbot.waitSignal(picker.tested, timeout=SLOW_MS) as tested:
            picker.test_button.click()
        outcome = tested.args[0]
        assert outcome.ok, outcome
        assert picker.test_result.text().startswith("✓ It works: openai/qwen2.5-0.5b")
        assert "free" in picker.test_result.text()
        settings = load_settings(wise_home / "settings.toml")  # saved before the test
        assert settings.get("llm.model") == "openai/qwen2.5-0.5b-instruct"
    finally:
        stop_app(app)


def test_a_cloud_provider_without_a_key_says_so_in_plain_words(
        qtbot, wise_home: Path, runtime, file_keyring: Path) -> None:
    app = start_app(wise_home)
    try:
        welcome = welcome_of(app, qtbot)
        welcome.go_to(3)
        picker = welcome.picker
        picker.choice.setCurrentIndex(picker.index_of_data(("cloud", "openai")))
        assert picker.model() == ("openai/gpt-4o-mini", "")
        assert picker.key_edit.isVisibleTo(welcome)
        qtbot.waitUntil(lambda: picker.key_status.text() == "No key is stored yet.",
                        timeout=SLOW_MS)
        with qtbot.waitSignal(picker.tested, timeout=SLOW_MS) as tested:
            picker.test_button.click()
        assert not tested.args[0].ok
        assert "needs a key" in picker.test_result.text()
        picker.key_edit.setText("sk-test-not-real")
        picker.key_button.click()
        qtbot.waitUntil(lambda: picker.key_status.text().startswith("✓ Stored"),
                        timeout=SLOW_MS)
        assert picker.key_edit.text() == ""  # the key leaves the window once stored
        assert "sk-test-not-real" in file_keyring.read_text()
    finally:
        stop_app(app)
