"""The Settings window, driven as a person would: real widgets, a real settings file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from app.paths import resolve_paths
from app.settings.schema import OPTIONS, option
from app.settings.store import load_settings, write_settings
from ui.hotkey import HotkeyStatus
from ui.settings_window import SECTION_TITLES, SettingsWindow

EDITOR_TYPES = {"int": QSpinBox, "float": QDoubleSpinBox, "bool": QCheckBox,
                "time": QTimeEdit, "choice": QComboBox, "hotkey": QKeySequenceEdit,
                "str": QLineEdit}
linux_only = pytest.mark.skipif(sys.platform in {"win32", "darwin"},
                                reason="checks the XDG autostart entry")


@pytest.fixture(autouse=True)
def xdg_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Start-at-login entries go to a temporary folder, never the real ~/.config."""
    home = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@pytest.fixture
def settings_path(wise_home: Path) -> Path:
    return resolve_paths().settings_file


@pytest.fixture
def open_window(qtbot, settings_path: Path):
    def make(**kwargs) -> SettingsWindow:
        window = SettingsWindow(settings_path, **kwargs)
        qtbot.add_widget(window)
        window.reload()
        window.show()
        qtbot.wait_exposed(window)
        return window

    return make


def test_every_declared_option_has_an_editor_with_its_help(open_window) -> None:
    window = open_window()
    for opt in OPTIONS:
        editor = window.editor(opt.key)
        assert isinstance(editor, EDITOR_TYPES[opt.kind]), opt.key
        assert editor.toolTip() == opt.help
        captions = [label.text() for label in window.findChildren(QLabel)]
        assert opt.help in captions, opt.key


def test_options_are_grouped_under_friendly_titles(open_window) -> None:
    window = open_window()
    titles = {label.text() for label in window.findChildren(QLabel, "groupTitle")}
    sections = {opt.key.rsplit(".", 1)[0] for opt in OPTIONS}
    assert {SECTION_TITLES[s] for s in sections if s in SECTION_TITLES} <= titles
    assert any("works fully without a model" in label.text()
               for label in window.findChildren(QLabel))


def test_editors_respect_the_declared_ranges(open_window) -> None:
    window = open_window()
    for opt in OPTIONS:
        if opt.kind == "int":
            spin = window.editor(opt.key)
            assert (spin.minimum(), spin.maximum()) == (opt.minimum, opt.maximum)
        if opt.kind == "choice":
            combo = window.editor(opt.key)
            assert [combo.itemData(i) for i in range(combo.count())] == list(opt.choices)


def test_a_saved_change_is_written_and_announced(qtbot, open_window,
                                                 settings_path: Path) -> None:
    window = open_window()
    window.editor("day.start_hour").setValue(6)
    with qtbot.wait_signal(window.applied) as applied:
        qtbot.mouseClick(_button(window, "Save"), Qt.MouseButton.LeftButton)
    assert applied.args == [{"day.start_hour": 6}]
    assert load_settings(settings_path).explicit == {"day.start_hour": 6}
    assert not window.isVisible()


def test_saving_without_changes_announces_nothing(qtbot, open_window,
                                                  settings_path: Path) -> None:
    window = open_window()
    with qtbot.assert_not_emitted(window.applied):
        assert window.save()
    assert load_settings(settings_path).explicit == {}


def test_ctrl_s_saves(qtbot, open_window, settings_path: Path) -> None:
    window = open_window()
    activate(qtbot, window)
    window.editor("backup.keep").setValue(20)
    with qtbot.wait_signal(window.applied):
        qtbot.keyClick(window.editor("backup.keep"), Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier)
    assert load_settings(settings_path).explicit == {"backup.keep": 20}


