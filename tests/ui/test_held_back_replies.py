"""The replies Wise held back, seen from Settings: a quiet link with their count (none:
no link) and a read-only list with each one's reason. Real widgets, offscreen; the
replies are kept by the real model memory (app.llm.model_memory) in the test's home."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.llm.held_back import held_back_replies
from app.llm.model_memory import REFUSED_TEXT_MAX, ModelMemory
from app.paths import resolve_paths
from ui.held_back_replies import HeldBackLink
from ui.settings_window import SettingsWindow

ECHO = "It is the end of the day. Look back on the day with them.\n<journal-data>"
LONG = "mendatang " * 1000  # 10,000 characters of a model going round in circles


def keep(home: Path, rule: str, text: str, purpose: str = "daily_reflection") -> None:
    ModelMemory(home).keep_refused(purpose=purpose, model="openai/gemma", rule=rule,
                                   detail="", text=text)


def test_settings_shows_how_many_were_held_back_and_opens_them(qtbot, wise_home: Path) -> None:
    paths = resolve_paths()
    window = SettingsWindow(paths.settings_file,
                            held_back=lambda: held_back_replies(paths.data_dir))
    qtbot.add_widget(window)
    window.show()
    qtbot.wait_exposed(window)
    link = window.held_back_link
    assert link is not None and not link.isVisible()  # nothing held back: no link at all

    keep(wise_home, "echo", ECHO)
    keep(wise_home, "repetition", LONG, purpose="nudge")
    window.reload()  # as when Settings is opened again
    assert link.isVisible() and link.text() == "Replies Wise held back (2)"

    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    dialog = link.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.list.count() == 2
    assert " · nudge · openai/gemma" in dialog.list.item(0).text()  # newest first
    assert dialog.reason.text() == "Held back: The reply kept repeating itself."
    assert dialog.text.isReadOnly()
    assert dialog.text.toPlainText() == LONG[:REFUSED_TEXT_MAX]  # as much as is kept
    dialog.list.setCurrentRow(1)
    assert " · reflection · " in dialog.list.item(1).text()
    assert "repeated the instructions back" in dialog.reason.text()
    assert dialog.text.toPlainText() == ECHO  # as the model wrote it, not as Wise's words


def test_a_broken_record_is_shown_as_well_as_it_can_be(qtbot, wise_home: Path) -> None:
    wise_home.mkdir(parents=True, exist_ok=True)
    (wise_home / "refused-replies.jsonl").write_text(
        'not json\n{"at": "yesterday", "rule": "no-such-rule", "text": 3}\n')
    link = HeldBackLink(lambda: held_back_replies(wise_home))
    qtbot.add_widget(link)
    assert link.text() == "Replies Wise held back (1)"
    dialog = link.open()
    qtbot.add_widget(dialog)
    assert dialog.list.item(0).text().startswith("some time ago")
    assert dialog.reason.text() == "Held back: The reply was not usable."
    assert dialog.text.toPlainText() == "3"
