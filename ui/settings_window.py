"""The Settings window: one calm screen built from the declared options, saved only when
the user says so, and never over a settings file Wise cannot read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTime, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.autostart import default_command, disable_autostart, enable_autostart
from app.errors import BadInput, WiseError
from app.launch import wise_command as default_wise_command
from app.settings.schema import OPTIONS, Option
from app.settings.store import (
    load_settings,
    restore_defaults_keeping_copy,
    set_setting,
    write_settings,
)
from ui.hotkey import HotkeyStatus
from ui.palette import PaletteStyle, Tokens, button_rules, named
from ui.sync_panel import SyncPanel

log = logging.getLogger(__name__)

# Sections in the order a person meets them; a section not named here still appears,
# last, under a title made from its name.
SECTION_TITLES: dict[str, str] = {
    "day": "Your day",
    "schedule": "Check-ins & reflection",
    "nudges": "Nudges",
    "focus": "Focus sessions",
    "capture": "Quick capture",
    "startup": "Start-up",
    "backup": "Backups",
    "llm": "Language model",
    "reflection": "Daily reflection",
    "sync": "Sync across devices",
}
SECTION_NOTES: dict[str, str] = {
    "sync": "Keep this journal the same on your computers, through a folder they share "
            "or a WebDAV server. It is encrypted here with your passphrase before it "
            "leaves: the storage sees only sealed files.",
    "llm": "Optional: Wise works fully without a model. Choose one below; a key is kept "
           "in your system's keyring, never in a file.",
}
# Friendlier names than the keys; an option missing here is named after its key.
LABELS: dict[str, str] = {
    "day.start_hour": "A new day starts at",
    "backup.keep": "Backups to keep",
    "schedule.checkin_time": "Morning check-in",
    "schedule.reflection_time": "Daily reflection",
    "schedule.weekly_review_day": "Weekly goal review",
    "schedule.weekly_review_time": "Weekly goal review at",
    "nudges.quiet_start": "Quiet from",
    "nudges.quiet_end": "Quiet until",
    "nudges.enabled": "Allow nudges",
    "nudges.daily_cap": "Nudges a day, at most",
    "nudges.min_gap_minutes": "Time between nudges, at least",
    "focus.sounds": "Sounds at half time, 5 min left and the end",
    "capture.hotkey": "Quick capture keys",
    "startup.autostart": "Start at login",
    "llm.model": "Model, exactly",
    "llm.api_base": "Server address",
    "llm.fallbacks": "Fallback models",
    "llm.timeout": "Give up on a reply after",
    "llm.stall_timeout": "Stop waiting mid-reply after",
    "llm.max_retries": "Tries again, at most",
    "llm.temperature": "Freedom of wording",
    "llm.max_output_tokens": "Longest reply",
    "llm.monthly_budget_usd": "Monthly budget",
    "llm.worker_idle_minutes": "Free the model's memory after",
    "reflection.input_tokens": "Journal sent per reflection, at most",
    "sync.folder": "Shared folder",
    "sync.webdav_url": "WebDAV address",
    "sync.webdav_user": "WebDAV user",
    "sync.interval_minutes": "Sync every",
}
SUFFIXES: dict[str, str] = {
    "day.start_hour": ":00", "nudges.min_gap_minutes": " min", "llm.timeout": " s",
    "llm.stall_timeout": " s", "llm.max_output_tokens": " tokens",
    "llm.monthly_budget_usd": " $", "llm.worker_idle_minutes": " min",
    "reflection.input_tokens": " tokens", "sync.interval_minutes": " min",
}
PLACEHOLDERS: dict[str, str] = {
    "llm.model": "none, e.g. ollama_chat/llama3.2",
    "llm.api_base": "e.g. http://localhost:11434",
    "llm.fallbacks": "e.g. openai/gpt-4o-mini",
    "sync.folder": "none: set up with wise sync setup",
    "sync.webdav_url": "none, e.g. https://cloud.example.org/…/Wise/",
}
CHOICE_LABELS: dict[str, str] = {
    "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
    "fri": "Friday", "sat": "Saturday", "sun": "Sunday",
}
LEARNING_TITLE = "What Wise has learned"
LEARNING_NOTE = ("From how you answer nudges (Done, Snooze, Not today, or letting them "
                 "pass), Wise learns which times of day and which kinds of wording help; "
                 "from how you rate reflections (Helpful, Not quite), which way of "
                 "reflecting suits you; from the steps you keep and the suggestions you "
                 "take, which ways of breaking things down and reviewing goals do.")
RESET_LABEL = "Reset what Wise has learned…"
RESET_EXPLANATION = (
    "Wise will forget which times of day and which kinds of wording have worked for you, "
    "which way of reflecting you rated helpful, and which ways of breaking things down and "
    "reviewing goals suited you, and start learning afresh from your next answers and "
    "ratings.\n\n"
    "Your nudges, answers, reflections, ratings and steps stay in your journal; your "
    "settings do not change. "
    "This cannot be undone.")
# Runs `work` off the GUI thread and calls back on it (ui.tasks.Background.run's shape).
Runner = Callable[..., None]
TIME_FORMAT = "HH:mm"
AUTOSTART = "startup.autostart"
RESTORE_DAMAGED = "Restore defaults (a copy of the damaged file is kept)"
COMPACT_WIDTH, HOTKEY_WIDTH, TEXT_WIDTH = 140, 200, 260
# Set by the sync set-up (ui/sync_panel.py), not typed: a target without its key in the
# keyring would not sync.
SYNC_TARGET = ("sync.folder", "sync.webdav_url", "sync.webdav_user")


def label_for(opt: Option) -> str:
    return LABELS.get(opt.key) or opt.key.rsplit(".", 1)[1].replace("_", " ").capitalize()


class HotkeyEdit(QKeySequenceEdit):
    """Records one key combination, but lets Tab move on and Esc reach the window, as in
    every other field (a plain QKeySequenceEdit records them as the combination)."""

    _PASS_THROUGH = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Escape)

    def event(self, event: QEvent) -> bool:
        if (event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
                and isinstance(event, QKeyEvent) and event.key() in self._PASS_THROUGH
                and not event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier):
            return QWidget.event(self, event)
        return super().event(event)


class SettingsWindow(QWidget):
    """Every option in `OPTIONS`, grouped by section. `applied` carries {key: new value}
    for what changed, after it was written.

    With `learned` (a blocking call giving `wise nudge --learned --json`'s dict),
    `reset_learning` (giving `wise nudge --reset-learning --json`'s) and `run_in_background`
    (``run(work, on_success=..., on_error=...)``, as ui.tasks.Background.run), the nudges
    page also shows what Wise has learned, loaded off the GUI thread each time the window
    is reloaded, and offers to reset it. `learning_reset` fires after a reset."""

    applied = Signal(dict)
    learning_loaded = Signal(str)  # the description now shown (or the failure message)
    learning_reset = Signal()

    def __init__(self, settings_path: Path, *,
                 hotkey_status: Callable[[], HotkeyStatus | None] = lambda: None,
                 learned: Callable[[], dict] | None = None,
                 reset_learning: Callable[[], dict] | None = None,
                 run_in_background: Runner | None = None,
                 wise_command: Callable[[], list[str]] | None = None,
                 show_welcome: Callable[[], None] | None = None,
                 find_models: Callable[[], list] | None = None,
                 setup_runner: Runner | None = None,
                 held_back: Callable[[], list] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.settings_path = settings_path
        self._hotkey_status = hotkey_status
        self._learned = learned
        self._reset_learning = reset_learning
        self._run = run_in_background
        self._show_welcome = show_welcome
        self._find_models = find_models
        self._setup_run = setup_runner or run_in_background  # the model picker's work
        self.picker: Any = None  # the model picker, where a test can be run
        self._learning_busy = False
        self._learning_again = False
        self._resetting = False  # a look that answers meanwhile is already out of date
        self._learning_group: QWidget | None = None
        self._confirm_box: QMessageBox | None = None
        self._values: dict[str, Any] = {o.key: o.default for o in OPTIONS}
        self._unreadable = False
        self._defaults_restored = False
        self._palette_style = PaletteStyle(self, self._stylesheet)
        self._editors: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._rows: dict[str, QWidget] = {}
        self._hotkey_status_label: QLabel | None = None
        self._wise_command = wise_command or default_wise_command
        self.sync_panel: SyncPanel | None = None
        self._held_back = held_back  # the replies the quality gate kept back (a file read)
        self.held_back_link: Any = None

        self.setWindowTitle("Settings")  # Qt appends " — Wise"
        self.setObjectName("settingsWindow")
        self.resize(680, 760)
        self.setMinimumSize(520, 420)
        self._build()
        self._palette_style.restyle()
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)
        self.reload()

    # --- public -----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the settings file into the form, dropping unsaved edits."""
        settings = load_settings(self.settings_path)
        self._values = dict(settings.values)
        self._unreadable = settings.unreadable
        self._defaults_restored = False
        self._fill(self._values)
        self._clear_errors()
        self._show_banner(settings.warnings, settings.unreadable)
        self._set_readable(not settings.unreadable)
        self._set_status("")
        self._refresh_hotkey_status()
        self.refresh_learning()
        self._show_sync_target()
        if self.held_back_link is not None:
            self.held_back_link.refresh()

    def refresh_learning(self) -> None:
        """Ask, off the GUI thread, what Wise has learned, and show it when it comes."""
        if self._learned is None or self._run is None:
            return
        if self._learning_busy:  # ask again when this answer is in: it may be stale
            self._learning_again = True
            return
        self._learning_busy = True
        if not self._learning_text.text():
            self._learning_caption.setText("Looking at your answers…")
        self._run(self._learned, on_success=self._show_learning,
                  on_error=self._learning_failed)

    def learning_text(self) -> str:
        return self._learning_text.text()

    def learning_caption(self) -> str:
        return self._learning_caption.text()

    def ask_reset_learning(self) -> QMessageBox:
        """The confirmation, window-modal and non-blocking; Reset goes ahead."""
        box = QMessageBox(QMessageBox.Icon.Question, "Reset what Wise has learned?",
                          "Reset what Wise has learned about nudging you?", parent=self)
        box.setInformativeText(RESET_EXPLANATION)
        box.setObjectName("confirmResetLearning")
        reset = box.addButton("Reset", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._do_reset_learning()
                                  if button is reset else None)
        box.finished.connect(lambda _result: setattr(self, "_confirm_box", None))
        self._confirm_box = box
        box.open()
        return box

    def editor(self, key: str) -> QWidget:
        return self._editors[key]

    def field_error(self, key: str) -> str:
        label = self._errors[key]
        return label.text() if not label.isHidden() else ""

    def banner_text(self) -> str:
        return self._banner_text.text() if not self._banner.isHidden() else ""

    def status_text(self) -> str:
        return self._status.text()

    def save(self) -> bool:
        """Validate every field; write and emit `applied` only if all are valid."""
        if self._unreadable:
            return False
        self._clear_errors()
        values, bad = self._read_form()
        if bad:
            first = next(key for key in self._editors if key in bad)
            for key, message in bad.items():
                self._show_error(key, message)
            self._scroll.ensureWidgetVisible(self._rows[first], 0, 24)
            self._editors[first].setFocus()
            needs = "1 field needs" if len(bad) == 1 else f"{len(bad)} fields need"
            self._set_status(f"{needs} a look; nothing was saved.", warning=True)
            return False

        current = load_settings(self.settings_path)
        if current.unreadable:  # broken since the window was opened: never overwrite it
            self._unreadable = True
            self._show_banner(current.warnings, True)
            self._set_readable(False)
            self._set_status("Nothing was saved.", warning=True)
            return False

        changed = {k: v for k, v in values.items() if v != self._values[k]}
        autostart_failed = not self._apply_autostart(changed)
        if autostart_failed:  # keep the setting as it was, as the login entry is
            values[AUTOSTART] = self._values[AUTOSTART]
            del changed[AUTOSTART]
        try:
            write_settings(self.settings_path, self._explicit(current.explicit, values, changed))
        except OSError as exc:
            log.info("cannot write settings to %s: %s", self.settings_path, exc)
            if AUTOSTART in changed:  # the login entry follows the setting, not the form
                self._apply_autostart({AUTOSTART: self._values[AUTOSTART]}, quiet=True)
            self._set_status(f"Could not save to {self.settings_path}: "
                             f"{exc.strerror or exc}. Nothing was changed.", warning=True)
            return False

        self._values.update(changed)
        self._defaults_restored = False
        self._show_banner([], False)  # the file is clean now
        if changed:
            self.applied.emit(changed)
        if autostart_failed:
            self._scroll.ensureWidgetVisible(self._rows[AUTOSTART], 0, 24)
            self._set_status("Saved, except starting at login (see below).", warning=True)
            return True
        self._set_status("")
        self.hide()
        return True

    def cancel(self) -> None:
        """Forget unsaved edits and hide."""
        self._defaults_restored = False
        self._fill(self._values)
        self._clear_errors()
        self._set_status("")
        self.hide()

    def restore_damaged_file(self) -> None:
        """Over a settings file Wise cannot read: keep it aside, start from the defaults."""
        try:
            copy = restore_defaults_keeping_copy(self.settings_path)
        except OSError as exc:
            self._set_status(f"Could not restore the defaults: {exc.strerror or exc}. "
                             "Nothing was changed.", warning=True)
            return
        self.reload()
        self._set_status(f"Defaults restored. Your old file is kept as {copy.name}.")
        self.applied.emit({o.key: o.default for o in OPTIONS})  # every setting may differ

    def restore_defaults(self) -> None:
        """Fill the form with every default; nothing is written until Save. Where this
        device syncs stays: only Stop syncing changes that (its key is in the keyring)."""
        self._fill({**{o.key: o.default for o in OPTIONS},
                    **{key: self._values[key] for key in SYNC_TARGET}})
        self._clear_errors()
        self._defaults_restored = True
        self._set_status("Defaults filled in. Save to keep them.")

    # --- Qt events --------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        # The app lives in the tray: closing Settings is Cancel, never quitting.
        event.ignore()
        self.cancel()

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = named(QWidget(), "header")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(28, 20, 28, 14)
        header_layout.setSpacing(2)
        title = named(QLabel("Settings"), "pageTitle")
        subtitle = named(QLabel("Changes apply when you save."), "caption")
        title_row = QHBoxLayout()
        title_row.addWidget(title)
        title_row.addStretch(1)
        self.welcome_button = named(QPushButton("Show the welcome again…"), "secondary")
        self.welcome_button.setToolTip("The four first-run steps: a goal and its why, quick "
                                       "capture, a model, your day")
        self.welcome_button.clicked.connect(lambda _checked=False: self._show_welcome()
                                            if self._show_welcome else None)
        self.welcome_button.setVisible(self._show_welcome is not None)
        title_row.addWidget(self.welcome_button, 0, Qt.AlignmentFlag.AlignVCenter)
        header_layout.addLayout(title_row)
        header_layout.addWidget(subtitle)

        self._banner = named(QFrame(), "banner")
        banner_layout = QHBoxLayout(self._banner)
        banner_layout.setContentsMargins(14, 10, 14, 10)
        self._banner_text = named(QLabel(), "bannerText")
        self._banner_text.setWordWrap(True)
        self._banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        banner_column = QVBoxLayout()
        banner_column.addWidget(self._banner_text)
        self.restore_damaged_button = named(QPushButton(RESTORE_DAMAGED), "secondary")
        self.restore_damaged_button.setToolTip("Start again from every default; the file "
                                               "Wise cannot read is kept beside it")
        self.restore_damaged_button.clicked.connect(self.restore_damaged_file)
        self.restore_damaged_button.hide()
        restore_row = QHBoxLayout()
        restore_row.addWidget(self.restore_damaged_button)
        restore_row.addStretch(1)
        banner_column.addLayout(restore_row)
        banner_layout.addLayout(banner_column)
        header_layout.addSpacing(10)
        header_layout.addWidget(self._banner)
        outer.addWidget(header)

        page = named(QWidget(), "page")
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(28, 4, 28, 24)
        page_layout.setSpacing(6)
        for section, options in self._sections():
            page_layout.addWidget(self._group(section, options))
            if section == "nudges":
                page_layout.addWidget(self._learning())
        page_layout.addStretch(1)
        # Wrapped captions make the minimum-width height far taller than needed; ignore
        # it so the scroll area sizes the page by height-for-width (no blank tail).
        page.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)

        self._page = page
        self._scroll = named(QScrollArea(), "scroll")
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(page)
        outer.addWidget(self._scroll, 1)

        outer.addWidget(self._footer())

    def _sections(self) -> list[tuple[str, list[Option]]]:
        grouped: dict[str, list[Option]] = {}
        for opt in OPTIONS:
            grouped.setdefault(opt.key.rsplit(".", 1)[0], []).append(opt)
        order = list(SECTION_TITLES)
        return sorted(grouped.items(),
                      key=lambda item: order.index(item[0]) if item[0] in order else len(order))

    def _group(self, section: str, options: list[Option]) -> QWidget:
        group = QWidget()
        layout = QVBoxLayout(group)
        layout.setContentsMargins(0, 14, 0, 4)
        layout.setSpacing(6)
        title = SECTION_TITLES.get(section) or section.replace("_", " ").capitalize()
        heading = named(QLabel(title), "groupTitle")
        heading.setAccessibleName(title)
        layout.addWidget(heading)
        if section in SECTION_NOTES:
            note = named(QLabel(SECTION_NOTES[section]), "caption")
            note.setWordWrap(True)
            layout.addWidget(note)
        if section == "llm" and self._setup_run is not None:
            layout.addWidget(self._model_card())
        if section == "llm" and self._held_back is not None:
            from ui.held_back_replies import HeldBackLink

            self.held_back_link = HeldBackLink(self._held_back)
            layout.addWidget(self.held_back_link)
        if section == "sync":
            self.sync_panel = SyncPanel(self._wise_command)
            self.sync_panel.changed.connect(self._sync_target_changed)
            layout.addWidget(self.sync_panel)
            layout.addSpacing(6)

        card = named(QFrame(), "card")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(0, 0, 0, 0)
        card_layout.setSpacing(0)
        shown = [opt for opt in options if opt.key not in SYNC_TARGET]
        for index, opt in enumerate(shown):
            if index:
                line = named(QFrame(), "separator")
                line.setFixedHeight(1)
                card_layout.addWidget(line)
            card_layout.addWidget(self._row(opt))
        for opt in options:
            if opt.key in SYNC_TARGET:  # an editor all the same: the form keeps its value
                row = self._row(opt)
                row.setParent(card)
                row.hide()
        layout.addWidget(card)
        return group

    def _model_card(self) -> QWidget:
        """Choosing a model in plain words: found on this computer, or a cloud provider
        and its key, and a Test. It fills the exact fields below."""
        from ui.model_picker import ModelPicker

        card = named(QFrame(), "card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(16, 14, 16, 14)
        assert self._setup_run is not None and self._wise_command is not None
        self.picker = ModelPicker(self._setup_run, self._wise_command,
                                  self._save_model_choice,
                                  find=self._find_models)
        self.picker.chosen.connect(self._model_chosen)
        inner.addWidget(self.picker)
        return card

    def _model_chosen(self, model: str, api_base: str) -> None:
        for key, value in (("llm.model", model), ("llm.api_base", api_base)):
            editor = self._editors.get(key)
            if isinstance(editor, QLineEdit):
                editor.setText(value)
                editor.setCursorPosition(0)

    def _save_model_choice(self, model: str, api_base: str) -> None:
        """Before a test: the model is saved at once (the test reads the saved settings)."""
        if self._unreadable:
            return
        try:
            set_setting(self.settings_path, "llm.model", model)
            set_setting(self.settings_path, "llm.api_base", api_base)
        except (WiseError, OSError) as exc:
            self._set_status(f"Could not save the model: {exc}", warning=True)
            return
        changed = {key: value for key, value in (("llm.model", model),
                                                 ("llm.api_base", api_base))
                   if self._values.get(key) != value}
        self._values.update(changed)
        if changed:
            self.applied.emit(changed)

    def _show_sync_target(self) -> None:
        if self.sync_panel is not None:
            self.sync_panel.show_target(str(self._values.get("sync.folder")
                                            or self._values.get("sync.webdav_url") or ""))

    def _sync_target_changed(self) -> None:
        """A set-up or a stop rewrote the target in the file: take it in, and nothing
        else (unsaved edits in the form stay as they are)."""
        settings = load_settings(self.settings_path)
        for key in SYNC_TARGET:
            self._values[key] = settings.values[key]
            editor = self._editors[key]
            assert isinstance(editor, QLineEdit)
            editor.setText(self._values[key])
        self._show_sync_target()

    def _learning(self) -> QWidget:
        """The "What Wise has learned" group: the learner's own words and a reset."""
        group = named(QWidget(), "learningGroup")
        self._learning_group = group
        layout = QVBoxLayout(group)
        layout.setContentsMargins(0, 14, 0, 4)
        layout.setSpacing(6)
        heading = named(QLabel(LEARNING_TITLE), "groupTitle")
        heading.setAccessibleName(LEARNING_TITLE)
        layout.addWidget(heading)
        note = named(QLabel(LEARNING_NOTE), "caption")
        note.setWordWrap(True)
        layout.addWidget(note)

        card = named(QFrame(), "card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(16, 14, 16, 14)
        inner.setSpacing(8)
        self._learning_text = named(QLabel(), "learningText")
        self._learning_text.setWordWrap(True)
        self._learning_text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self._learning_text.setAccessibleName(LEARNING_TITLE)
        self._learning_text.setSizePolicy(QSizePolicy.Policy.Preferred,
                                          QSizePolicy.Policy.Minimum)
        self._learning_caption = named(QLabel(), "caption")
        self._learning_caption.setWordWrap(True)
        self._learning_caption.setSizePolicy(QSizePolicy.Policy.Preferred,
                                             QSizePolicy.Policy.Minimum)
        self._reset_button = named(QPushButton(RESET_LABEL), "secondary")
        self._reset_button.setToolTip("Forget what was learned and start afresh; "
                                      "you will be asked first.")
        self._reset_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self._reset_button.clicked.connect(self.ask_reset_learning)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 4, 0, 0)
        buttons.addWidget(self._reset_button)
        buttons.addStretch(1)
        inner.addWidget(self._learning_text)
        inner.addWidget(self._learning_caption)
        inner.addLayout(buttons)
        layout.addWidget(card)
        # Without a way to ask (a bare window in a test), there is nothing to show.
        group.setVisible(self._learned is not None and self._run is not None)
        self._reset_button.setEnabled(self._reset_learning is not None)
        return group

    def _show_learning(self, data: dict) -> None:
        if self._resetting:
            return
        self._learning_busy = False
        self._reset_button.setEnabled(self._reset_learning is not None)
        description = str(data.get("description") or "Nothing learned yet.")
        self._learning_text.setText(description)
        self._learning_caption.setProperty("warning", False)
        self._learning_caption.setText(_since_words(data.get("since")))
        self._learning_caption.setVisible(bool(self._learning_caption.text()))
        self._repolish(self._learning_caption)
        self.learning_loaded.emit(description)
        self._maybe_again()

    def _learning_failed(self, exc: Exception) -> None:
        if self._resetting:
            return
        log.info("cannot read what Wise has learned: %s", exc)
        self._say_failure(f"Wise could not say what it has learned just now ({exc}).")

    def _reset_failed(self, exc: Exception) -> None:
        self._resetting = False
        log.info("cannot reset what Wise has learned: %s", exc)
        self._say_failure(f"Nothing was reset: {exc}.")

    def _say_failure(self, message: str) -> None:
        self._learning_busy = False
        self._reset_button.setEnabled(self._reset_learning is not None)
        self._learning_caption.setText(message)
        self._learning_caption.setProperty("warning", True)
        self._learning_caption.setVisible(True)
        self._repolish(self._learning_caption)
        self.learning_loaded.emit(message)
        self._maybe_again()

    def _maybe_again(self) -> None:
        if self._learning_again:
            self._learning_again = False
            self.refresh_learning()

    def _do_reset_learning(self) -> None:
        if self._reset_learning is None or self._run is None:
            return
        self._reset_button.setEnabled(False)
        self._learning_busy = True  # no reload may show the old words meanwhile
        self._resetting = True
        self._learning_caption.setText("Resetting…")
        self._learning_caption.setProperty("warning", False)
        self._learning_caption.setVisible(True)
        self._repolish(self._learning_caption)
        self._run(self._reset_learning, on_success=self._learning_was_reset,
                  on_error=self._reset_failed)

    def _learning_was_reset(self, _data: dict) -> None:
        self._resetting = False
        self._learning_busy = False
        self._learning_again = False  # the refresh below is the one that counts
        self.learning_reset.emit()
        self.refresh_learning()  # the words after the reset, from the journal itself

    def _row(self, opt: Option) -> QWidget:
        row = named(QWidget(), "row")
        self._rows[opt.key] = row
        grid = QGridLayout(row)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(20)
        grid.setVerticalSpacing(3)

        editor = self._make_editor(opt)
        name = named(QLabel(label_for(opt)), "fieldTitle")
        name.setBuddy(editor)
        caption = named(QLabel(opt.help), "caption")
        caption.setWordWrap(True)
        # A help that only repeats the field's name would be noise under it.
        caption.setVisible(_plain(opt.help) != _plain(label_for(opt)))
        caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        error = named(QLabel(), "fieldError")
        error.setWordWrap(True)
        error.hide()
        self._errors[opt.key] = error
        # A Qt-to-Qt connection: it goes away with the label, even mid-teardown.
        _edited_signal(editor).connect(error.hide)
        for widget in (row, name, caption, editor):
            widget.setToolTip(opt.help)
        editor.setAccessibleName(label_for(opt))
        editor.setAccessibleDescription(opt.help)

        # The exact key, quietly, for those who use `wise config set` or edit the file.
        key = named(QLabel(opt.key), "keyName")
        key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text = QVBoxLayout()
        text.setSpacing(3)
        text.addWidget(name)
        text.addWidget(caption)
        text.addWidget(key)
        text.addWidget(error)
        grid.addLayout(text, 0, 0)
        grid.addWidget(editor, 0, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        if opt.kind == "hotkey":
            status = named(QLabel(), "hotkeyStatus")
            status.setWordWrap(True)
            status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._hotkey_status_label = status
            grid.addWidget(status, 1, 0, 1, 2)
        return row

    def _make_editor(self, opt: Option) -> QWidget:
        editor: QWidget
        if opt.kind == "int":
            spin = QSpinBox()
            spin.setRange(int(opt.minimum) if opt.minimum is not None else -(2**31),
                          int(opt.maximum) if opt.maximum is not None else 2**31 - 1)
            spin.setSuffix(SUFFIXES.get(opt.key, ""))
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setFixedWidth(COMPACT_WIDTH)
            editor = spin
        elif opt.kind == "float":
            number = QDoubleSpinBox()
            number.setRange(opt.minimum if opt.minimum is not None else 0.0,
                            opt.maximum if opt.maximum is not None else 1e9)
            number.setDecimals(2)
            number.setSingleStep(0.1 if (opt.maximum or 0) <= 10 else 1.0)
            number.setSuffix(SUFFIXES.get(opt.key, ""))
            number.setAlignment(Qt.AlignmentFlag.AlignRight)
            number.setFixedWidth(COMPACT_WIDTH)
            editor = number
        elif opt.kind == "bool":
            box = QCheckBox()
            editor = box
        elif opt.kind == "time":
            time = QTimeEdit()
            time.setDisplayFormat(TIME_FORMAT)
            time.setAlignment(Qt.AlignmentFlag.AlignRight)
            time.setFixedWidth(COMPACT_WIDTH)
            editor = time
        elif opt.kind == "choice":
            combo = QComboBox()
            for choice in opt.choices:
                combo.addItem(CHOICE_LABELS.get(choice, choice.capitalize()), choice)
            combo.setFixedWidth(COMPACT_WIDTH)
            editor = combo
        elif opt.kind == "hotkey":
            keys = HotkeyEdit()
            keys.setClearButtonEnabled(True)
            keys.setMaximumSequenceLength(1)
            keys.setFixedWidth(HOTKEY_WIDTH)
            editor = keys
        else:
            line = QLineEdit()
            line.setClearButtonEnabled(True)
            line.setPlaceholderText(PLACEHOLDERS.get(opt.key, ""))
            line.setFixedWidth(TEXT_WIDTH)
            editor = line
        editor.setObjectName(f"editor:{opt.key}")
        self._editors[opt.key] = editor
        return editor

    def _footer(self) -> QWidget:
        footer = named(QFrame(), "footer")
        layout = QHBoxLayout(footer)
        layout.setContentsMargins(28, 12, 28, 14)
        layout.setSpacing(10)
        restore = self._restore_button = named(QPushButton("Restore defaults"), "secondary")
        restore.setToolTip("Fill in every default; nothing changes until you save.")
        restore.clicked.connect(self.restore_defaults)
        self._status = named(QLabel(), "status")
        self._status.setWordWrap(True)
        cancel = named(QPushButton("Cancel"), "secondary")
        cancel.setToolTip("Close without saving (Esc)")
        cancel.clicked.connect(self.cancel)
        self._save_button = named(QPushButton("Save"), "primary")
        self._save_button.setToolTip("Save your changes (Ctrl+S)")
        self._save_button.setDefault(True)
        self._save_button.clicked.connect(self.save)
        for button in (restore, cancel, self._save_button):
            button.setMinimumWidth(96)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        layout.addWidget(restore)
        layout.addWidget(self._status, 1)
        layout.addWidget(cancel)
        layout.addWidget(self._save_button)
        return footer

    # --- form <-> values --------------------------------------------------------------

    def _fill(self, values: dict[str, Any]) -> None:
        for opt in OPTIONS:
            editor, value = self._editors[opt.key], values[opt.key]
            if isinstance(editor, QSpinBox | QDoubleSpinBox):
                editor.setValue(value)
            elif isinstance(editor, QCheckBox):
                editor.setChecked(value)
            elif isinstance(editor, QTimeEdit):
                editor.setTime(QTime.fromString(value, TIME_FORMAT))
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, QKeySequenceEdit):
                editor.setKeySequence(
                    QKeySequence.fromString(value, QKeySequence.SequenceFormat.PortableText))
            elif isinstance(editor, QLineEdit):
                editor.setText(value)
                editor.setCursorPosition(0)
        if self.picker is not None:
            self.picker.set_choice(values["llm.model"], values["llm.api_base"])

    def _read_form(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {}
        bad: dict[str, str] = {}
        for opt in OPTIONS:
            try:
                values[opt.key] = opt.validate(self._editor_value(self._editors[opt.key]))
            except BadInput as exc:
                bad[opt.key] = self._readable(opt, exc)
        return values, bad

    @staticmethod
    def _editor_value(editor: QWidget) -> Any:
        if isinstance(editor, QSpinBox | QDoubleSpinBox):
            return editor.value()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QTimeEdit):
            return editor.time().toString(TIME_FORMAT)
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QKeySequenceEdit):
            return editor.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        assert isinstance(editor, QLineEdit)
        return editor.text()

    @staticmethod
    def _readable(opt: Option, exc: BadInput) -> str:
        # The schema's messages name the key for the command line; the form shows the field.
        message = str(exc).removeprefix(f"{opt.key} ")
        return message[:1].upper() + message[1:] + "."

    def _explicit(self, in_file: dict[str, Any], values: dict[str, Any],
                  changed: dict[str, Any]) -> dict[str, Any]:
        """What the file should hold: the user's own choices only. A value changed back
        to its default is dropped so it follows the default from then on; untouched keys
        keep what the file says now (`wise config set` may have run meanwhile)."""
        explicit = {} if self._defaults_restored else dict(in_file)
        for opt in OPTIONS:
            if opt.key in changed or self._defaults_restored:
                if values[opt.key] == opt.default:
                    explicit.pop(opt.key, None)
                else:
                    explicit[opt.key] = values[opt.key]
        return explicit

    def _apply_autostart(self, changed: dict[str, Any], *, quiet: bool = False) -> bool:
        """Register or remove the login entry if the setting changed; False if that failed
        (then the checkbox goes back and says why)."""
        if AUTOSTART not in changed:
            return True
        try:
            if changed[AUTOSTART]:
                enable_autostart(default_command())
            else:
                disable_autostart()
        except OSError as exc:
            log.info("cannot change start at login: %s", exc)
            if not quiet:
                box = self._editors[AUTOSTART]
                assert isinstance(box, QCheckBox)
                box.blockSignals(True)
                box.setChecked(self._values[AUTOSTART])
                box.blockSignals(False)
                where = f" ({exc.filename})" if exc.filename else ""
                self._show_error(AUTOSTART, f"Could not change starting at login: "
                                 f"{exc.strerror or exc}{where}. The setting is unchanged.")
            return False
        return True

    # --- messages ---------------------------------------------------------------------

    def _show_banner(self, warnings: list[str], unreadable: bool) -> None:
        if unreadable:
            detail = "<br>".join(_escape(w) for w in warnings)
            text = ("<b>Your settings file can't be read, so Wise is using the defaults.</b>"
                    f"<br>{detail}<br>Fix it in a text editor and reopen Settings, or start "
                    "again from the defaults: the damaged file is kept, renamed, beside the "
                    "new one. Until then saving is off, so your file is never overwritten.")
        elif warnings:
            items = "".join(f"<li>{_escape(w)}</li>" for w in warnings)
            text = ("<b>Some settings in your file were ignored; their defaults are used."
                    f"</b><ul style='margin-left:-20px'>{items}</ul>"
                    "Saving here writes a clean file.")
        else:
            self._banner.hide()
            self.restore_damaged_button.hide()
            return
        self.restore_damaged_button.setVisible(unreadable)
        self._banner_text.setText(text)
        self._banner.setProperty("severity", "error" if unreadable else "warning")
        self._banner.show()
        self._palette_style.restyle()

    def _refresh_hotkey_status(self) -> None:
        if self._hotkey_status_label is None:
            return
        status = self._hotkey_status()
        text = status.message.strip() if status is not None else ""
        # A shortcut that works is information ("✓ Ctrl+Alt+Space opens quick capture."),
        # not a warning: the amber box is for one that does not, with what to do instead.
        ok = status is not None and status.active
        self._hotkey_status_label.setText(f"✓ {text}" if ok else text)
        self._hotkey_status_label.setVisible(bool(text))
        self._hotkey_status_label.setProperty("state", "ok" if ok else "warning")
        self._palette_style.restyle()

    def _set_readable(self, readable: bool) -> None:
        # Over a file Wise cannot read, the form only shows the defaults in use.
        for widget in (self._page, self._save_button, self._restore_button):
            widget.setEnabled(readable)

    def _show_error(self, key: str, message: str) -> None:
        self._errors[key].setText(message)
        self._errors[key].show()

    def _clear_errors(self) -> None:
        for label in self._errors.values():
            label.hide()

    def _set_status(self, text: str, *, warning: bool = False) -> None:
        self._status.setText(text)
        self._status.setProperty("warning", warning)
        self._repolish(self._status)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    # --- looks ------------------------------------------------------------------------

    @staticmethod
    def _stylesheet(palette: QPalette) -> str:
        t = Tokens(palette)
        return f"""
            #settingsWindow, #page, #header {{ background: {t.window}; }}
            #scroll, #scroll > QWidget > QWidget {{ background: {t.window}; }}
            #pageTitle {{ font-size: 20pt; font-weight: 600; }}
            #groupTitle {{ font-size: 11pt; font-weight: 600; color: {t.text};
                           padding-left: 2px; }}
            #fieldTitle {{ font-weight: 500; }}
            #learningText {{ font-size: 10.5pt; }}
            #caption[warning="true"] {{ color: {t.error}; }}
            #caption {{ color: {t.muted}; font-size: 9pt; }}
            #keyName {{ color: {t.faint}; font-size: 8pt; font-family: monospace; }}
            #groupTitle:disabled, #fieldTitle:disabled, #caption:disabled {{ color: {t.faint}; }}
            #fieldError {{ color: {t.error}; font-size: 9pt; font-weight: 500; }}
            #card {{ background: {t.card}; border: 1px solid {t.border}; border-radius: 10px; }}
            #row {{ background: transparent; }}
            #separator {{ background: {t.separator}; border: none; margin: 0 16px; }}
            #hotkeyStatus {{ font-size: 9pt; border-radius: 6px; padding: 6px 10px;
                             margin-top: 6px; }}
            #hotkeyStatus[state="ok"] {{ color: {t.ok}; background: transparent; padding: 0;
                                         margin-top: 2px; }}
            #hotkeyStatus[state="warning"] {{ color: {t.warn}; background: {t.warn_bg};
                                              border: 1px solid {t.warn_border}; }}
            #banner {{ border-radius: 8px; }}
            #banner[severity="warning"] {{ background: {t.warn_bg};
                                           border: 1px solid {t.warn_border}; }}
            #banner[severity="error"] {{ background: {t.error_bg};
                                         border: 1px solid {t.error_border}; }}
            #banner[severity="warning"] #bannerText {{ color: {t.warn}; }}
            #banner[severity="error"] #bannerText {{ color: {t.error}; }}
            #header {{ border-bottom: 1px solid {t.separator}; }}
            QScrollBar:vertical {{ background: transparent; width: 12px; margin: 4px 2px; }}
            QScrollBar::handle:vertical {{ background: {t.border}; border-radius: 4px;
                                          min-height: 36px; }}
            QScrollBar::handle:vertical:hover {{ background: {t.muted}; }}
            QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
            QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: none; }}
            #footer {{ background: {t.window}; border-top: 1px solid {t.separator}; }}
            #status {{ color: {t.muted}; }}
            #status[warning="true"] {{ color: {t.error}; }}
        """ + button_rules(t)


def _edited_signal(editor: QWidget) -> Any:
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        return editor.valueChanged
    if isinstance(editor, QCheckBox):
        return editor.toggled
    if isinstance(editor, QTimeEdit):
        return editor.timeChanged
    if isinstance(editor, QComboBox):
        return editor.currentIndexChanged
    if isinstance(editor, QKeySequenceEdit):
        return editor.keySequenceChanged
    assert isinstance(editor, QLineEdit)
    return editor.textEdited


def _since_words(since: object) -> str:
    """'Counting your answers since Thu 26 Nov.' for an ISO moment, else ''."""
    if not isinstance(since, str) or not since:
        return ""
    try:
        moment = datetime.fromisoformat(since).astimezone()
    except ValueError:
        return ""
    return (f"Counting your answers since {moment:%a} {moment.day} {moment:%b %Y}, "
            "when you last reset it.")


def _plain(text: str) -> str:
    return text.strip().rstrip(".").casefold()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
