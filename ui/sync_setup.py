"""Setting sync up from Settings, for people who never open a terminal: a folder or a
WebDAV server, the passphrase twice, then `wise sync setup --json` in a child process
with every secret on its standard input (never its command line or environment), and
the recovery key shown once, in plain words, on a page of its own."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import BadInput
from app.sync.crypto import MIN_PASSPHRASE, key_from_recovery
from ui.children import JsonChild
from ui.palette import PaletteStyle, Tokens, button_rules, named

TITLE = "Set up sync"
INTRO = ("Wise keeps this journal the same on your computers. Everything is encrypted here "
         "before it leaves: the folder or server only ever sees sealed files.")
CHOOSING_NOTE = ("On your first device, choose a new passphrase: it seals everything, and "
                   "each device you add will ask for it. If another device already syncs "
                   "there, type the passphrase you chose on it.")
WORKING = "Setting up: checking the place and sealing the key. This takes a few seconds…"
KEY_WORDS = (
    "Keep it somewhere safe, away from this computer: on paper, or in a password manager. "
    "If you ever forget your passphrase, this key still lets you add a device. Wise shows "
    "it only this once, and anyone who has it can read your synced journal.")
RECOVERY_NOTE = ("The key shown when the sync folder was made. With it this device joins "
                 "without the passphrase (which stays as it is on the other devices).")
TO_RECOVERY, TO_PASSPHRASE = ("Forgot the passphrase? Join with the recovery key",
                              "Use the passphrase instead")
NOTHING_CHANGED = " Nothing was changed."
LONG_WORD = 80  # a path or address longer than this is shortened in messages


def passphrase_hint(text: str) -> tuple[str, str]:
    """(level, words) for a passphrase being typed: level is "empty", "short", "weak",
    "fair" or "strong". A rough guess from its length and kinds of characters, shown as a
    hint: it never refuses anything but a passphrase shorter than the minimum."""
    if not text:
        return "empty", (f"At least {MIN_PASSPHRASE} characters. Four or five unrelated "
                         "words are strong and easy to remember.")
    if len(text) < MIN_PASSPHRASE:
        missing = MIN_PASSPHRASE - len(text)
        return "short", (f"Too short: {missing} more character{'s' if missing != 1 else ''}"
                         f", at least {MIN_PASSPHRASE} in all.")
    pool = ((26 if re.search(r"[a-z]", text) else 0) + (26 if re.search(r"[A-Z]", text) else 0)
            + (10 if re.search(r"\d", text) else 0) + (1 if " " in text else 0)
            + (32 if re.search(r"[^\w\s]", text) else 0)
            + (100 if re.search(r"[^\x00-\x7f]", text) else 0))
    # Repeats add little: "aaaaaaaaaaaaaaaa" is not strong for being long.
    length = min(len(text), 3 * len(set(text)))
    bits = length * math.log2(max(pool, 2))
    if bits < 50:
        return "weak", "Weak: add a word or two that do not belong together."
    if bits < 75:
        return "fair", "Fair: one more word would make it strong."
    return "strong", "Strong."


def tame(text: str) -> str:
    """`text` with any very long word (a path, an address) shortened in the middle, so a
    message wraps inside the window instead of widening it."""
    half = LONG_WORD // 2 - 1
    return re.sub(rf"\S{{{LONG_WORD + 1},}}", lambda m: f"{m[0][:half]}…{m[0][-half:]}", text)


def _reason(message: str) -> str:
    """'cannot write to the sync folder /x: Permission denied; nothing was changed' ->
    'Permission denied'."""
    core = message.removesuffix("; nothing was changed")
    reason = core.rsplit(": ", 1)[-1] if ": " in core else core
    return re.sub(r"^\[Errno \d+\]\s*", "", reason)  # "[Errno 111] Connection refused"


class SyncSetupDialog(QDialog):
    """The set-up, window-modal over Settings. `set_up(dict)` carries `wise sync setup
    --json`'s answer once it succeeded (the settings file already names the target)."""

    set_up = Signal(dict)

    def __init__(self, wise_command: Callable[[], list[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncSetup")
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(520)
        self.resize(580, 720)
        self.child = JsonChild(wise_command, self)
        self.child.finished.connect(self._succeeded)
        self.child.failed.connect(self._failed)
        self.child.cancelled.connect(self._stopped)
        self._palette_style = PaletteStyle(self, _stylesheet)
        self.by_recovery = False
        self._build()
        self._use_folder(True)
        self._use_recovery(False)
        self._palette_style.restyle()

    # --- public (what the tests and Settings use) -------------------------------------

    def is_running(self) -> bool:
        return self.child.is_running()

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def recovery_key(self) -> str:
        return self.key.text()

    def on_done_page(self) -> bool:
        return self.pages.currentWidget() is self.done_page

    def start(self) -> bool:
        """Check what was typed; if it will do, run the set-up. False when it did not
        start (the message says what to change)."""
        if self.child.is_running():
            return False
        problem = self._check()
        if problem is not None:
            message, field = problem
            self._show_error(message, field)
            return False
        self._clear_error()
        folder = self.folder_choice.isChecked()
        secret = self.recovery.text().strip() if self.by_recovery else self.passphrase.text()
        if folder:
            args = ["sync", "setup", "--folder", self.folder.text().strip()]
            secrets = f"{secret}\n"
        else:
            args = ["sync", "setup", "--webdav", self.url.text().strip()]
            user = self.user.text().strip()
            secrets = f"{secret}\n"
            if user:  # the WebDAV password first, then the passphrase: one a line
                args += ["--user", user]
                secrets = f"{self.password.text()}\n{secret}\n"
        if self.by_recovery:
            args.append("--recovery-key")
        self._set_running(True)
        self.child.start(args, what="the set-up", stdin=secrets.encode("utf-8"))
        return True

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # Never squeezed below what the fields need: a message shown grows the window.
        outer.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.pages = QStackedWidget()
        self.form_page = self._form()
        self.done_page = self._done()
        self.pages.addWidget(self.form_page)
        self.pages.addWidget(self.done_page)
        outer.addWidget(self.pages)

    def _form(self) -> QWidget:
        page = named(QWidget(), "page")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(8)
        layout.addWidget(named(QLabel(TITLE), "dialogTitle"))
        layout.addWidget(_caption(INTRO))
        layout.addSpacing(6)

        self.inputs = QWidget()
        inputs = QVBoxLayout(self.inputs)
        inputs.setContentsMargins(0, 0, 0, 0)
        inputs.setSpacing(8)
        inputs.addWidget(named(QLabel("Where should Wise keep the sync files?"), "sectionTitle"))
        where = named(QFrame(), "card")
        where_layout = QVBoxLayout(where)
        where_layout.setContentsMargins(16, 12, 16, 14)
        where_layout.setSpacing(6)
        self.folder_choice = QRadioButton("A folder your devices share")
        self.webdav_choice = QRadioButton("A WebDAV server, such as Nextcloud")
        choices = QButtonGroup(self)
        choices.addButton(self.folder_choice)
        choices.addButton(self.webdav_choice)
        self.folder_choice.setChecked(True)
        self.folder_choice.toggled.connect(self._use_folder)

        where_layout.addWidget(self.folder_choice)
        self.folder_box = QWidget()
        folder_row = QGridLayout(self.folder_box)
        folder_row.setContentsMargins(24, 0, 0, 4)
        folder_row.setHorizontalSpacing(8)
        folder_row.setVerticalSpacing(4)
        self.folder = _field("folder", "e.g. /home/you/Sync/Wise", "Shared folder")
        self.choose = named(QPushButton("Choose…"), "secondary")
        self.choose.setToolTip("Pick the folder in a file chooser")
        self.choose.clicked.connect(self._choose_folder)
        folder_row.addWidget(self.folder, 0, 0)
        folder_row.addWidget(self.choose, 0, 1)
        folder_row.addWidget(_caption("Kept in step by Syncthing, Nextcloud, Dropbox, iCloud "
                                      "Drive or a USB stick."), 1, 0, 1, 2)
        folder_row.setColumnStretch(0, 1)
        where_layout.addWidget(self.folder_box)

        where_layout.addWidget(self.webdav_choice)
        self.webdav_box = QWidget()
        dav = QGridLayout(self.webdav_box)
        dav.setContentsMargins(24, 0, 0, 0)
        dav.setHorizontalSpacing(10)
        dav.setVerticalSpacing(6)
        self.url = _field("url", "https://cloud.example.org/remote.php/dav/files/you/Wise/",
                          "WebDAV address")
        self.user = _field("user", "your user name", "WebDAV user")
        self.password = _field("password", "its password (kept in your keyring)",
                               "WebDAV password", secret=True)
        for row, (label, field) in enumerate((("Address", self.url), ("User", self.user),
                                              ("Password", self.password))):
            name = named(QLabel(label), "fieldTitle")
            name.setBuddy(field)
            dav.addWidget(name, row, 0)
            dav.addWidget(field, row, 1)
        dav.setColumnStretch(1, 1)
        where_layout.addWidget(self.webdav_box)
        inputs.addWidget(where)

        inputs.addSpacing(6)
        self.secret_title = named(QLabel("Passphrase"), "sectionTitle")
        inputs.addWidget(self.secret_title)
        self.passphrase_note = _caption(CHOOSING_NOTE)
        secret = self.secret_card = named(QFrame(), "card")
        secret_layout = QGridLayout(secret)
        secret_layout.setContentsMargins(16, 12, 16, 12)
        secret_layout.setHorizontalSpacing(10)
        secret_layout.setVerticalSpacing(6)
        self.passphrase = _field("passphrase", "a few words only you would put together",
                                 "Passphrase", secret=True)
        self.again = _field("again", "the same again", "Passphrase again", secret=True)
        self.hint = named(QLabel(), "hint")
        self.hint.setWordWrap(True)
        self.match = named(QLabel(), "hint")
        self.match.setWordWrap(True)
        for row, (label, field) in enumerate((("Passphrase", self.passphrase),
                                              ("Again", self.again))):
            name = named(QLabel(label), "fieldTitle")
            name.setBuddy(field)
            secret_layout.addWidget(name, row * 2, 0)
            secret_layout.addWidget(field, row * 2, 1)
        secret_layout.addWidget(self.hint, 1, 1)
        secret_layout.addWidget(self.match, 3, 1)
        secret_layout.setColumnStretch(1, 1)
        self.passphrase.textChanged.connect(self._passphrase_typed)
        self.again.textChanged.connect(self._passphrase_typed)
        inputs.addWidget(self.passphrase_note)
        inputs.addWidget(secret)

        self.recovery_note = _caption(RECOVERY_NOTE)
        self.recovery_card = named(QFrame(), "card")
        recovery_layout = QHBoxLayout(self.recovery_card)
        recovery_layout.setContentsMargins(16, 12, 16, 12)
        self.recovery = _field("recovery", "XXXXX-XXXXX-XXXXX-…", "Recovery key")
        self.recovery.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        name = named(QLabel("Key"), "fieldTitle")
        name.setBuddy(self.recovery)
        recovery_layout.addWidget(name)
        recovery_layout.addWidget(self.recovery, 1)
        inputs.addWidget(self.recovery_note)
        inputs.addWidget(self.recovery_card)
        self.switch = named(QPushButton(TO_RECOVERY), "link")
        self.switch.setCursor(Qt.CursorShape.PointingHandCursor)
        self.switch.clicked.connect(lambda: self._use_recovery(not self.by_recovery))
        inputs.addWidget(self.switch, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.inputs)
        self._passphrase_typed()

        self.error = named(QLabel(), "error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        layout.addWidget(self.error)

        self.progress_row = QWidget()
        progress = QHBoxLayout(self.progress_row)
        progress.setContentsMargins(0, 4, 0, 0)
        busy = QProgressBar()
        busy.setRange(0, 0)  # busy: the set-up does not say how far it is
        busy.setFixedWidth(90)
        busy.setTextVisible(False)
        busy.setAccessibleName("Setting up")
        progress.addWidget(busy)
        progress.addWidget(_caption(WORKING), 1)
        self.progress_row.hide()
        layout.addWidget(self.progress_row)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = named(QPushButton("Cancel"), "secondary")
        self.cancel_button.clicked.connect(self.reject)
        self.go = named(QPushButton("Set up sync"), "primary")
        self.go.setDefault(True)
        self.go.clicked.connect(self.start)
        for button in (self.cancel_button, self.go):
            button.setMinimumWidth(110)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return page

    def _done(self) -> QWidget:
        page = named(QWidget(), "page")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(10)
        layout.addWidget(named(QLabel("✓ Sync is set up"), "dialogTitle"))
        self.done_text = _caption("")
        self.done_text.setObjectName("doneText")
        layout.addWidget(self.done_text)

        self.key_box = QWidget()
        key_layout = QVBoxLayout(self.key_box)
        key_layout.setContentsMargins(0, 8, 0, 0)
        key_layout.setSpacing(8)
        key_layout.addWidget(named(QLabel("Your recovery key"), "sectionTitle"))
        card = named(QFrame(), "keyCard")
        card_layout = QHBoxLayout(card)
        card_layout.setContentsMargins(14, 12, 12, 12)
        self.key = named(QLabel(), "recoveryKey")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.key.setFont(font)
        self.key.setWordWrap(True)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                         | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.key.setAccessibleName("Recovery key")
        self.copy = named(QPushButton("Copy"), "secondary")
        self.copy.setToolTip("Put the recovery key on the clipboard")
        self.copy.clicked.connect(self._copy_key)
        self._copied = QTimer(self.copy)  # goes with the button: never fires on a dead one
        self._copied.setSingleShot(True)
        self._copied.setInterval(2000)
        self._copied.timeout.connect(lambda: self.copy.setText("Copy"))
        card_layout.addWidget(self.key, 1)
        card_layout.addWidget(self.copy, 0, Qt.AlignmentFlag.AlignVCenter)
        key_layout.addWidget(card)
        key_layout.addWidget(_caption(KEY_WORDS))
        layout.addWidget(self.key_box)
        layout.addStretch(1)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.done_button = named(QPushButton("Done"), "primary")
        self.done_button.setMinimumWidth(110)
        self.done_button.clicked.connect(self.accept)
        buttons.addWidget(self.done_button)
        layout.addLayout(buttons)
        return page

    # --- reacting ---------------------------------------------------------------------

    def _use_folder(self, folder: bool) -> None:
        self.folder_box.setEnabled(folder)
        self.webdav_box.setEnabled(not folder)

    def _use_recovery(self, recovery: bool) -> None:
        """The passphrase twice, or (to join when it is forgotten) the recovery key."""
        self.by_recovery = recovery
        self.secret_title.setText("Recovery key" if recovery else "Passphrase")
        for widget in (self.passphrase_note, self.secret_card):
            widget.setVisible(not recovery)
        for widget in (self.recovery_note, self.recovery_card):
            widget.setVisible(recovery)
        self.switch.setText(TO_PASSPHRASE if recovery else TO_RECOVERY)
        self.go.setText("Join" if recovery else "Set up sync")
        self._clear_error()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Choose the folder your devices share",
                                                  self.folder.text())
        if chosen:
            self.folder.setText(chosen)
            self.folder.setCursorPosition(0)

    def _passphrase_typed(self) -> None:
        level, words = passphrase_hint(self.passphrase.text())
        self.hint.setText(words)
        self.hint.setProperty("level", level)
        again = self.again.text()
        if not again:
            self.match.setText("")
        elif again == self.passphrase.text():
            self.match.setText("✓ The same.")
            self.match.setProperty("level", "strong")
        else:
            self.match.setText("Not the same yet.")
            self.match.setProperty("level", "weak" if len(again) >= len(
                self.passphrase.text()) else "empty")
        self.match.setVisible(bool(self.match.text()))
        for label in (self.hint, self.match):
            _repolish(label)

    def _check(self) -> tuple[str, QLineEdit] | None:
        """What to change before anything runs, with the field to change; None when all
        will do. The passphrases are compared here: a typo never reaches the set-up."""
        if self.folder_choice.isChecked():
            if not self.folder.text().strip():
                return "Choose the folder your devices share first.", self.folder
        else:
            if not self.url.text().strip():
                return "Type the WebDAV address first.", self.url
            if self.user.text().strip() and not self.password.text():
                return "Type the WebDAV password for this user too.", self.password
        for field in (self.password, self.passphrase, self.recovery):
            if any(end in field.text() for end in "\r\n"):  # each goes as one stdin line
                return "This cannot hold a line break: type it on one line.", field
        if self.by_recovery:
            try:
                key_from_recovery(self.recovery.text())
            except BadInput as exc:
                words = str(exc).removesuffix("; nothing was changed")
                return words[:1].upper() + words[1:] + ".", self.recovery
            return None
        if len(self.passphrase.text()) < MIN_PASSPHRASE:
            return (f"The passphrase needs at least {MIN_PASSPHRASE} characters.",
                    self.passphrase)
        if self.again.text() != self.passphrase.text():
            return ("The two passphrases are not the same. Type it once more in the second "
                    "box.", self.again)
        return None

    def _set_running(self, running: bool) -> None:
        self.inputs.setEnabled(not running)
        self.go.setEnabled(not running)
        self.progress_row.setVisible(running)
        self.cancel_button.setText("Stop" if running else "Cancel")
        if not running:
            self._use_folder(self.folder_choice.isChecked())

    def _succeeded(self, outcome: dict) -> None:
        self._set_running(False)
        for field in (self.passphrase, self.again, self.password, self.recovery):
            field.clear()  # not kept in memory longer than needed
        target = tame(str(outcome.get("target") or ""))
        key = outcome.get("recovery_key")
        if outcome.get("joined"):
            text = (f"This device joined the sync folder at {target}. Its journal and the "
                    "other devices' come together at the first sync, in a moment.")
        else:
            text = (f"Wise made a new sync folder at {target}. To add another device, open "
                    "Settings there, choose Set up sync… and pick the same place with the "
                    "same passphrase.")
        self.done_text.setText(text)
        self.key.setText(str(key or ""))
        self.key_box.setVisible(bool(key))
        self.pages.setCurrentWidget(self.done_page)
        self.done_button.setFocus()
        self.set_up.emit(outcome)

    def _failed(self, sentence: str) -> None:
        self._set_running(False)
        error = self.child.last_error or {}
        message, field = self._words_for(str(error.get("problem") or "failed"),
                                         str(error.get("message") or sentence))
        self._show_error(message, field)

    def _words_for(self, problem: str, message: str) -> tuple[str, QLineEdit | None]:
        """Plain words for a failed set-up, and the field to change."""
        folder = self.folder_choice.isChecked()
        if problem == "wrong_passphrase" and self.by_recovery:
            return ("That recovery key belongs to another sync folder. Check that this is "
                    "the place your other devices use." + NOTHING_CHANGED, self.recovery)
        if problem == "bad_recovery_key":
            words = message.removesuffix("; nothing was changed")
            return (words[:1].upper() + words[1:] + "." + NOTHING_CHANGED, self.recovery)
        if problem == "nothing_to_join":
            return ("No device has set sync up in this place yet, so a recovery key has "
                    "nothing to join. Check the place, or use a new passphrase to set it up."
                    + NOTHING_CHANGED, self.folder if folder else self.url)
        if problem == "wrong_passphrase":
            return ("That passphrase does not open this sync folder: another device set it "
                    "up with a different one. Type the passphrase you chose there."
                    + NOTHING_CHANGED, self.passphrase)
        if problem == "weak_passphrase":
            return (f"The passphrase needs at least {MIN_PASSPHRASE} characters."
                    + NOTHING_CHANGED, self.passphrase)
        if problem == "not_writable":
            return (f"Wise cannot write to this folder ({_reason(message)}). Choose a folder "
                    "you can write to." + NOTHING_CHANGED, self.folder if folder else self.url)
        if problem == "unreachable":
            return (f"Wise could not reach the WebDAV server ({_reason(message)}). Check the "
                    "address and that this computer is online." + NOTHING_CHANGED, self.url)
        if problem == "refused":
            return ("The WebDAV server did not accept this user and password. Check them and "
                    "try again." + NOTHING_CHANGED, self.password)
        if problem == "bad_address":
            return (message[:1].upper() + message[1:] + "." + NOTHING_CHANGED, self.url)
        if problem == "no_keyring":
            return ("Wise keeps the sync key in your system's keyring, and none is available "
                    "just now. Install or unlock one (such as GNOME Keyring, KWallet or "
                    "KeePassXC), then try again." + NOTHING_CHANGED, None)
        text = message.removeprefix("The set-up did not work: ")
        return (f"Sync was not set up: {text.rstrip('.')}.", None)

    def _stopped(self) -> None:
        self._set_running(False)
        self._show_error("Stopped before it finished. Try again when you are ready.", None)

    def _show_error(self, message: str, field: QLineEdit | None) -> None:
        self.error.setText(tame(message))
        self.error.show()
        for each in (self.folder, self.url, self.user, self.password, self.passphrase,
                     self.again, self.recovery):
            each.setProperty("invalid", each is field)
            _repolish(each)
        if field is not None:
            field.setFocus()
            field.selectAll()

    def _clear_error(self) -> None:
        self.error.hide()
        for each in (self.folder, self.url, self.user, self.password, self.passphrase,
                     self.again, self.recovery):
            each.setProperty("invalid", False)
            _repolish(each)

    def _copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self.key.text())
        self.copy.setText("Copied ✓")
        self._copied.start()

    # --- closing ----------------------------------------------------------------------

    def reject(self) -> None:
        """Cancel (or Esc): a running set-up is stopped first; what was typed stays."""
        if self.child.is_running():
            self.child.cancel()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.child.is_running():
            self.child.stop_now()
            self._set_running(False)
        super().closeEvent(event)

    # --- looks ------------------------------------------------------------------------


def _field(name: str, placeholder: str, accessible: str, *, secret: bool = False
           ) -> QLineEdit:
    field = named(QLineEdit(), f"field:{name}")
    field.setPlaceholderText(placeholder)
    field.setAccessibleName(accessible)
    if secret:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    else:
        field.setClearButtonEnabled(True)
    return field


def _caption(text: str) -> QLabel:
    label = named(QLabel(text), "caption")
    label.setWordWrap(True)
    return label


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _stylesheet(palette: QPalette) -> str:
    t = Tokens(palette)
    return f"""
        #syncSetup, #page {{ background: {t.window}; }}
        #dialogTitle {{ font-size: 17pt; font-weight: 600; }}
        #sectionTitle {{ font-size: 11pt; font-weight: 600; }}
        #fieldTitle {{ font-weight: 500; }}
        #caption {{ color: {t.muted}; font-size: 9pt; }}
        #caption:disabled, #fieldTitle:disabled {{ color: {t.faint}; }}
        #doneText {{ color: {t.text}; font-size: 10.5pt; }}
        #card {{ background: {t.card}; border: 1px solid {t.border}; border-radius: 10px; }}
        #keyCard {{ background: {t.tint(0.12)}; border: 1px solid {t.border};
                    border-radius: 10px; }}
        #recoveryKey {{ color: {t.text}; }}
        #hint {{ font-size: 9pt; color: {t.muted}; }}
        #hint[level="short"], #hint[level="weak"] {{ color: {t.error}; }}
        #hint[level="fair"] {{ color: {t.warn}; }}
        #hint[level="strong"] {{ color: {t.ok}; }}
        QLineEdit[invalid="true"] {{ border: 1px solid {t.error}; border-radius: 3px;
                                     padding: 2px; }}
        QPushButton#link {{ border: none; background: transparent; color: {t.link};
                            padding: 2px 0; text-align: left; }}
        QPushButton#link:hover {{ text-decoration: underline; }}
        QPushButton#link:disabled {{ color: {t.faint}; }}
        #error {{ color: {t.error}; background: {t.error_bg}; border: 1px solid {t.error_border};
                  border-radius: 8px; padding: 8px 12px; }}
    """ + button_rules(t)
