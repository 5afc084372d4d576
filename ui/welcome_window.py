"""The welcome: four short steps on the first start (what Wise is, a first goal and its
why, quick capture tried live, a model and the day's rhythm), each skippable, all of it
usable from the keyboard alone. It owns no logic: the app gives it what to call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import WiseError
from app.settings.store import load_settings, set_setting
from app.vocabulary import GoalStatus
from app.welcome import FINISHED, SKIPPED, WHY_LADDER_STEPS, capture_command, why_of
from ui.hotkey import HotkeyStatus
from ui.model_picker import ModelPicker
from ui.palette import PaletteStyle, Tokens, button_rules, named

STEPS = ("Welcome", "A first goal", "Quick capture", "A model and your day")
TIME_FORMAT = "HH:mm"
RHYTHM = (("schedule.checkin_time", "Morning check-in"),
          ("schedule.reflection_time", "Evening reflection"),
          ("nudges.quiet_start", "Quiet from"),
          ("nudges.quiet_end", "Quiet until"))
PROMISE = (
    "<p>Wise helps you act on what matters to you: get a thought out of your head in "
    "two seconds, look back on your day for five minutes, and keep your goals — and why "
    "they matter — in sight.</p>"
    "<ul>"
    "<li><b>Your journal stays on this computer.</b> Nothing is sent anywhere, except to "
    "a model you choose yourself.</li>"
    "<li><b>No telemetry, no account, no ads.</b></li>"
    "<li><b>A language model is optional.</b> Without one, Wise still captures, keeps your "
    "goals, nudges you and sums up your day in plain words.</li>"
    "</ul>"
    "<p>Four short steps, each can be skipped. Press Enter to go on, Esc to skip them "
    "all.</p>")
WHY_QUESTIONS = ("Why does that matter to you?", "And why does that matter to you?",
                 "And why does that matter?")


@dataclass(frozen=True)
class WelcomeServices:
    """What the welcome calls. Each `…(…, on_success, on_error)` runs off the GUI thread
    and answers on it."""

    settings_path: Any
    add_goal: Callable[..., None]  # (title, why, ladder, on_success(goal_id), on_error)
    import_file: Callable[..., None]  # (format, path, on_success(dict), on_error)
    show_capture: Callable[[], None]
    hotkey_status: Callable[[], HotkeyStatus | None]
    run_in_background: Callable[..., None]
    wise_command: Callable[[], list[str]]
    # Which servers to ask for models (tests give their own ports); None: the usual ones.
    find_models: Callable[[], list] | None = None


def taken_words(taken) -> str:
    """What the welcome says when the goal typed is one the journal has (a GoalTagTaken):
    the welcome has no list of goals to open it from, but an empty title goes on without
    adding one; the typed words stay in their fields."""
    goal = taken.existing
    title = goal.title if len(goal.title) <= 40 else goal.title[:39].rstrip() + "…"
    paused = (f" ({goal.status}: goal review can resume it)"
              if goal.status != GoalStatus.ACTIVE else "")
    return (f"“{title}” is one of your goals already{paused}. Give this one another title, "
            "or clear it to go on.")


class WelcomeWindow(QDialog):
    """`done_with(how)` fires once, with "finished" or "skipped"."""

    done_with = Signal(str)
    goal_saved = Signal(int)

    def __init__(self, services: WelcomeServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeWindow")
        self.setWindowTitle("Welcome to Wise")
        self.setModal(False)
        self._services = services
        self._goal_id: int | None = None
        self._saved_goal: tuple[str, tuple[str, ...]] | None = None
        self._saving = False
        self._ended = False
        self._palette_style = PaletteStyle(self, _stylesheet)
        self._build()
        # Enter always means Next (or Finish), whichever field or button has the focus:
        # no other button may become the default on its own.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.next_button.setDefault(True)
        self.resize(680, 640)
        self.setMinimumSize(560, 560)
        self._palette_style.restyle()
        self.go_to(0)

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        header = named(QWidget(), "header")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(32, 22, 32, 14)
        header_layout.setSpacing(2)
        self.step_label = named(QLabel(), "caption")
        self.title_label = named(QLabel(), "pageTitle")
        header_layout.addWidget(self.step_label)
        header_layout.addWidget(self.title_label)
        outer.addWidget(header)

        self.pages = named(QStackedWidget(), "pages")
        for build in (self._promise_page, self._goal_page, self._capture_page,
                      self._model_page):
            page = named(QWidget(), "page")
            layout = QVBoxLayout(page)
            layout.setContentsMargins(32, 16, 32, 16)
            layout.setSpacing(10)
            build(layout)
            layout.addStretch(1)
            self.pages.addWidget(page)
        outer.addWidget(self.pages, 1)

        footer = named(QFrame(), "footer")
        row = QHBoxLayout(footer)
        row.setContentsMargins(32, 12, 32, 14)
        self.skip_button = named(QPushButton("S&kip the welcome"), "secondary")
        self.skip_button.setToolTip("Close it for good (Esc); Settings can open it again")
        self.skip_button.setAutoDefault(False)
        self.skip_button.clicked.connect(self.skip)
        self.back_button = named(QPushButton("&Back"), "secondary")
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back)
        self.next_button = named(QPushButton("&Next"), "primary")
        self.next_button.setDefault(True)  # Enter, from any field
        self.next_button.clicked.connect(self.next)
        row.addWidget(self.skip_button)
        row.addStretch(1)
        self.status = named(QLabel(), "caption")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 2)
        row.addWidget(self.back_button)
        row.addWidget(self.next_button)
        outer.addWidget(footer)

    def _promise_page(self, layout: QVBoxLayout) -> None:
        text = named(QLabel(PROMISE), "body")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        layout.addSpacing(6)
        layout.addWidget(named(QLabel("Bring your past (optional)"), "groupTitle"))
        note = named(QLabel("Notes and to-dos from Day One, jrnl, todo.txt or a Markdown file "
                            "come in as notes, to-dos and wins; importing again adds nothing "
                            "twice."), "caption")
        note.setWordWrap(True)
        layout.addWidget(note)
        row = QHBoxLayout()
        self.import_button = named(QPushButton("&Import from another app…"), "secondary")
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(self.choose_import)
        row.addWidget(self.import_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.import_result = named(QLabel(), "caption")
        self.import_result.setWordWrap(True)
        self.import_result.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.import_result)

    def _goal_page(self, layout: QVBoxLayout) -> None:
        intro = named(QLabel("What is one thing you want to move forward, or have more of in your "
                             "life? A goal here is something you care about, not a task."), "body")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.goal_title = named(QLineEdit(), "goalTitle")
        self.goal_title.setPlaceholderText("e.g. Be there for my kids · Run a 5k · "
                                           "Finish the book")
        self.goal_title.setAccessibleName("Your goal")
        layout.addWidget(self._field("&Your goal", self.goal_title))
        self.why_edits: list[QLineEdit] = []
        self.why_rows: list[QWidget] = []
        for step, question in enumerate(WHY_QUESTIONS[:WHY_LADDER_STEPS]):
            edit = named(QLineEdit(), f"why{step + 1}")
            edit.setAccessibleName(question)
            edit.setPlaceholderText("in your own words" if step == 0
                                    else "one level deeper, if something comes")
            row = self._field(f"&{step + 1}. {question}", edit)
            self.why_edits.append(edit)
            self.why_rows.append(row)
            layout.addWidget(row)
            if step:
                row.hide()
        ladder_row = QHBoxLayout()
        self.deeper_button = named(QPushButton("Ask me &why again"), "secondary")
        self.deeper_button.setAutoDefault(False)
        self.deeper_button.setToolTip("One level deeper: why does your last answer matter?")
        self.deeper_button.clicked.connect(self.go_deeper)
        ladder_row.addWidget(self.deeper_button)
        ladder_row.addStretch(1)
        layout.addLayout(ladder_row)
        note = named(QLabel("Your deepest answer becomes the goal's why, the one Wise reminds you "
                            "of. The others stay with the goal, in goal review. No goal yet? "
                            "Leave it empty and go on."), "caption")
        note.setWordWrap(True)
        layout.addWidget(note)

    def _capture_page(self, layout: QVBoxLayout) -> None:
        self.capture_intro = named(QLabel(), "body")
        self.capture_intro.setWordWrap(True)
        self.capture_intro.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.capture_intro)
        self.capture_result = named(QLabel(), "result")
        self.capture_result.setWordWrap(True)
        self.capture_result.setSizePolicy(QSizePolicy.Policy.Preferred,
                                          QSizePolicy.Policy.Minimum)
        layout.addWidget(self.capture_result)
        open_row = QHBoxLayout()
        self.open_capture_button = named(QPushButton("&Open quick capture now"), "secondary")
        self.open_capture_button.setAutoDefault(False)
        self.open_capture_button.clicked.connect(self._open_capture)
        open_row.addWidget(self.open_capture_button)
        open_row.addStretch(1)
        layout.addLayout(open_row)
        layout.addSpacing(8)
        self.command_title = named(QLabel(), "groupTitle")
        self.command_title.setWordWrap(True)
        layout.addWidget(self.command_title)
        self.command_note = named(QLabel(), "caption")
        self.command_note.setWordWrap(True)
        layout.addWidget(self.command_note)
        command_row = QHBoxLayout()
        self.command_edit = named(QLineEdit(capture_command()), "command")
        self.command_edit.setReadOnly(True)
        self.command_edit.setAccessibleName("The quick-capture command")
        self.command_edit.setCursorPosition(0)
        self.copy_button = named(QPushButton("&Copy"), "secondary")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_command)
        command_row.addWidget(self.command_edit, 1)
        command_row.addWidget(self.copy_button)
        layout.addLayout(command_row)

    def _model_page(self, layout: QVBoxLayout) -> None:
        intro = named(QLabel("A language model lets Wise reflect with you in words. It is "
                             "optional, and can be chosen later in Settings."), "body")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        services = self._services
        self.picker = ModelPicker(services.run_in_background, services.wise_command,
                                  self._save_model, find=services.find_models)
        layout.addWidget(self.picker)
        layout.addSpacing(6)
        layout.addWidget(named(QLabel("Your day"), "groupTitle"))
        # Two pairs side by side: the rituals' times, then the quiet hours.
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        self.times: dict[str, QTimeEdit] = {}
        for index, (key, label) in enumerate(RHYTHM):
            edit = QTimeEdit()
            edit.setDisplayFormat(TIME_FORMAT)
            edit.setAccessibleName(label)
            edit.setFixedWidth(96)
            self.times[key] = edit
            title = QLabel(label)
            title.setBuddy(edit)
            row, column = index // 2, (index % 2) * 3
            grid.addWidget(title, row, column)
            grid.addWidget(edit, row, column + 1)
        grid.setColumnMinimumWidth(2, 24)
        grid.setColumnStretch(5, 1)
        layout.addLayout(grid)
        note = named(QLabel("No nudge or notification comes during quiet hours."), "caption")
        layout.addWidget(note)

    @staticmethod
    def _field(label: str, editor: QWidget) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        title = named(QLabel(label), "fieldTitle")
        title.setBuddy(editor)
        column.addWidget(title)
        column.addWidget(editor)
        return box

    # --- moving through -----------------------------------------------------------------

    def go_to(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.step_label.setText(f"Step {index + 1} of {len(STEPS)}")
        self.title_label.setText(STEPS[index])
        self.back_button.setVisible(index > 0)
        last = index == len(STEPS) - 1
        self.next_button.setText("&Finish" if last else "&Next")
        self.status.setText("")
        if index == 1:
            self.goal_title.setFocus()
        elif index == 2:
            self._show_capture_step()
            self.open_capture_button.setFocus()
        elif index == 3:
            self._fill_model_step()
            self.picker.look_button.setFocus()
        else:
            self.next_button.setFocus()

    def current_step(self) -> int:
        return self.pages.currentIndex()

    def next(self) -> None:
        step = self.current_step()
        if step == 1:
            self._save_goal_then_next()
        elif step == len(STEPS) - 1:
            self.finish()
        else:
            self.go_to(step + 1)

    def back(self) -> None:
        if self.current_step() > 0:
            self.go_to(self.current_step() - 1)

    def skip(self) -> None:
        self._end(SKIPPED)

    def finish(self) -> None:
        problem = self._save_rhythm()
        if problem:
            self.status.setText(problem)
            return
        self._end(FINISHED)

    def _end(self, how: str) -> None:
        if not self._ended:
            self._ended = True
            self.done_with.emit(how)
        self.hide()

    # --- step 2: the goal and its why-ladder ------------------------------------------

    def go_deeper(self) -> None:
        """Show the next "why does that matter?", once the last one has an answer."""
        shown = [row for row in self.why_rows if not row.isHidden()]
        last = self.why_edits[len(shown) - 1]
        if not last.text().strip():
            last.setFocus()
            self.status.setText("Answer the question above first.")
            return
        if len(shown) < len(self.why_rows):
            self.why_rows[len(shown)].show()
            self.why_edits[len(shown)].setFocus()
            self.status.setText("")
        self.deeper_button.setEnabled(len(shown) + 1 < len(self.why_rows))

    def ladder(self) -> list[str]:
        return [edit.text().strip() for edit, row in zip(self.why_edits, self.why_rows,
                                                         strict=True)
                if not row.isHidden() and edit.text().strip()]

    def _save_goal_then_next(self) -> None:
        """Save the goal (once), then move on; with no title, just move on."""
        if self._saving:
            return
        title = self.goal_title.text().strip()
        if not title:
            self.go_to(2)
            return
        wanted = (title, tuple(self.ladder()))
        if self._saved_goal is not None:
            self.go_to(2)
            if wanted != self._saved_goal:
                self.status.setText("Your goal was saved already: change it in goal review.")
            return
        self._saving = True
        self.next_button.setEnabled(False)
        self.status.setText("Saving your goal…")
        ladder = list(wanted[1])

        def saved(goal_id: int) -> None:
            self._saving = False
            self._goal_id, self._saved_goal = int(goal_id), wanted
            self.next_button.setEnabled(True)
            self.goal_saved.emit(self._goal_id)
            self.go_to(2)
            self.status.setText(f"✓ “{title}” is saved, with its why.")

        def failed(exc: Exception) -> None:  # the words stay in the fields
            from app.ritual_data import GoalTagTaken

            self._saving = False
            self.next_button.setEnabled(True)
            if isinstance(exc, GoalTagTaken):  # the one rule: no #run-2 beside #run
                self.status.setText(taken_words(exc))
            else:
                self.status.setText(f"The goal could not be saved: {exc}")

        self._services.add_goal(title, why_of(ladder), ladder, saved, failed)

    # --- step 3: quick capture ----------------------------------------------------------

    def _show_capture_step(self) -> None:
        status = self._services.hotkey_status()
        if status is not None and status.active:
            keys = status.message.split(" opens", 1)[0].strip().rstrip(".")
            self.capture_intro.setText(
                f"Press <b>{_escape(keys)}</b> now, from anywhere: the quick-capture "
                "window opens. Type a thought, a to-do (“[ ] call mum tomorrow”) or a win "
                "(“+ went for a walk”), press Enter, and it is saved.")
            if not self.capture_result.text().startswith("✓"):
                self.capture_result.setText("Waiting for you to press it…")
            self.command_title.setText("Or from a shortcut of your own")
            self.command_note.setText("Any launcher or desktop shortcut can run this "
                                      "command:")
        else:
            # The status's first sentence says why ("…not available to apps on Wayland.").
            why = (status.message.split(". ", 1)[0].rstrip(".") + ". ") if status else ""
            self.capture_intro.setText(
                _escape(why) + "Give quick capture a shortcut of your own in your system's "
                "keyboard settings: it runs the command below.")
            self.capture_result.setText("")
            self.command_title.setText("Bind this command to a keyboard shortcut")
            self.command_note.setText(
                "GNOME: Settings → Keyboard → View and Customise Shortcuts → Custom "
                "Shortcuts → +. KDE: System Settings → Shortcuts → Add New → Command. "
                "macOS: a Shortcuts app action that runs a shell script.")

    def hotkey_pressed(self) -> None:
        """The app saw the global shortcut while the welcome is open."""
        if self.current_step() == 2:
            self.capture_result.setText("✓ It works. That is all capturing takes.")

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.command_edit.text())
        self.status.setText("The command is copied.")

    def _open_capture(self) -> None:
        self._services.show_capture()

    # --- step 1: import -----------------------------------------------------------------

    def choose_import(self) -> None:
        from app.importers import SOURCES

        filters = ";;".join(source.files for source in SOURCES)
        path, _chosen = QFileDialog.getOpenFileName(self, "Bring your past", "", filters)
        if path:
            self.import_path(path)

    def import_path(self, path: str) -> None:
        from pathlib import Path

        from app.importers import detect_format

        fmt = detect_format(Path(path))
        if fmt is None:
            self.import_result.setText("Wise cannot tell which app this file comes from "
                                       "(Day One, jrnl, todo.txt or Markdown). Nothing was "
                                       "imported.")
            return
        self.import_button.setEnabled(False)
        self.import_result.setText("Importing…")

        def done(result: dict) -> None:
            self.import_button.setEnabled(True)
            self.import_result.setText(str(result.get("words") or "Imported."))

        def failed(exc: Exception) -> None:
            self.import_button.setEnabled(True)
            self.import_result.setText(f"Nothing was imported: {exc}")

        self._services.import_file(fmt.value, path, done, failed)

    # --- step 4: model and rhythm -------------------------------------------------------

    def _fill_model_step(self) -> None:
        settings = load_settings(self._services.settings_path)
        self.picker.set_choice(settings.get("llm.model"), settings.get("llm.api_base"))
        for key, edit in self.times.items():
            edit.setTime(QTime.fromString(settings.get(key), TIME_FORMAT))

    def _save_model(self, model: str, api_base: str) -> None:
        try:
            set_setting(self._services.settings_path, "llm.model", model)
            set_setting(self._services.settings_path, "llm.api_base", api_base)
        except (WiseError, OSError) as exc:
            self.status.setText(f"The model could not be saved: {exc}")

    def _save_rhythm(self) -> str:
        """Writes the day's times and the model chosen; the problem in words, or ""."""
        path = self._services.settings_path
        try:
            model, api_base = self.picker.model()
            current = load_settings(path)
            if (model, api_base) != (current.get("llm.model"), current.get("llm.api_base")):
                self._save_model(model, api_base)
            for key, edit in self.times.items():
                value = edit.time().toString(TIME_FORMAT)
                if value != current.get(key):
                    set_setting(path, key, value)
        except (WiseError, OSError) as exc:
            return f"Your times could not be saved: {exc}"
        return ""

    # --- Qt events --------------------------------------------------------------------

    def reject(self) -> None:  # Esc
        self.skip()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.accept()
        self._end(SKIPPED)


def _stylesheet(palette: QPalette) -> str:
    t = Tokens(palette)
    return f"""
        #welcomeWindow, #header, #pages, #page, #footer {{ background: {t.window}; }}
        #header {{ border-bottom: 1px solid {t.separator}; }}
        #footer {{ border-top: 1px solid {t.separator}; }}
        #pageTitle {{ font-size: 19pt; font-weight: 600; }}
        #groupTitle {{ font-size: 11pt; font-weight: 600; }}
        #fieldTitle {{ font-weight: 500; }}
        #body {{ font-size: 10.5pt; }}
        #caption {{ color: {t.muted}; font-size: 9pt; }}
        #result {{ color: {t.ok}; font-weight: 500; }}
        #testResult[ok="true"] {{ color: {t.ok}; }}
        #testResult[ok="false"] {{ color: {t.error}; }}
        QLineEdit, QTimeEdit, QComboBox {{ padding: 4px 6px; }}
        QLineEdit#command {{ font-family: monospace; background: {t.card};
                             border: 1px solid {t.border}; border-radius: 6px; }}
    """ + button_rules(t)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