def test_the_file_round_trips_into_the_form(open_window, settings_path: Path) -> None:
    write_settings(settings_path, {
        "day.start_hour": 5, "nudges.enabled": False, "schedule.checkin_time": "07:45",
        "schedule.weekly_review_day": "fri", "capture.hotkey": "Ctrl+Shift+J",
        "llm.model": "ollama_chat/llama3.2"})
    window = open_window()
    assert window.editor("day.start_hour").value() == 5
    assert not window.editor("nudges.enabled").isChecked()
    assert window.editor("schedule.checkin_time").time() == QTime(7, 45)
    assert window.editor("schedule.weekly_review_day").currentData() == "fri"
    assert window.editor("capture.hotkey").keySequence().toString(
        QKeySequence.SequenceFormat.PortableText) == "Ctrl+Shift+J"
    assert window.editor("llm.model").text() == "ollama_chat/llama3.2"
    # Saving unchanged keeps every value exactly.
    before = load_settings(settings_path).explicit
    assert window.save()
    assert load_settings(settings_path).explicit == before


def test_an_invalid_hotkey_is_not_saved(qtbot, open_window, settings_path: Path) -> None:
    window = open_window()
    window.editor("day.start_hour").setValue(7)
    window.editor("capture.hotkey").setKeySequence(QKeySequence("J"))  # no modifier
    with qtbot.assert_not_emitted(window.applied):
        assert not window.save()
    assert "modifiers and a key" in window.field_error("capture.hotkey")
    assert "nothing was saved" in window.status_text()
    assert not settings_path.exists()
    assert window.isVisible()
    # Fixing the field clears its message.
    window.editor("capture.hotkey").setKeySequence(QKeySequence("Ctrl+Alt+J"))
    assert window.field_error("capture.hotkey") == ""


def test_too_long_text_is_not_saved(qtbot, open_window, settings_path: Path) -> None:
    window = open_window()
    window.editor("llm.api_base").setText("x" * 501)
    window.editor("llm.model").setText("x" * 201)  # as a reflection records it (limits)
    with qtbot.assert_not_emitted(window.applied):
        assert not window.save()
    assert "at most 500 characters" in window.field_error("llm.api_base")
    assert "at most 200 characters" in window.field_error("llm.model")
    assert not settings_path.exists()


def test_a_cleared_hotkey_is_saved_as_none(open_window, settings_path: Path) -> None:
    window = open_window()
    window.editor("capture.hotkey").clear()
    assert window.save()
    assert load_settings(settings_path).explicit == {"capture.hotkey": ""}


def test_an_unreadable_file_is_never_overwritten(qtbot, open_window,
                                                 settings_path: Path) -> None:
    settings_path.parent.mkdir(parents=True, exist_ok=True)
    settings_path.write_text("[day\nstart_hour = 5\n", encoding="utf-8")
    before = settings_path.read_bytes()
    window = open_window()
    assert "can't be read" in window.banner_text()
    assert "not valid TOML" in window.banner_text()
    assert not _button(window, "Save").isEnabled()
    activate(qtbot, window)
    with qtbot.assert_not_emitted(window.applied):
        qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert not window.save()
    assert settings_path.read_bytes() == before


def test_a_damaged_file_offers_restore_defaults_keeping_a_copy(qtbot, open_window,
                                                              settings_path: Path) -> None:
    settings_path.parent.mkdir(parents=True, exist_ok=True)
    settings_path.write_text("[day\nstart_hour = 5\n", encoding="utf-8")
    window = open_window()
    button = window.restore_damaged_button
    assert button.isVisibleTo(window) and button.isEnabled()
    assert button.text() == "Restore defaults (a copy of the damaged file is kept)"
    with qtbot.waitSignal(window.applied):
        button.click()
    [copy] = settings_path.parent.glob("settings.toml.damaged-*")
    assert copy.read_text(encoding="utf-8") == "[day\nstart_hour = 5\n"  # kept, word for word
    assert load_settings(settings_path).unreadable is False
    assert load_settings(settings_path).explicit == {}
    assert window.banner_text() == "" and not button.isVisibleTo(window)
    assert _button(window, "Save").isEnabled()
    assert copy.name in window.status_text()
    window.editor("day.start_hour").setValue(6)  # the form works again
    assert window.save()
    assert load_settings(settings_path).get("day.start_hour") == 6


