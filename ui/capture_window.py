"""The quick-capture window: a hotkey away, one line typed, Enter, gone.

The window is built once at start-up and only shown and hidden afterwards, so it is ready
before the user types. What is typed is kept as a draft on disk until it is saved to the
journal, so Esc, a quit or a crash never costs a thought. Saving itself is the caller's job:
`submitted` carries the text out, and `show_saved` / `show_failed` bring the outcome back.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QPainterPath,
    QPalette,
    QRegion,
    QResizeEvent,
    QStandardItem,
    QStandardItemModel,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QFrame,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.capture.parser import parse_capture
from app.capture.preview import describe_preview
from app.capture.store import GoalTag
from app.capture.validate import MAX_CAPTURE_CHARS, validate_capture_text
from app.daytime import journal_day, local_now
from app.drafts import DraftStore
from app.errors import BadInput
from ui.compositing import has_compositor
from ui.palette import mix

log = logging.getLogger(__name__)

PLACEHOLDER = "What's on your mind?"
# Under an empty box, where the preview will be: the capture language at a glance.
LANGUAGE_HINT = "[ ] to-do  ·  + a win  ·  #goal  ·  tomorrow 3pm  ·  ~10m"
KEYS_HINT = ("Enter saves · Ctrl+Enter saves and starts · Shift+Enter new line · "
             "Esc hides (draft kept)")
EMPTY_HINT = "Type something first — a few words are enough."

WIDTH = 560  # px, the card; less on a narrow screen
SCREEN_MARGIN = 16
CORNER_RADIUS = 12
MAX_LINES = 6
DRAFT_DELAY_MS = 400  # after the last keystroke
SAVED_DELAY_MS = 700  # how long "Saved ✓" stays before the window goes

# A tag being typed right before the cursor: the parser's tag rule ("C#", "a/#b" are not
# tags). A lone "#" counts: it offers every goal.
_TAG_BEFORE_CURSOR = re.compile(r"(?<![\w/#])#([\w-]*)$")
_TAG_REST = re.compile(r"[\w-]*")
_SLUG_ROLE = Qt.ItemDataRole.UserRole + 1
POPUP_GAP = 4  # px between the window and the goals popup under it
_NO_LIMIT = 16_777_215  # QWIDGETSIZE_MAX


class _Phase(enum.Enum):
    EDITING = "editing"
    SAVING = "saving"  # submitted, waiting for show_saved / show_failed
    SAVED = "saved"  # "Saved ✓" on screen, about to clear and hide


class _Tone(enum.Enum):
    PREVIEW = "preview"  # muted: the live preview and the language hint
    NOTICE = "notice"  # nearer the text colour: "Saving…", "Type something first"
    SUCCESS = "success"
    WARM = "warm"


class _CaptureBox(QPlainTextEdit):
    """The text box: Enter asks to submit, Shift+Enter breaks the line, `#` completes goals.

    While the completion popup is open, Enter, Tab and Esc belong to it. The popup forwards
    keys straight to this widget's event(), so the decisions live here, in keyPressEvent.
    """

    submit_requested = Signal()
    submit_and_start_requested = Signal()  # Ctrl+Enter: save, then start it (focus)
    dismiss_requested = Signal()
    typed_while_locked = Signal()  # a key was typed while the box is read-only

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._goals = QStandardItemModel(self)
        self.completer = QCompleter(self._goals, self)
        self.completer.setWidget(self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setCompletionRole(_SLUG_ROLE)
        self.completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
        self.completer.setMaxVisibleItems(6)
        popup = self.completer.popup()  # Qt makes its list on the first ask, never None after
        assert popup is not None
        self.completion_list: QAbstractItemView = popup
        # The QModelIndex overload of activated (the str one would lose the slug role);
        # PySide6's stubs do not type picking a signal overload with [].
        self.completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._on_activated)

    # -- goals ---------------------------------------------------------------------------

    def set_goals(self, goals: Sequence[GoalTag]) -> None:
        self.completion_list.hide()
        self._goals.clear()
        for goal in goals:
            label = f"{goal.slug} — {goal.title}"
            if goal.status == "paused":
                label += " (paused)"
            item = QStandardItem(label)
            item.setData(goal.slug, _SLUG_ROLE)
            item.setEditable(False)
            self._goals.appendRow(item)

    def completion_visible(self) -> bool:
        return self.completion_list.isVisible()

    # -- keys ----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if self.completion_visible():
            if enter or key == Qt.Key.Key_Tab:
                self._accept_completion(self.completion_list.currentIndex())
                event.accept()
                return
            if key in (Qt.Key.Key_Escape, Qt.Key.Key_Backtab):
                self.completion_list.hide()
                event.accept()
                return
        if enter:
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                if not self.isReadOnly():
                    self.textCursor().insertText("\n")
                    self.ensureCursorVisible()
            elif event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.submit_and_start_requested.emit()
            else:
                self.submit_requested.emit()
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            self.dismiss_requested.emit()
            event.accept()
            return
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            # No tab characters in a capture; Tab on a half-typed #tag completes it.
            if key == Qt.Key.Key_Tab and self._refresh_completion():
                self._accept_completion(self.completion_list.currentIndex())
            event.accept()
            return
        typed = event.text()
        if self.isReadOnly() and typed and typed.isprintable():
            self.typed_while_locked.emit()  # may unlock the box: then the key goes in below
        super().keyPressEvent(event)
        if (typed and typed.isprintable()) or key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._refresh_completion()
        elif self.completion_visible() and self._tag_before_cursor() is None:
            self.completion_list.hide()  # the cursor moved out of the tag

    # -- completion ----------------------------------------------------------------------

    def _tag_before_cursor(self) -> tuple[int, str] | None:
        """(start of the '#' in the block, the letters after it) when a tag is being typed."""
        cursor = self.textCursor()
        if cursor.hasSelection():
            return None
        before = cursor.block().text()[: cursor.positionInBlock()]
        match = _TAG_BEFORE_CURSOR.search(before)
        return (match.start(), match[1]) if match else None

    def _refresh_completion(self) -> bool:
        """Show, move or hide the popup for the tag at the cursor; True when it is shown."""
        popup = self.completion_list
        found = self._tag_before_cursor() if self._goals.rowCount() else None
        if found is None or self.isReadOnly():
            popup.hide()
            return False
        start, prefix = found
        self.completer.setCompletionPrefix(prefix)
        count = self.completer.completionCount()
        exact = count == 1 and self.completer.currentCompletion().lower() == prefix.lower()
        if count == 0 or exact:
            popup.hide()  # nothing to offer, or the tag is already complete: Enter saves
            return False
        anchor = QTextCursor(self.textCursor())
        anchor.setPosition(anchor.block().position() + start)
        rect = self.cursorRect(anchor)
        rect.translate(self.viewport().pos())
        width = popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 8
        # The popup opens under the whole window, not under the line: the preview line
        # says what the tag will do, and must stay in sight while a goal is chosen.
        window = self.window()
        below = self.mapFrom(window, QPoint(0, window.height())).y() + POPUP_GAP
        self.completer.complete(QRect(rect.x(), rect.y(), max(width, 200),
                                      max(rect.height(), below - rect.y())))
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        return True

    def _on_activated(self, index: QModelIndex) -> None:  # a click in the popup
        self._accept_completion(index)

    def _accept_completion(self, index: QModelIndex) -> None:
        popup = self.completion_list
        if not index.isValid():
            index = self.completer.completionModel().index(0, 0)
        slug = index.data(_SLUG_ROLE) if index.isValid() else None
        popup.hide()
        found = self._tag_before_cursor()
        if not slug or found is None:
            return
        start, _prefix = found
        cursor = self.textCursor()
        block, in_block = cursor.block(), cursor.positionInBlock()
        rest = _TAG_REST.match(block.text(), in_block)
        end = rest.end() if rest else in_block
        cursor.beginEditBlock()
        cursor.setPosition(block.position() + start)
        cursor.setPosition(block.position() + end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(f"#{slug}")
        if self.document().characterAt(cursor.position()) == " ":
            cursor.movePosition(QTextCursor.MoveOperation.Right)
        else:
            cursor.insertText(" ")
        cursor.endEditBlock()
        self.setTextCursor(cursor)


class CaptureWindow(QWidget):
    """The quick-capture window. Build it once; `summon()` it from the hotkey, the tray or
    `wise capture`; connect `submitted` to the capture service (off the GUI thread) and
    answer with `show_saved` or `show_failed`."""

    submitted = Signal(str)  # the text to save; emitted on Enter when the text is valid

    def __init__(self, drafts: DraftStore, *, day_start_hour: Callable[[], int],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self._drafts = drafts
        self._day_start_hour = day_start_hour
        self._goal_titles: dict[str, str] = {}
        self._calibrations: list = []  # how long estimated steps really take (app.focus)
        self._phase = _Phase.EDITING
        self.start_after_saving = False  # Ctrl+Enter: the app starts the saved step
        self._status: tuple[str, _Tone] | None = None  # shown instead of the preview
        self._saved_draft = ""
        self._draft_error_logged = False
        self._line_colour = ""

        self.setWindowTitle("Quick capture")  # Qt appends " — Wise", the display name
        # Rounded corners: see-through where a compositor blends them, a shape mask where
        # none does (there a translucent pixel would be painted black). Decided at the first
        # summon(): asking the X server costs ~30 ms that start-up should not pay.
        self._masked: bool | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # closing never quits
        self._build()

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft_now)
        self._saved_timer = QTimer(self)
        self._saved_timer.setSingleShot(True)
        self._saved_timer.setInterval(SAVED_DELAY_MS)
        self._saved_timer.timeout.connect(self._finish_saved)

        self._saved_draft = self._drafts.load()
        if self._saved_draft:
            self.box.setPlainText(self._saved_draft)
            self.box.moveCursor(QTextCursor.MoveOperation.End)
        self.box.textChanged.connect(self._on_text_changed)
        self.box.submit_requested.connect(lambda: self._submit())
        self.box.submit_and_start_requested.connect(self._submit_and_start)
        self.box.dismiss_requested.connect(self._dismiss)
        self.box.typed_while_locked.connect(self._on_typed_while_locked)
        self._apply_theme()
        self._refresh_line()
        self._fit_box()

    # -- building ------------------------------------------------------------------------

    def _build(self) -> None:
        outer = self._outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # grows with the text
        self._card = QFrame(self)
        self._card.setObjectName("card")
        self._card.setFixedWidth(WIDTH)
        outer.addWidget(self._card)

        layout = self._card_layout = QVBoxLayout(self._card)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(0)

        self.box = _CaptureBox(self._card)
        self.box.setObjectName("box")
        self.box.setPlaceholderText(PLACEHOLDER)
        self.box.setAccessibleName("Quick capture")
        self.box.setAccessibleDescription(
            "Type a thought, a to-do (start with [ ]) or a win (start with +). "
            + KEYS_HINT + ".")
        self.box.setFrameShape(QFrame.Shape.NoFrame)
        self.box.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.box.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.box.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.box.setTabChangesFocus(False)
        self.box.document().setDocumentMargin(2)
        self.box.setFont(_scaled(self.font(), 1.35))
        self.box.document().documentLayout().documentSizeChanged.connect(self._fit_box)
        layout.addWidget(self.box)
        layout.addSpacing(10)

        self._rule = QFrame(self._card)
        self._rule.setObjectName("rule")
        self._rule.setFixedHeight(1)
        layout.addWidget(self._rule)
        layout.addSpacing(8)

        self.preview = QLabel(self._card)
        self.preview.setObjectName("preview")
        self.preview.setAccessibleName("Capture preview")
        self.preview.setAccessibleDescription("What the text will be saved as, or what happened")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)  # goal titles are the user's text
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        layout.addSpacing(6)

        self.hint = QLabel(KEYS_HINT, self._card)
        self.hint.setObjectName("hint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setFont(_scaled(self.font(), 0.85))
        layout.addWidget(self.hint)

        self.setFocusProxy(self.box)

    def _apply_theme(self) -> None:
        """Colours from the current palette, so light and dark themes both read well."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = base.lightnessF() < 0.5
        self._colours = {
            _Tone.PREVIEW: mix(text, base, 0.68),
            _Tone.NOTICE: mix(text, base, 0.85),
            _Tone.SUCCESS: QColor("#7bd88f" if dark else "#1e7a3a"),
            _Tone.WARM: QColor("#f2b866" if dark else "#9a5200"),
        }
        hint = mix(text, base, 0.55)
        border = mix(text, base, 0.22 if dark else 0.16)
        rule = mix(text, base, 0.10)
        selection = palette.color(QPalette.ColorRole.Highlight)
        self._card.setStyleSheet(
            f"QFrame#card {{ background: {base.name()}; border: 1px solid {border.name()};"
            f" border-radius: {CORNER_RADIUS}px; }}"
            f"QPlainTextEdit#box {{ background: transparent; color: {text.name()};"
            f" selection-background-color: {selection.name()}; border: none; }}"
            f"QFrame#rule {{ background: {rule.name()}; border: none; }}"
            f"QLabel#hint {{ color: {hint.name()}; background: transparent; padding-left: 2px; }}"
            f"QScrollBar:vertical {{ background: transparent; width: 8px; margin: 2px 0; }}"
            f"QScrollBar::handle:vertical {{ background: {border.name()}; border-radius: 4px;"
            f" min-height: 24px; }}"
            f"QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; }}"
            f"QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}"
        )
        highlighted = palette.color(QPalette.ColorRole.HighlightedText)
        self.box.completion_list.setStyleSheet(
            f"QListView {{ background: {base.name()}; color: {text.name()};"
            f" border: 1px solid {border.name()}; border-radius: 8px; padding: 0;"
            f" outline: none; }}"
            # Margins live on the items: the completer sizes its popup from row heights.
            f"QListView::item {{ margin: 3px 4px; padding: 4px 8px; border-radius: 6px; }}"
            f"QListView::item:selected {{ background: {selection.name()};"
            f" color: {highlighted.name()}; }}"
        )
        placeholder = QPalette(self.box.palette())
        placeholder.setColor(QPalette.ColorRole.PlaceholderText, mix(text, base, 0.5))
        self.box.setPalette(placeholder)
        self._paint_line()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # A light/dark switch of the desktop arrives as a new application palette.
        recolour = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ThemeChange,
                                    QEvent.Type.ApplicationPaletteChange)
        if recolour and getattr(self, "_card", None) is not None:  # not during __init__
            self._apply_theme()

    # -- public API ----------------------------------------------------------------------

    def set_goals(self, goals: Sequence[GoalTag]) -> None:
        """Goals for `#` completion and for the preview's goal names."""
        self._goal_titles = {goal.slug: goal.title for goal in goals}
        self.box.set_goals(goals)
        self._refresh_line()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._masked:
            path = QPainterPath()
            path.addRoundedRect(QRectF(self.rect()), CORNER_RADIUS, CORNER_RADIUS)
            self.setMask(QRegion(path.toFillPolygon().toPolygon()))

    def summon(self) -> None:
        """Show on the screen under the mouse, centred, in the upper third, ready to type."""
        if self._masked is None:  # before the native window exists: the attribute needs that
            self._masked = not has_compositor()
            self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground, not self._masked)
        if self._phase is _Phase.SAVED:
            self._finish_saved(hide=False)
        screen = QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self._card.setFixedWidth(max(280, min(WIDTH, area.width() - 2 * SCREEN_MARGIN)))
        self._fit_box()
        self._fit_line()
        self._outer.activate()
        self.adjustSize()
        x = area.x() + (area.width() - self.width()) // 2
        y = area.y() + area.height() // 5
        self.move(x, y)
        self._refresh_line()  # "tomorrow" may mean another day than when it was typed
        self.show()
        self.raise_()
        self.activateWindow()
        self.box.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        self.box.moveCursor(QTextCursor.MoveOperation.End)
        self.box.ensureCursorVisible()

    def show_saved(self, description: str) -> None:
        """Say it is saved, then clear everything and go (typing on starts a new capture)."""
        self._phase = _Phase.SAVED
        self.box.setReadOnly(True)
        self._set_status(f"Saved ✓ — {description}" if description else "Saved ✓",
                         _Tone.SUCCESS)
        self._saved_timer.start()

    def show_failed(self, message: str) -> None:
        """Keep the text, say what went wrong, and let the user edit or try again."""
        self._saved_timer.stop()
        self._phase = _Phase.EDITING
        self.box.setReadOnly(False)
        self._set_status(message[:1].upper() + message[1:], _Tone.WARM)
        self.save_draft_now()
        if not self.isVisible():
            # Hidden while saving: show the failure, but do not steal the keyboard.
            self.show()
            self.raise_()
        else:
            self.box.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_draft_now(self, *, durable: bool = True) -> None:
        """Write the draft to disk at once (debounced saves, hide, quit, crash)."""
        self._draft_timer.stop()
        text = self.box.toPlainText()
        if text == self._saved_draft:
            return
        try:
            self._drafts.save(text, durable=durable)
        except (OSError, UnicodeError) as exc:
            if not self._draft_error_logged:  # once: this runs after every pause in typing
                log.warning("the capture draft could not be saved to %s: %s",
                            self._drafts.path, exc)
                self._draft_error_logged = True
            return
        self._saved_draft = text
        self._draft_error_logged = False

    # -- behaviour -----------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        if self._phase is _Phase.EDITING and self._status is not None:
            self._status = None  # a hint or a failure message is answered by editing
        self._refresh_line()
        self._draft_timer.start()

    def _submit_and_start(self) -> None:
        self._submit(start=True)

    def _submit(self, start: bool = False) -> None:
        """`start`: Ctrl+Enter, the saved to-do is started at once (a focus session)."""
        if self._phase is not _Phase.EDITING:
            return  # one save at a time: no double capture from a double Enter
        self.start_after_saving = start
        text = self.box.toPlainText()
        if not text.strip():
            self._set_status(EMPTY_HINT, _Tone.NOTICE)
            return
        if len(text) > MAX_CAPTURE_CHARS:
            self._refresh_line()  # the line already says how much is over
            return
        try:
            cleaned = validate_capture_text(text)
        except BadInput as exc:
            message = str(exc)
            self._set_status(message[:1].upper() + message[1:], _Tone.WARM)
            return
        self._phase = _Phase.SAVING
        self.box.completion_list.hide()
        self.box.setReadOnly(True)
        self._set_status("Saving…", _Tone.NOTICE)
        # Until the journal has it, the draft is the only copy on disk. Not flushed: the
        # journal's commit a few milliseconds later is the durable copy, and two flushes
        # on the GUI thread would delay every Enter on a busy disk.
        self.save_draft_now(durable=False)
        self.submitted.emit(cleaned)

    def _dismiss(self) -> None:
        if self._phase is _Phase.SAVED:
            self._finish_saved()
        else:
            self.hide()

    def _on_typed_while_locked(self) -> None:
        if self._phase is _Phase.SAVED:
            self._finish_saved(hide=False)  # the user is already on the next thought

    def _finish_saved(self, hide: bool = True) -> None:
        self._saved_timer.stop()
        self._phase = _Phase.EDITING
        self._status = None
        self.box.setReadOnly(False)
        self.box.clear()
        self._draft_timer.stop()
        try:
            self._drafts.clear()
        except OSError as exc:
            log.warning("the saved capture's draft %s could not be removed: %s",
                        self._drafts.path, exc)
        self._saved_draft = ""
        self._refresh_line()
        if hide:
            self.hide()

    def hideEvent(self, event) -> None:
        self.box.completion_list.hide()
        self.save_draft_now()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:
        event.ignore()  # the window manager's close button is Esc: hide, keep the draft
        self._dismiss()

    # -- the preview / status line -------------------------------------------------------

    def _set_status(self, text: str, tone: _Tone) -> None:
        self._status = (text, tone)
        self._paint_line()

    def _refresh_line(self) -> None:
        if self._status is None:
            self._paint_line()

    def _paint_line(self) -> None:
        text, tone = self._status or self._preview()
        if text != self.preview.text():
            self.preview.setText(text)
            self._fit_line()
        colour = self._colours[tone].name()
        if colour != self._line_colour:  # restyling on every keystroke would be wasted work
            self._line_colour = colour
            self.preview.setStyleSheet(  # padding: lines up with the box's text
                f"QLabel {{ color: {colour}; background: transparent; padding-left: 2px; }}")

    def _preview(self) -> tuple[str, _Tone]:
        raw = self.box.toPlainText()
        if len(raw) > MAX_CAPTURE_CHARS:
            over = len(raw) - MAX_CAPTURE_CHARS
            return (f"{over:,} characters over the {MAX_CAPTURE_CHARS:,} limit — "
                    "shorten it to save (your text is kept)", _Tone.WARM)
        if not raw.strip():
            return LANGUAGE_HINT, _Tone.PREVIEW
        now = local_now()
        start_hour = self._day_start_hour()
        parsed = parse_capture(raw, now, start_hour, local=True)
        described = describe_preview(parsed, self._goal_titles, journal_day(now, start_hour))
        return described + self._calibration_words(parsed.estimate_minutes), _Tone.PREVIEW

    def set_calibrations(self, calibrations: list) -> None:
        """How long estimated steps really take: said quietly after an estimate typed."""
        self._calibrations = list(calibrations)
        self._refresh_line()

    def _calibration_words(self, estimate: int | None) -> str:
        from app.focus import calibration_hint

        hint = calibration_hint(estimate, self._calibrations) if self._calibrations else ""
        return f" · {hint}" if hint else ""

    # -- size ----------------------------------------------------------------------------

    def _fit_line(self) -> None:
        """The status line is as tall as its wrapped text at the card's width.

        A fixed-size window sizes itself from size hints, which know nothing of word wrap:
        without this, a long message would be cut or a short one padded.
        """
        card = self._card.contentsRect().width()
        margins = self._card_layout.contentsMargins()
        width = card - margins.left() - margins.right()
        self.preview.setMinimumHeight(0)  # QLabel measures no smaller than its minimum
        self.preview.setMaximumHeight(_NO_LIMIT)
        height = max(self.preview.heightForWidth(width),
                     self.preview.fontMetrics().lineSpacing())
        self.preview.setFixedHeight(height)
        self._card_layout.activate()
        self._outer.activate()

    def _fit_box(self, *_args: object) -> None:
        """One line tall when empty, growing with the text up to MAX_LINES, then scrolling."""
        lines = 0
        block = self.box.document().firstBlock()
        while block.isValid() and lines < MAX_LINES:
            layout = block.layout()
            lines += max(1, layout.lineCount() if layout is not None else 1)
            block = block.next()
        lines = min(max(lines, 1), MAX_LINES)
        metrics = self.box.fontMetrics()
        margins = self.box.contentsMargins()
        height = (lines * metrics.lineSpacing()
                  + 2 * int(self.box.document().documentMargin())
                  + margins.top() + margins.bottom() + 2)
        if self.box.height() != height or self.box.minimumHeight() != height:
            self.box.setFixedHeight(height)
            # Resize the window now rather than on the next event-loop turn, so no frame
            # ever shows the preview overlapping the grown text.
            self._card_layout.activate()
            self._outer.activate()


def _scaled(font: QFont, factor: float) -> QFont:
    """The font at `factor` times its size, whether the desktop sized it in points or pixels."""
    scaled = QFont(font)
    if font.pointSizeF() > 0:
        scaled.setPointSizeF(font.pointSizeF() * factor)
    else:
        scaled.setPixelSize(max(1, round(font.pixelSize() * factor)))
    return scaled
