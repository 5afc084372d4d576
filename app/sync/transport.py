"""Where batches go: the sync folder's layout, and what every transport can do with it.

    wise-sync-key.json         the data key, wrapped by the passphrase
    devices/<device>/<hash>.wsb  each device's batches (only that device writes there)
    inbox.txt                  lines added from a phone, captured by the first device to see them

Paths are relative and use '/'. Only one writer ever writes a given path (a device its own
folder, the set-up its key file), except inbox.txt, which is replaced only if unchanged.
"""

from __future__ import annotations

from typing import Protocol

KEY_FILE = "wise-sync-key.json"
DEVICES = "devices"
INBOX = "inbox.txt"


class TransportError(Exception):
    """The storage could not be reached or refused: the message says which and why; `kind`
    says which for a window that puts the words by the right field: "unreachable" (the
    network or the server), "refused" (the user or password), "not_writable" (a folder),
    "bad_address", or "failed" (anything else)."""

    def __init__(self, message: str, kind: str = "failed") -> None:
        super().__init__(message)
        self.kind = kind


class Transport(Protocol):
    label: str  # for people: the folder's path, or the WebDAV address without a password

    def check(self) -> None:
        """The folder is there and Wise can write in it; raises TransportError."""

    def get(self, path: str) -> bytes | None:
        """The file's bytes, or None when it is not there."""

    def put(self, path: str, data: bytes) -> None:
        """Write the file whole (readers never see part of it where the storage allows)."""

    def create(self, path: str, data: bytes) -> bool:
        """Write the file only if there is none; False when one was there."""

    def list(self, folder: str) -> list[str]:
        """Names in a folder (files and folders), [] when it does not exist."""

    def delete(self, path: str) -> None: ...

    def get_versioned(self, path: str) -> tuple[bytes | None, str | None]:
        """The bytes and a token that changes whenever the file does."""

    def replace_if_unchanged(self, path: str, data: bytes, token: str | None) -> bool:
        """Write the file only if it still is as it was when `token` was read."""

    def close(self) -> None:
        """Let go of connections (nothing to do for a folder)."""