def test_each_field_shows_its_exact_key_quietly(open_window) -> None:
    window = open_window()
    keys = {label.text() for label in window.findChildren(QLabel, "keyName")}
    assert keys == {o.key for o in OPTIONS}


def test_the_model_section_speaks_plainly(open_window) -> None:
    window = open_window()
    words = " ".join(label.text() for label in window.findChildren(QLabel)
                     if label.objectName() in ("caption", "fieldTitle"))
    for jargon in ("litellm", "worker", "stalled", "back-off"):
        assert jargon not in words.lower(), jargon


def test_the_welcome_can_be_reopened_from_settings(open_window) -> None:
    opened: list[bool] = []
    window = open_window(show_welcome=lambda: opened.append(True))
    assert window.welcome_button.isVisibleTo(window)
    window.welcome_button.click()
    assert opened == [True]
    assert not open_window().welcome_button.isVisibleTo(window)  # nothing to open


def test_the_model_picker_fills_the_exact_fields_and_tests(qtbot, open_window, settings_path,
                                                           fake_openai) -> None:
    from urllib.parse import urlsplit

    from app.launch import wise_command
    from app.llm.local_servers import LLAMA_CPP, find_local_models
    from tests.fake_openai import Reply
    from ui.tasks import Background

    fake_openai.models = ["tiny-gemma"]
    from tests.ui.test_welcome_window import TEST_REPLY

    fake_openai.script(Reply(TEST_REPLY))
    port = urlsplit(fake_openai.base_url).port
    background = Background(threads=1)
    window = open_window(run_in_background=background.run, wise_command=wise_command,
                         find_models=lambda: find_local_models([(LLAMA_CPP, port)]))
    picker = window.picker
    with qtbot.waitSignal(picker.looked, timeout=60_000):
        picker.look_button.click()
    assert window.editor("llm.model").text() == "openai/tiny-gemma"
    assert window.editor("llm.api_base").text() == f"http://127.0.0.1:{port}/v1"
    with qtbot.waitSignal(picker.tested, timeout=60_000) as tested:
        picker.test_button.click()
    assert tested.args[0].ok, tested.args[0]
    assert load_settings(settings_path).get("llm.model") == "openai/tiny-gemma"
    background.wait(5_000)


def test_a_file_broken_while_open_is_not_overwritten(open_window,
                                                     settings_path: Path) -> None:
    window = open_window()
    settings_path.parent.mkdir(parents=True, exist_ok=True)
    settings_path.write_text("not = [toml", encoding="utf-8")
    window.editor("day.start_hour").setValue(6)
    assert not window.save()
    assert settings_path.read_text(encoding="utf-8") == "not = [toml"
    assert "can't be read" in window.banner_text()


def test_ignored_keys_are_shown_in_a_banner(open_window, settings_path: Path) -> None:
    settings_path.parent.mkdir(parents=True, exist_ok=True)
    settings_path.write_text("[day]\nstart_hour = 99\n", encoding="utf-8")
    window = open_window()
    assert "must be between 0 and 23" in window.banner_text()
    assert window.editor("day.start_hour").value() == 4
    assert _button(window, "Save").isEnabled()


def test_a_clean_file_shows_no_banner(open_window) -> None:
    assert open_window().banner_text() == ""


def test_restore_defaults_then_save_leaves_no_explicit_keys(open_window,
                                                            settings_path: Path) -> None:
    # day.start_hour = 4 is the default, set explicitly (as `wise config set` can).
    write_settings(settings_path, {"day.start_hour": 4, "backup.keep": 3,
                                   "llm.model": "openai/gpt-4o-mini"})
    window = open_window()
    window.restore_defaults()
    assert window.editor("backup.keep").value() == 10
    assert load_settings(settings_path).explicit["backup.keep"] == 3  # not saved yet
    assert window.save()
    assert load_settings(settings_path).explicit == {}


