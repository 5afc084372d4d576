"""The quick-capture window, driven by real key presses on real widgets (offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.capture.parser import MAX_CAPTURE_CHARS
from app.drafts import DraftStore
from storage.quick_reads import GoalTag
from ui.capture_window import (
    DRAFT_DELAY_MS,
    EMPTY_HINT,
    LANGUAGE_HINT,
    MAX_LINES,
    SAVED_DELAY_MS,
    CaptureWindow,
)

GOALS = [GoalTag("family", "Family", "active"), GoalTag("fitness", "Get fit", "active"),
         GoalTag("finances", "Money calm", "paused")]


@pytest.fixture
def drafts(wise_home: Path) -> DraftStore:
    return DraftStore(wise_home / "draft.txt")


@pytest.fixture
def make_window(qtbot, drafts: DraftStore):
    def make() -> CaptureWindow:
        window = CaptureWindow(drafts, day_start_hour=lambda: 4)
        qtbot.addWidget(window)
        window.summon()
        return window

    return make


@pytest.fixture
def window(make_window) -> CaptureWindow:
    return make_window()


@pytest.fixture
def submissions(window: CaptureWindow) -> list[str]:
    seen: list[str] = []
    window.submitted.connect(seen.append)
    return seen


def type_text(qtbot, window: CaptureWindow, text: str) -> None:
    qtbot.keyClicks(window.box, text)


# ------------------------------------------------------------------------- submitting


def test_enter_submits_the_text(qtbot, window: CaptureWindow) -> None:
    type_text(qtbot, window, "buy milk")
    with qtbot.waitSignal(window.submitted, timeout=1000) as blocker:
        qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert blocker.args == ["buy milk"]
    assert window.preview.text() == "Saving…"
    assert window.box.toPlainText() == "buy milk"  # kept until the journal has it


def test_keypad_enter_submits_too(qtbot, window: CaptureWindow) -> None:
    type_text(qtbot, window, "buy milk")
    with qtbot.waitSignal(window.submitted, timeout=1000) as blocker:
        qtbot.keyClick(window.box, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert blocker.args == ["buy milk"]


def test_shift_enter_breaks_the_line_without_submitting(qtbot, window: CaptureWindow) -> None:
    with qtbot.assertNotEmitted(window.submitted, wait=50):
        type_text(qtbot, window, "shopping")
        qtbot.keyClick(window.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        type_text(qtbot, window, "milk")
    assert window.box.toPlainText() == "shopping\nmilk"
    with qtbot.waitSignal(window.submitted, timeout=1000) as blocker:
        qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert blocker.args == ["shopping\nmilk"]


@pytest.mark.parametrize("typed", ["", "   "])
def test_empty_text_is_not_submitted(qtbot, window: CaptureWindow, typed: str) -> None:
    type_text(qtbot, window, typed)
    with qtbot.assertNotEmitted(window.submitted, wait=50):
        qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert window.preview.text() == EMPTY_HINT
    assert window.isVisible()
    type_text(qtbot, window, "x")  # the hint goes as soon as the user types
    assert window.preview.text() != EMPTY_HINT


def test_a_double_enter_saves_once(qtbot, window: CaptureWindow,
                                   submissions: list[str]) -> None:
    type_text(qtbot, window, "call the bank")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    qtbot.keyClick(window.box, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert submissions == ["call the bank"]
    type_text(qtbot, window, " more")  # no editing while the save is in flight
    assert window.box.toPlainText() == "call the bank"

    window.show_failed("The journal is busy. Your text is safe here; press Enter to retry.")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)  # answered: Enter works again
    assert submissions == ["call the bank", "call the bank"]


def test_over_long_text_is_not_submitted(qtbot, window: CaptureWindow,
                                         submissions: list[str]) -> None:
    window.box.setPlainText("x" * (MAX_CAPTURE_CHARS + 25))
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert submissions == []
    assert "25 characters over" in window.preview.text()
    window.box.setPlainText("x" * MAX_CAPTURE_CHARS)  # exactly the limit is fine
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert submissions == ["x" * MAX_CAPTURE_CHARS]


def test_text_the_journal_would_refuse_is_explained_not_submitted(
        qtbot, window: CaptureWindow, submissions: list[str]) -> None:
    window.box.setPlainText("binary\x00junk")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert submissions == []
    assert "NUL" in window.preview.text()


def test_the_submitted_text_is_tidied_like_the_cli_does(
        qtbot, window: CaptureWindow, submissions: list[str]) -> None:
    window.box.setPlainText("  buy milk\r\n")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert submissions == ["buy milk"]


# ---------------------------------------------------------------------------- preview


def test_the_preview_follows_the_typing(qtbot, window: CaptureWindow) -> None:
    assert window.preview.text() == LANGUAGE_HINT
    window.set_goals(GOALS)
    type_text(qtbot, window, "call mum #family tomorrow")
    line = window.preview.text()
    assert "To-do" in line and "Family" in line and "tomorrow" in line
    window.box.clear()
    type_text(qtbot, window, "+ ran 5k")
    assert window.preview.text() == "Win"


def test_the_preview_learns_goal_names_when_they_change(qtbot, window: CaptureWindow) -> None:
    type_text(qtbot, window, "talked to #family about money")
    assert "goal" not in window.preview.text()
    window.set_goals(GOALS)
    assert window.preview.text() == "Note · goal Family"


def test_the_preview_and_box_have_accessible_names(window: CaptureWindow) -> None:
    assert window.box.accessibleName()
    assert window.preview.accessibleName()


def contrast(one: QColor, two: QColor) -> float:
    def luminance(colour: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in [
        (QPalette.ColorRole.Window, "#2b2b2e"), (QPalette.ColorRole.WindowText, "#e8e8ea"),
        (QPalette.ColorRole.Base, "#1f1f22"), (QPalette.ColorRole.Text, "#e8e8ea"),
        (QPalette.ColorRole.Button, "#333336"), (QPalette.ColorRole.ButtonText, "#e8e8ea"),
        (QPalette.ColorRole.Highlight, "#3d6fb6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ]:
        palette.setColor(role, QColor(colour))
    return palette


def test_the_preview_is_readable_in_light_and_dark_palettes(
        qtbot, window: CaptureWindow) -> None:
    app = QApplication.instance()
    original = app.palette()
    try:
        for palette in (original, dark_palette()):
            app.setPalette(palette)
            qtbot.waitUntil(lambda p=palette: window.palette().color(QPalette.ColorRole.Base)
                            == p.color(QPalette.ColorRole.Base))
            base = palette.color(QPalette.ColorRole.Base)
            type_text(qtbot, window, "x")  # the live preview colour
            window.preview.ensurePolished()
            shown = window.preview.palette().color(QPalette.ColorRole.WindowText)
            assert contrast(shown, base) >= 4.5, (shown.name(), base.name())
            window.hint.ensurePolished()
            shown = window.hint.palette().color(QPalette.ColorRole.WindowText)
            assert contrast(shown, base) >= 4.5, (shown.name(), base.name())
            window.show_failed("Could not save")  # the warm message colour
            window.preview.ensurePolished()
            shown = window.preview.palette().color(QPalette.ColorRole.WindowText)
            assert contrast(shown, base) >= 4.5, (shown.name(), base.name())
            window.box.clear()
    finally:
        app.setPalette(original)


# ------------------------------------------------------------------------------ drafts


def test_esc_hides_and_keeps_the_draft(qtbot, make_window, drafts: DraftStore) -> None:
    window = make_window()
    type_text(qtbot, window, "half a thought")
    qtbot.keyClick(window.box, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert drafts.path.read_text(encoding="utf-8") == "half a thought"

    again = make_window()  # after a quit or a crash: the text comes back
    assert again.box.toPlainText() == "half a thought"
    assert again.box.textCursor().position() == len("half a thought")


def test_closing_from_the_window_manager_is_esc(qtbot, window: CaptureWindow,
                                                drafts: DraftStore) -> None:
    type_text(qtbot, window, "keep me")
    with qtbot.assertNotEmitted(QApplication.instance().lastWindowClosed, wait=50):
        window.close()
    assert not window.isVisible()
    assert drafts.load() == "keep me"
    window.summon()
    assert window.box.toPlainText() == "keep me"


def test_the_draft_is_saved_shortly_after_typing_stops(qtbot, window: CaptureWindow,
                                                       drafts: DraftStore) -> None:
    type_text(qtbot, window, "typing")
    assert not drafts.path.exists()  # not on every keystroke
    qtbot.waitUntil(lambda: drafts.load() == "typing", timeout=DRAFT_DELAY_MS * 5)
    assert window.isVisible()


def test_save_draft_now_flushes_at_once(qtbot, window: CaptureWindow,
                                        drafts: DraftStore) -> None:
    type_text(qtbot, window, "quitting now")
    window.save_draft_now()
    assert drafts.load() == "quitting now"


@pytest.mark.allow_warning_logs(r"^the capture draft .*could not be (read|saved)")
def test_a_draft_that_cannot_be_written_does_not_stop_capture(
        qtbot, tmp_path: Path) -> None:
    blocked = tmp_path / "draft.txt"
    blocked.mkdir()  # neither readable nor writable as a file
    window = CaptureWindow(DraftStore(blocked), day_start_hour=lambda: 4)
    qtbot.addWidget(window)
    window.summon()
    type_text(qtbot, window, "still works")
    window.save_draft_now()
    with qtbot.waitSignal(window.submitted, timeout=1000):
        qtbot.keyClick(window.box, Qt.Key.Key_Return)


# ------------------------------------------------------------------ saved and failed


def test_saved_shows_briefly_then_clears_and_hides(qtbot, window: CaptureWindow,
                                                  drafts: DraftStore) -> None:
    type_text(qtbot, window, "call mum")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert drafts.load() == "call mum"  # in flight: the draft is the only copy
    window.show_saved("Note")
    assert window.preview.text() == "Saved ✓ — Note"
    assert window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SAVED_DELAY_MS * 5)
    assert window.box.toPlainText() == ""
    assert not drafts.path.exists()
    window.summon()  # ready for the next thought
    assert window.preview.text() == LANGUAGE_HINT
    assert not window.box.isReadOnly()


def test_typing_on_after_saved_starts_the_next_capture(qtbot, window: CaptureWindow,
                                                       submissions: list[str]) -> None:
    type_text(qtbot, window, "first")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    window.show_saved("Note")
    type_text(qtbot, window, "second")
    assert window.box.toPlainText() == "second"
    qtbot.wait(SAVED_DELAY_MS + 100)
    assert window.isVisible()  # the user is still typing: the window stays
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert submissions == ["first", "second"]


def test_failed_keeps_the_text_and_says_why(qtbot, window: CaptureWindow,
                                            drafts: DraftStore) -> None:
    type_text(qtbot, window, "important thing")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    window.show_failed("The journal could not be written. Your text is kept.")
    assert window.isVisible()
    assert window.box.toPlainText() == "important thing"
    assert window.preview.text() == "The journal could not be written. Your text is kept."
    assert not window.box.isReadOnly()
    assert drafts.load() == "important thing"
    type_text(qtbot, window, "!")
    assert window.box.toPlainText() == "important thing!"


def test_a_failure_after_esc_shows_the_window_again(qtbot, window: CaptureWindow) -> None:
    type_text(qtbot, window, "important thing")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    qtbot.keyClick(window.box, Qt.Key.Key_Escape)
    assert not window.isVisible()
    window.show_failed("could not save.")
    assert window.isVisible()
    assert window.preview.text() == "Could not save."  # the service's words, as a sentence
    assert window.box.toPlainText() == "important thing"


# -------------------------------------------------------------------------- completion


def popup_rows(window: CaptureWindow) -> list[str]:
    model = window.box.completer.completionModel()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def test_hash_completes_goal_tags_and_enter_accepts(
        qtbot, window: CaptureWindow, submissions: list[str]) -> None:
    window.set_goals(GOALS)
    type_text(qtbot, window, "#fa")
    popup = window.box.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert popup_rows(window) == ["family — Family"]
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert window.box.toPlainText() == "#family "
    assert not popup.isVisible()
    assert submissions == []
    type_text(qtbot, window, "call mum")
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert submissions == ["#family call mum"]


def test_a_lone_hash_offers_every_goal_and_the_preview_stays_in_sight(
        qtbot, window: CaptureWindow) -> None:
    window.set_goals(GOALS)
    type_text(qtbot, window, "call mum #")
    popup = window.box.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    assert popup_rows(window) == ["family — Family", "fitness — Get fit",
                                  "finances — Money calm (paused)"]
    # The popup opens under the window: the preview line and the keys hint stay readable.
    for line in (window.preview, window.hint):
        assert not popup.geometry().intersects(
            QRect(line.mapToGlobal(QPoint(0, 0)), line.size())), line.text()
    assert popup.geometry().top() >= window.geometry().bottom()
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert window.box.toPlainText() == "call mum #family "


def test_keys_that_reach_the_popup_first_behave_the_same(
        qtbot, window: CaptureWindow, submissions: list[str]) -> None:
    # On a desktop the open popup receives the keys and its completer forwards them.
    window.set_goals(GOALS)
    type_text(qtbot, window, "#fa")
    popup = window.box.completer.popup()
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert window.box.toPlainText() == "#family "
    assert submissions == []
    type_text(qtbot, window, "#fi")
    qtbot.keyClick(popup, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert window.isVisible()


def test_completion_is_case_insensitive_and_lists_every_match(
        qtbot, window: CaptureWindow) -> None:
    window.set_goals(GOALS)
    type_text(qtbot, window, "plan #FI")
    assert window.box.completer.popup().isVisible()
    assert popup_rows(window) == ["fitness — Get fit", "finances — Money calm (paused)"]
    qtbot.keyClick(window.box, Qt.Key.Key_Tab)
    assert window.box.toPlainText() == "plan #fitness "


def test_arrow_keys_choose_another_completion(qtbot, window: CaptureWindow) -> None:
    window.set_goals(GOALS)
    type_text(qtbot, window, "#fi")
    popup = window.box.completer.popup()
    popup.setCurrentIndex(window.box.completer.completionModel().index(1, 0))
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert window.box.toPlainText() == "#finances "


def test_completion_replaces_the_whole_tag_in_the_middle_of_a_line(
        qtbot, window: CaptureWindow) -> None:
    window.set_goals(GOALS)
    window.box.setPlainText("call #fa about dinner")
    cursor = window.box.textCursor()
    cursor.setPosition(len("call #f"))
    window.box.setTextCursor(cursor)
    type_text(qtbot, window, "a")
    qtbot.keyClick(window.box, Qt.Key.Key_Tab)
    assert window.box.toPlainText() == "call #family about dinner"


def test_esc_closes_the_popup_but_not_the_window(qtbot, window: CaptureWindow) -> None:
    window.set_goals(GOALS)
    type_text(qtbot, window, "#fa")
    assert window.box.completer.popup().isVisible()
    qtbot.keyClick(window.box, Qt.Key.Key_Escape)
    assert not window.box.completer.popup().isVisible()
    assert window.isVisible()
    assert window.box.toPlainText() == "#fa"


def test_no_popup_without_a_match_or_for_a_finished_tag(
        qtbot, window: CaptureWindow, submissions: list[str]) -> None:
    window.set_goals(GOALS)
    type_text(qtbot, window, "#zz C#fa")
    assert not window.box.completer.popup().isVisible()
    window.box.clear()
    type_text(qtbot, window, "dinner #family")  # complete already: Enter saves
    assert not window.box.completer.popup().isVisible()
    qtbot.keyClick(window.box, Qt.Key.Key_Return)
    assert submissions == ["dinner #family"]


def test_the_popup_closes_when_the_tag_is_erased(qtbot, window: CaptureWindow) -> None:
    window.set_goals(GOALS)
    type_text(qtbot, window, "#f")
    assert window.box.completer.popup().isVisible()
    qtbot.keyClick(window.box, Qt.Key.Key_Backspace)
    assert len(popup_rows(window)) == len(GOALS)  # back to a lone "#": every goal
    qtbot.keyClick(window.box, Qt.Key.Key_Backspace)
    assert not window.box.completer.popup().isVisible()


# ----------------------------------------------------------------------- window shape


def test_summon_shows_the_window_ready_to_type(qtbot, make_window,
                                              drafts: DraftStore) -> None:
    drafts.save("from before")
    window = make_window()
    qtbot.waitUntil(lambda: window.box.hasFocus(), timeout=2000)
    assert window.isVisible()
    assert window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert window.box.textCursor().position() == len("from before")
    screen = window.screen().availableGeometry()
    assert screen.contains(window.frameGeometry())
    assert window.geometry().center().x() == pytest.approx(screen.center().x(), abs=2)
    assert window.geometry().top() < screen.top() + screen.height() / 3


def test_the_box_grows_with_the_text_up_to_a_limit(qtbot, window: CaptureWindow) -> None:
    one_line = window.box.height()
    type_text(qtbot, window, "one")
    assert window.box.height() == one_line
    for _ in range(3):
        qtbot.keyClick(window.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    three_more = window.box.height()
    assert three_more > one_line
    assert window.height() >= window.box.height() + window.preview.height()
    for _ in range(10):
        qtbot.keyClick(window.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    line = window.box.fontMetrics().lineSpacing()
    assert window.box.height() == pytest.approx(one_line + (MAX_LINES - 1) * line, abs=2)
    window.box.clear()
    assert window.box.height() == one_line


def test_ctrl_enter_submits_and_asks_to_start_it(qtbot, window: CaptureWindow) -> None:
    type_text(qtbot, window, "[ ] write the intro ~10m")
    with qtbot.waitSignal(window.submitted, timeout=1000) as blocker:
        qtbot.keyClick(window.box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["[ ] write the intro ~10m"] and window.start_after_saving
