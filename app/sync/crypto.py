"""End-to-end encryption: a random data key seals every batch (ChaCha20-Poly1305); the key
itself is kept in the sync folder only wrapped by a key derived from the passphrase
(Argon2id), and in this device's keyring once unwrapped. A recovery key (the data key
written out) opens the same folder without the passphrase.

`cryptography` (PyCA) provides both primitives; see SYNC.md for why these.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass

from app.errors import BadInput, WiseError

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 8
SEAL_VERSION = 1
MIN_PASSPHRASE = 10


@dataclass(frozen=True)
class KdfParams:
    """Argon2id as RFC 9106's second recommendation: 64 MiB, 3 passes, 4 lanes (about a
    second here); a stolen key file costs an attacker as much per guess."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4


class WrongPassphrase(WiseError):
    pass


class WeakPassphrase(BadInput):
    pass


class BadRecoveryKey(BadInput):
    pass


class KeyFileDamaged(WiseError):
    pass


class SealBroken(Exception):
    """A sealed blob that does not open with this key (another key, tampered, truncated)."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def key_id(key: bytes) -> str:
    """A public name for a key (in the key file and in every batch), not a secret."""
    return hashlib.sha256(b"wise-sync key id\0" + key).hexdigest()[:KEY_ID_BYTES * 2]


def check_passphrase(passphrase: str) -> str:
    passphrase = passphrase.strip("\r\n")
    if len(passphrase) < MIN_PASSPHRASE:
        raise WeakPassphrase(f"a sync passphrase needs at least {MIN_PASSPHRASE} characters (a few "
                       "words are easiest to remember); nothing was changed")
    return passphrase


def _derive(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    return Argon2id(salt=salt, length=KEY_BYTES, iterations=params.iterations,
                    lanes=params.lanes, memory_cost=params.memory_kib).derive(
        passphrase.encode("utf-8"))


def _aead(key: bytes):  # -> ChaCha20Poly1305
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    return ChaCha20Poly1305(key)


def wrap(key: bytes, passphrase: str, params: KdfParams | None = None) -> bytes:
    """The key file's content: the data key sealed by the passphrase."""
    params = params or KdfParams()
    salt = os.urandom(16)
    kek = _derive(passphrase, salt, params)
    nonce = os.urandom(NONCE_BYTES)
    ident = key_id(key)
    wrapped = nonce + _aead(kek).encrypt(nonce, key, ident.encode())
    document = {
        "format": "wise-sync-key", "version": 1, "key_id": ident,
        "kdf": {"name": "argon2id", "salt": base64.b64encode(salt).decode(),
                "memory_kib": params.memory_kib, "iterations": params.iterations,
                "lanes": params.lanes},
        "wrapped": base64.b64encode(wrapped).decode(),
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def key_file_id(data: bytes) -> str:
    return _parse_key_file(data)["key_id"]


def _parse_key_file(data: bytes) -> dict:
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("format") != "wise-sync-key":
            raise ValueError("format")
        if document.get("version") != 1:
            raise KeyFileDamaged("the sync folder's key file was made by a newer Wise; "
                                 "update Wise on this device. Nothing was changed.")
        kdf = document["kdf"]
        if kdf["name"] != "argon2id":
            raise ValueError("kdf")
        for name in ("memory_kib", "iterations", "lanes"):
            if not isinstance(kdf[name], int) or not 1 <= kdf[name] <= 4 * 1024 * 1024:
                raise ValueError(name)
        base64.b64decode(kdf["salt"], validate=True)
        base64.b64decode(document["wrapped"], validate=True)
        str(document["key_id"])
    except KeyFileDamaged:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise KeyFileDamaged("the sync folder's key file (wise-sync-key.json) is damaged; "
                             "if you have the recovery key, set sync up again with it. "
                             "Nothing was changed.") from exc
    return document


def unwrap(data: bytes, passphrase: str) -> bytes:
    """The data key from the key file, or WrongPassphrase (nothing else happens)."""
    from cryptography.exceptions import InvalidTag

    document = _parse_key_file(data)
    kdf = document["kdf"]
    params = KdfParams(kdf["memory_kib"], kdf["iterations"], kdf["lanes"])
    kek = _derive(passphrase, base64.b64decode(kdf["salt"]), params)
    wrapped = base64.b64decode(document["wrapped"])
    try:
        key = _aead(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                 document["key_id"].encode())
    except InvalidTag:
        raise WrongPassphrase("that is not the passphrase this sync folder was set up with; "
                              "nothing was changed") from None
    if key_id(key) != document["key_id"]:
        raise KeyFileDamaged("the sync folder's key file does not match its own key; "
                             "nothing was changed")
    return key


# ------------------------------------------------------------- sealing batches


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    """version | key id | nonce | ciphertext+tag. `context` (not stored) must be given
    again to open it: a batch moved to another device's folder does not open."""
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([SEAL_VERSION]) + bytes.fromhex(key_id(key)) + nonce
    return header + _aead(key).encrypt(nonce, plaintext, header + context)


def open_sealed(key: bytes, blob: bytes, context: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    header_size = 1 + KEY_ID_BYTES + NONCE_BYTES
    if len(blob) < header_size + 16 or blob[0] != SEAL_VERSION:
        raise SealBroken("not a Wise sync batch of a version this Wise reads")
    if blob[1:1 + KEY_ID_BYTES] != bytes.fromhex(key_id(key)):
        raise SealBroken("sealed with another key (another sync set-up)")
    header, nonce = blob[:header_size], blob[1 + KEY_ID_BYTES:header_size]
    try:
        return _aead(key).decrypt(nonce, blob[header_size:], header + context)
    except InvalidTag:
        raise SealBroken("it does not authenticate: changed or damaged after it was "
                         "written") from None


# ------------------------------------------------------------ recovery key

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U


def recovery_key(key: bytes) -> str:
    """The data key as 11 groups of 5 characters, with a checksum against typos."""
    payload = key + hashlib.sha256(key).digest()[:2]
    number = int.from_bytes(payload, "big")
    chars = []
    for _ in range(55):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    text = "".join(reversed(chars))
    return "-".join(text[i:i + 5] for i in range(0, 55, 5))


def key_from_recovery(text: str) -> bytes:
    cleaned = text.upper().replace("-", "").replace(" ", "").strip()
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != 55 or any(c not in _ALPHABET for c in cleaned):
        raise BadRecoveryKey("a recovery key is 11 groups of 5 letters and digits; nothing was "
                       "changed")
    number = 0
    for char in cleaned:
        number = number * 32 + _ALPHABET.index(char)
    payload = number.to_bytes(KEY_BYTES + 2, "big") if number < 1 << 272 else b""
    key, check = payload[:KEY_BYTES], payload[KEY_BYTES:]
    if not payload or hashlib.sha256(key).digest()[:2] != check:
        raise BadRecoveryKey("that recovery key has a typo (its checksum does not match); nothing "
                       "was changed")
    return key