def test_untouched_explicit_keys_are_kept(open_window, settings_path: Path) -> None:
    write_settings(settings_path, {"day.start_hour": 4})  # the default, pinned
    window = open_window()
    window.editor("nudges.daily_cap").setValue(2)
    assert window.save()
    assert load_settings(settings_path).explicit == {"day.start_hour": 4,
                                                     "nudges.daily_cap": 2}


def test_a_value_set_back_to_its_default_leaves_the_file(open_window,
                                                         settings_path: Path) -> None:
    write_settings(settings_path, {"nudges.daily_cap": 5})
    window = open_window()
    window.editor("nudges.daily_cap").setValue(option("nudges.daily_cap").default)
    assert window.save()
    assert load_settings(settings_path).explicit == {}


def test_changes_made_elsewhere_meanwhile_are_kept(open_window, settings_path: Path) -> None:
    window = open_window()
    write_settings(settings_path, {"backup.keep": 30})  # e.g. `wise config set` meanwhile
    window.editor("day.start_hour").setValue(6)
    assert window.save()
    assert load_settings(settings_path).explicit == {"backup.keep": 30, "day.start_hour": 6}


def test_cancel_discards_edits(qtbot, open_window, settings_path: Path) -> None:
    window = open_window()
    window.editor("day.start_hour").setValue(9)
    qtbot.mouseClick(_button(window, "Cancel"), Qt.MouseButton.LeftButton)
    assert not window.isVisible()
    assert window.editor("day.start_hour").value() == 4
    assert not settings_path.exists()


def test_escape_cancels_even_from_the_hotkey_field(qtbot, open_window) -> None:
    window = open_window()
    activate(qtbot, window)
    window.editor("backup.keep").setValue(11)
    hotkey = window.editor("capture.hotkey")
    hotkey.setFocus()
    qtbot.keyClick(hotkey, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert window.editor("backup.keep").value() == 10
    assert hotkey.keySequence().toString(QKeySequence.SequenceFormat.PortableText) == \
        "Ctrl+Alt+Space"


def test_tab_leaves_the_hotkey_field(qtbot, open_window) -> None:
    window = open_window()
    activate(qtbot, window)
    hotkey = window.editor("capture.hotkey")
    hotkey.setFocus()
    qtbot.keyClick(hotkey, Qt.Key.Key_Tab)
    assert not hotkey.hasFocus()
    assert hotkey.keySequence().toString(QKeySequence.SequenceFormat.PortableText) == \
        "Ctrl+Alt+Space"


def test_closing_hides_the_window(open_window) -> None:
    window = open_window()
    window.editor("day.start_hour").setValue(9)
    window.close()
    assert not window.isVisible()
    assert window.editor("day.start_hour").value() == 4  # closing is Cancel


def test_hotkey_status_is_shown(open_window) -> None:
    wayland = ("Global keys are not available on Wayland; bind the command `wise capture` "
               "to a keyboard shortcut in your desktop's settings instead.")
    window = open_window(hotkey_status=lambda: HotkeyStatus(False, wayland))
    [status] = [lb for lb in window.findChildren(QLabel) if lb.text() == wayland]
    assert status.property("state") == "warning"  # the amber box: it does not work
    assert near(colours(status), AMBER) > 0


def test_a_working_hotkey_is_information_not_a_warning(open_window) -> None:
    window = open_window(
        hotkey_status=lambda: HotkeyStatus(True, "Ctrl+Alt+Space opens quick capture."))
    [status] = [lb for lb in window.findChildren(QLabel)
                if lb.text() == "✓ Ctrl+Alt+Space opens quick capture."]
    assert status.isVisible() and status.property("state") == "ok"
    assert near(colours(status), AMBER) == 0  # no amber box around good news


AMBER = (0xFF, 0xF4, 0xDC)  # the light warning box's background (ui/settings_window.py)


def colours(widget: QWidget) -> list[tuple[int, int, int]]:
    image = widget.grab().toImage()
    return [image.pixelColor(x, y).getRgb()[:3] for x in range(0, image.width(), 3)
            for y in range(0, image.height(), 3)]


def near(pixels: list[tuple[int, int, int]], colour: tuple[int, int, int]) -> int:
    return sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, colour, strict=True)) < 8)


