"""Sync's secrets in the system keyring (service "wise-sync"): the data key of each sync
set-up (named by its key id, so two data folders with two set-ups on one machine do not
mix), and the WebDAV server's password. Never in a file, never in the settings.

Keyring calls may block (an unlock prompt): never on the GUI thread; the tray runs sync
in a child process.
"""

from __future__ import annotations

import base64

from app.errors import WiseError

SERVICE = "wise-sync"

NO_KEYRING = ("No system keyring is available to keep the sync key, and Wise never stores "
              "it in plain text. Install and unlock a Secret Service (such as gnome-keyring, "
              "KWallet or KeePassXC), then run `wise sync setup` again.")


class NoKeyring(WiseError):
    pass


def _keyring():  # -> the keyring module, with a working backend
    import keyring
    from keyring.backends import fail

    from app.llm.keys import _unusable  # the one definition of "no usable backend"

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration is "no keyring" to the user
        raise NoKeyring(NO_KEYRING) from exc
    if _unusable(backend, fail):
        raise NoKeyring(NO_KEYRING)
    return keyring


def _call(action):  # -> what action returns
    keyring = _keyring()
    try:
        return action(keyring)
    except keyring.errors.KeyringError as exc:
        raise NoKeyring(f"The system keyring did not answer ({type(exc).__name__}). Unlock "
                        "it and try again.") from exc


def check_keyring() -> None:
    _keyring()


def store_key(key_id: str, key: bytes) -> None:
    encoded = base64.b64encode(key).decode()
    _call(lambda k: k.set_password(SERVICE, f"key-{key_id}", encoded))


def load_key(key_id: str) -> bytes | None:
    value = _call(lambda k: k.get_password(SERVICE, f"key-{key_id}"))
    return base64.b64decode(value) if value else None


def _webdav_name(user: str, url: str) -> str:
    return f"webdav-{user}@{url}"


def store_webdav_password(user: str, url: str, password: str) -> None:
    _call(lambda k: k.set_password(SERVICE, _webdav_name(user, url), password))


def load_webdav_password(user: str, url: str) -> str | None:
    return _call(lambda k: k.get_password(SERVICE, _webdav_name(user, url)))
