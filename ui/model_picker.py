"""Choosing a model in plain words, shared by the welcome and Settings: models found on
this computer (Ollama, LM Studio, llama.cpp), or a cloud provider with its key kept in
the keyring, and a Test button that runs `wise llm test` and says how it went.

Everything that waits (looking on loopback, the keyring, the test) runs through the
`run_in_background` given (ui.tasks.Background.run's shape) and reports back here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.llm.local_servers import FoundServer, find_local_models
from app.model_setup import (
    CLOUD_PROVIDERS,
    CloudProvider,
    TestOutcome,
    cloud_provider_of,
    key_situation,
    run_test,
    store_key,
)
from ui.palette import named

Runner = Callable[..., None]
NONE_LABEL = "No model for now (Wise works fully without one)"
LOCAL_NONE = ("No model server answered on this computer (Ollama, LM Studio or llama.cpp). "
              "Start one and look again, or choose a cloud provider.")


class ModelPicker(QWidget):
    """`chosen(model, api_base)` fires whenever the choice changes (both may be "").
    `save_choice(model, api_base)` is called before a test, which reads saved settings."""

    chosen = Signal(str, str)
    tested = Signal(object)  # the TestOutcome
    looked = Signal(int)  # how many local models were found

    def __init__(self, run_in_background: Runner, wise_command: Callable[[], list[str]],
                 save_choice: Callable[[str, str], None], *,
                 find: Callable[[], list[FoundServer]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self._run = run_in_background
        self._wise_command = wise_command
        self._save_choice = save_choice
        self._find = find or find_local_models  # the model servers on this computer
        self._model, self._api_base = "", ""
        self._filling = False
        self._build()
        self._fill_choices([])

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)

        look_row = QHBoxLayout()
        self.look_button = QPushButton("Look for models on this computer")
        self.look_button.setObjectName("secondary")
        self.look_button.clicked.connect(self.look)
        look_row.addWidget(self.look_button)
        look_row.addStretch(1)
        layout.addLayout(look_row)
        self.look_status = self._caption("")
        self.look_status.hide()  # until there is something to say
        layout.addWidget(self.look_status)

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        self.choice = QComboBox()
        self.choice.setAccessibleName("Model")
        self.choice.setMinimumContentsLength(28)
        self.choice.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.choice.currentIndexChanged.connect(self._choice_changed)
        choice_label = QLabel("&Model")
        choice_label.setBuddy(self.choice)
        grid.addWidget(choice_label, 0, 0)
        grid.addWidget(self.choice, 0, 1)

        self.model_label = QLabel("Model &name")
        self.model_edit = QLineEdit()
        self.model_edit.setAccessibleName("Model name")
        self.model_edit.textEdited.connect(self._model_typed)
        self.model_label.setBuddy(self.model_edit)
        grid.addWidget(self.model_label, 1, 0)
        grid.addWidget(self.model_edit, 1, 1)

        self.key_label = QLabel("&Key")
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setAccessibleName("API key")
        self.key_edit.setPlaceholderText("paste the key from the provider's website")
        self.key_edit.returnPressed.connect(self.store_key)
        self.key_label.setBuddy(self.key_edit)
        self.key_button = QPushButton("Store key")
        self.key_button.setObjectName("secondary")
        self.key_button.clicked.connect(self.store_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_button)
        grid.addWidget(self.key_label, 2, 0)
        grid.addLayout(key_row, 2, 1)
        self.key_status = self._caption("")
        grid.addWidget(self.key_status, 3, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)

        test_row = QHBoxLayout()
        self.test_button = QPushButton("&Test")
        self.test_button.setObjectName("secondary")
        self.test_button.setToolTip("Ask the model for one word, to see that it answers "
                                    "(saves this choice first)")
        self.test_button.clicked.connect(self.test)
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        self.test_result = named(QLabel(), "testResult")
        self.test_result.setWordWrap(True)
        self.test_result.setSizePolicy(QSizePolicy.Policy.Preferred,
                                       QSizePolicy.Policy.Minimum)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row.addWidget(self.test_result, 1)
        layout.addLayout(test_row)
        # The exact settings, for those who want them (and `wise config set`).
        self.exact = self._caption("")
        self.exact.setObjectName("exactKeys")
        layout.addWidget(self.exact)

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = named(QLabel(text), "caption")
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # --- public -----------------------------------------------------------------------

    def set_choice(self, model: str, api_base: str) -> None:
        """Show the model already chosen (the settings' values)."""
        self._model, self._api_base = model.strip(), api_base.strip()
        self._filling = True
        try:
            index = self._index_of(self._model, self._api_base)
            if index < 0 and self._model:
                cloud = cloud_provider_of(self._model) if not self._api_base else None
                if cloud is not None:
                    index = self.index_of_data(("cloud", cloud.provider))
                else:  # a model typed elsewhere: listed as it is
                    self.choice.insertItem(1, self._model, ("local", self._model,
                                                            self._api_base))
                    index = 1
            self.choice.setCurrentIndex(max(0, index))
            self.model_edit.setText(self._model)
        finally:
            self._filling = False
        self._show_parts()

    def index_of_data(self, data: tuple) -> int:
        """The item carrying `data` (QComboBox.findData does not compare Python tuples)."""
        return next((index for index in range(self.choice.count())
                     if self.choice.itemData(index) == data), -1)

    def model(self) -> tuple[str, str]:
        return self._model, self._api_base

    def look(self) -> None:
        """Ask loopback for model servers, off the GUI thread."""
        self.look_button.setEnabled(False)
        self.look_status.setText("Looking…")
        self.look_status.show()
        self._run(self._find, on_success=self._found, on_error=self._look_failed)

    def store_key(self) -> None:
        cloud = self._cloud()
        if cloud is None:
            return
        secret = self.key_edit.text()
        self.key_button.setEnabled(False)
        self.key_status.setText("Storing…")

        def stored(words: str) -> None:
            self.key_edit.clear()
            self.key_button.setEnabled(True)
            self.key_status.setText(f"✓ {words}")

        def failed(exc: Exception) -> None:
            self.key_button.setEnabled(True)  # the key stays in the field, to try again
            self.key_status.setText(str(exc))

        self._run(lambda: store_key(cloud.provider, secret), on_success=stored,
                  on_error=failed)

    def test(self) -> None:
        self._save_choice(self._model, self._api_base)
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing… (a first call can take a while)")
        command = self._wise_command()
        self._run(lambda: run_test(command), on_success=self._tested,
                  on_error=lambda exc: self._tested(TestOutcome(False, "The test did not "
                                                                "work.", str(exc))))

    # --- reacting ---------------------------------------------------------------------

    def _found(self, servers: list[FoundServer]) -> None:
        self.look_button.setEnabled(True)
        models = [m for server in servers for m in server.models]
        if not servers:
            self.look_status.setText(LOCAL_NONE)
        else:
            parts = []
            for server in servers:
                count = len(server.models)
                parts.append(f"{server.kind.name} with {count} model{'s' * (count != 1)}"
                             if count else f"{server.kind.name}, but it has no model yet")
            self.look_status.setText("Found " + "; ".join(parts) + ".")
        keep = self._model, self._api_base
        self._fill_choices(models)
        self.set_choice(*keep)
        if models and not self._model:
            self.choice.setCurrentIndex(1)  # the first model found: one Tab and Test
        self.looked.emit(len(models))

    def _look_failed(self, exc: Exception) -> None:
        self.look_button.setEnabled(True)
        self.look_status.setText(f"Looking failed: {exc}")

    def _tested(self, outcome: TestOutcome) -> None:
        self.test_button.setEnabled(True)
        mark = "✓" if outcome.ok else "✗"
        text = f"{mark} {outcome.words}"
        self.test_result.setText(text + (f"\n{outcome.detail}" if outcome.detail else ""))
        self.test_result.setProperty("ok", outcome.ok)
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)
        self.tested.emit(outcome)

    def _fill_choices(self, models: list) -> None:
        self._filling = True
        try:
            self.choice.clear()
            self.choice.addItem(NONE_LABEL, ("none",))
            for found in models:
                self.choice.addItem(found.label, ("local", found.model, found.api_base))
            self.choice.insertSeparator(self.choice.count())
            for cloud in CLOUD_PROVIDERS:
                self.choice.addItem(f"{cloud.label} (online, needs a key)",
                                    ("cloud", cloud.provider))
        finally:
            self._filling = False

    def _index_of(self, model: str, api_base: str) -> int:
        if not model:
            return 0
        for index in range(self.choice.count()):
            data = self.choice.itemData(index)
            if data and data[0] == "local" and data[1:] == (model, api_base):
                return index
        return -1

    def _choice_changed(self, _index: int) -> None:
        if self._filling:
            return
        data: tuple[str, ...] = self.choice.currentData() or ("none",)
        if data[0] == "none":
            self._model, self._api_base = "", ""
        elif data[0] == "local":
            self._model, self._api_base = data[1], data[2]
        else:
            cloud = self._cloud()
            assert cloud is not None
            current = cloud_provider_of(self._model)
            keep = current is not None and current.provider == cloud.provider
            self._model, self._api_base = (self._model if keep else cloud.example), ""
        self.model_edit.setText(self._model)
        self.test_result.clear()
        self._show_parts()
        self.chosen.emit(self._model, self._api_base)

    def _model_typed(self, text: str) -> None:
        self._model = text.strip()
        self._show_exact()
        self.chosen.emit(self._model, self._api_base)

    def _cloud(self) -> CloudProvider | None:
        data = self.choice.currentData()
        if not data or data[0] != "cloud":
            return None
        return next(p for p in CLOUD_PROVIDERS if p.provider == data[1])

    def _show_parts(self) -> None:
        cloud = self._cloud()
        for widget in (self.model_label, self.model_edit, self.key_label, self.key_edit,
                       self.key_button, self.key_status):
            widget.setVisible(cloud is not None)
        self.test_button.setEnabled(bool(self._model))
        if cloud is not None:
            self.key_status.setText("")
            provider = cloud.provider
            self._run(lambda: key_situation(provider),
                      on_success=self._key_situation(provider),
                      on_error=lambda exc: self.key_status.setText(str(exc)))
        self._show_exact()

    def _key_situation(self, provider: str) -> Callable[[Any], None]:
        def show(words: str) -> None:
            cloud = self._cloud()
            if cloud is not None and cloud.provider == provider:  # still the one shown
                self.key_status.setText(words)
        return show

    def _show_exact(self) -> None:
        if not self._model:
            self.exact.setText("llm.model is empty: no model.")
        elif self._api_base:
            self.exact.setText(f"llm.model = {self._model}   ·   llm.api_base = {self._api_base}")
        else:
            self.exact.setText(f"llm.model = {self._model}")
