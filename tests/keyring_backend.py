"""A test-only keyring backend kept in a JSON file, so that a `wise` subprocess and the test
can share it: PYTHON_KEYRING_BACKEND=tests.keyring_backend.FileKeyring with
WISE_TEST_KEYRING_FILE=/some/tmp/file.json. Never used outside tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors
from keyring.compat import properties

FILE_ENV = "WISE_TEST_KEYRING_FILE"


class FileKeyring(keyring.backend.KeyringBackend):
    # keyring picks the best "viable" backend among every subclass it has seen; these test
    # backends must never be picked by accident, only when named.
    @properties.classproperty
    def priority(cls) -> float:
        if FILE_ENV not in os.environ:
            raise RuntimeError(f"test-only backend: set {FILE_ENV}")
        return 1

    @property
    def path(self) -> Path:
        return Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, items: dict[str, str]) -> None:
        self.path.write_text(json.dumps(items), encoding="utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        items = self._load()
        items[f"{service}/{username}"] = password
        self._save(items)

    def delete_password(self, service: str, username: str) -> None:
        items = self._load()
        if items.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("no such password")
        self._save(items)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """In this process only: install with keyring.set_keyring(MemoryKeyring())."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test-only backend: install it with keyring.set_keyring()")

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such password")


class PlaintextKeyring(FileKeyring):
    """Named as keyrings.alt's plain-text file backend is (keyrings.alt.file and .pyfs):
    Wise refuses a backend by that name, so this tests the refusal without installing
    keyrings.alt. It keeps its entries in the test's JSON file, in plain text too."""