@linux_only
def test_autostart_toggle_writes_and_removes_the_login_entry(
        open_window, settings_path: Path, xdg_config: Path) -> None:
    entry = xdg_config / "autostart" / "wise.desktop"
    window = open_window()
    window.editor("startup.autostart").setChecked(True)
    assert window.save()
    assert entry.is_file()
    assert load_settings(settings_path).explicit == {"startup.autostart": True}

    window.reload()
    window.editor("startup.autostart").setChecked(False)
    assert window.save()
    assert not entry.exists()
    assert load_settings(settings_path).explicit == {}


@linux_only
def test_autostart_failure_keeps_the_setting_and_says_why(
        qtbot, open_window, settings_path: Path, xdg_config: Path) -> None:
    xdg_config.mkdir(parents=True)
    (xdg_config / "autostart").write_text("a file where a folder should be")
    window = open_window()
    window.editor("startup.autostart").setChecked(True)
    window.editor("day.start_hour").setValue(6)
    with qtbot.wait_signal(window.applied) as applied:
        assert window.save()
    assert applied.args == [{"day.start_hour": 6}]
    assert "Could not change starting at login" in window.field_error("startup.autostart")
    assert not window.editor("startup.autostart").isChecked()
    assert load_settings(settings_path).explicit == {"day.start_hour": 6}
    assert window.isVisible()  # the message stays in view


def activate(qtbot, window: SettingsWindow) -> None:
    """Shortcuts reach only the active window; offscreen, activation takes an event loop
    turn (qtbot.wait_active returns before it there)."""
    window.activateWindow()
    qtbot.wait_until(window.isActiveWindow)


def _button(window: SettingsWindow, text: str) -> QPushButton:
    return next(b for b in window.findChildren(QPushButton) if b.text() == text)


# --- What Wise has learned (the nudges page) ------------------------------------------


def _seed_answers(wise, wise_home: Path) -> None:
    """A journal where nudges at 10 am led to steps and those at 3 pm were let pass."""
    import sqlite3
    from datetime import timedelta

    from storage.clock import utc_now

    assert wise("nudge", "--learned", "--json").code == 0  # creates the migrated journal
    now = utc_now().replace(tzinfo=None)
    rows = []
    for day in range(1, 9):
        for hour, response in ((10, "done"), (15, "ignored")):
            at = now - timedelta(days=day)
            rows.append((at.strftime("%Y-%m-%d %H:%M:%S.%f"), "A small step", "plain", hour,
                         "due today", "plain", response))
    with sqlite3.connect(wise_home / "wise.db") as db:
        db.executemany("INSERT INTO nudges (created_at, text, style, hour_bucket, reason, "
                       "source, response) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.close()


@pytest.fixture
def learning_window(qtbot, open_window, wise_home: Path):
    """Settings wired as the tray wires it: real `wise` children on a worker thread."""
    from ui.children import run_wise
    from ui.tasks import Background

    worker = Background()
    window = open_window(
        learned=lambda: run_wise("nudge", "--learned", timeout=60),
        reset_learning=lambda: run_wise("nudge", "--reset-learning", timeout=60),
        run_in_background=worker.run)
    yield window
    worker.wait(60_000)


def test_settings_shows_what_wise_has_learned(qtbot, wise, wise_home: Path,
                                              learning_window) -> None:
    _seed_answers(wise, wise_home)
    window = learning_window
    titles = [label.text() for label in window.findChildren(QLabel, "groupTitle")]
    assert titles.index("What Wise has learned") == titles.index(SECTION_TITLES["nudges"]) + 1
    qtbot.wait_until(lambda: "Not enough" in window.learning_text(), timeout=30_000)
    # Opening Settings again asks again: now the answers are there.
    with qtbot.wait_signal(window.learning_loaded, timeout=30_000):
        window.reload()
    assert "You act on nudges most around 10–11 am." in window.learning_text()
    assert "16 nudges" in window.learning_text()


def test_reset_asks_first_and_cancel_keeps_what_was_learned(qtbot, wise, wise_home: Path,
                                                            learning_window) -> None:
    from PySide6.QtWidgets import QMessageBox

    _seed_answers(wise, wise_home)
    window = learning_window
    window.reload()  # while the first look may still be running: it is asked again
    qtbot.wait_until(lambda: "10–11 am" in window.learning_text(), timeout=30_000)
    learned = window.learning_text()

    _button(window, "Reset what Wise has learned…").click()
    box = window.findChild(QMessageBox, "confirmResetLearning")
    assert box is not None and box.isVisible()
    assert "start learning afresh" in box.informativeText()
    assert "stay in your journal" in box.informativeText()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(200)
    assert window.learning_text() == learned
    state = wise_home / "state.json"
    assert not state.exists() or '"learning_since": null' in state.read_text()
    assert wise("nudge", "--learned", "--json").json()["answers"] == 16


def test_reset_forgets_and_shows_the_words_after(qtbot, wise, wise_home: Path,
                                                 learning_window) -> None:
    from PySide6.QtWidgets import QMessageBox

    _seed_answers(wise, wise_home)
    window = learning_window
    window.reload()
    qtbot.wait_until(lambda: "10–11 am" in window.learning_text(), timeout=30_000)

    _button(window, "Reset what Wise has learned…").click()
    box = window.findChild(QMessageBox, "confirmResetLearning")
    reset = next(b for b in box.buttons() if b.text() == "Reset")
    with qtbot.wait_signals([window.learning_reset, window.learning_loaded], timeout=60_000):
        reset.click()
    assert window.learning_text().startswith("Not enough to go on yet (0 nudges")
    assert "since" in window.learning_caption()
    data = wise("nudge", "--learned", "--json").json()
    assert data["answers"] == 0 and data["since"]


def test_a_failed_look_is_said_plainly(qtbot, open_window) -> None:
    from ui.children import ChildFailed
    from ui.tasks import Background

    def fails() -> dict:
        raise ChildFailed("`wise nudge --learned` failed (exit 1): the journal is locked")

    worker = Background()
    window = open_window(learned=fails, reset_learning=dict, run_in_background=worker.run)
    qtbot.wait_until(lambda: "the journal is locked" in window.learning_caption())
    assert window.learning_caption().startswith("Wise could not say what it has learned")
    assert _button(window, "Reset what Wise has learned…").isEnabled()


def test_without_a_way_to_ask_the_learned_group_stays_hidden(open_window) -> None:
    window = open_window()
    group = window.findChild(QWidget, "learningGroup")
    assert group is not None and group.isHidden()


def test_a_failed_reset_says_nothing_was_reset(qtbot, open_window) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.children import ChildFailed
    from ui.tasks import Background

    def fails() -> dict:
        raise ChildFailed("`wise nudge --reset-learning` failed (exit 1): disk full")

    worker = Background()
    window = open_window(learned=lambda: {"description": "Not enough to go on yet.",
                                          "answers": 0, "since": None},
                         reset_learning=fails, run_in_background=worker.run)
    qtbot.wait_until(lambda: window.learning_text() == "Not enough to go on yet.")
    _button(window, "Reset what Wise has learned…").click()
    box = window.findChild(QMessageBox, "confirmResetLearning")
    next(b for b in box.buttons() if b.text() == "Reset").click()
    qtbot.wait_until(lambda: "disk full" in window.learning_caption())
    assert window.learning_caption().startswith("Nothing was reset")
    assert window.learning_text() == "Not enough to go on yet."
