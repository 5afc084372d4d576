"""Batch files: a device's operations, compressed, sealed, named by their content.

A batch is written once and never changed (a new one is written instead), so a sync tool
never sees a file half-edited in place; its name is the SHA-256 of its bytes, so a copy
that is incomplete, cut short or changed is recognised before anything is read from it.
Storage sees a random device folder, names like `3f9c….wsb` and sizes; nothing else.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from app.sync.crypto import SealBroken, open_sealed, seal

FORMAT, VERSION = "wise-sync-batch", 1
SUFFIX = ".wsb"
NAME = re.compile(r"^[0-9a-f]{40}\.wsb$")
DEVICE = re.compile(r"^[a-z0-9]{10,32}$")
MAX_BATCH_BYTES = 64 * 1024 * 1024  # far above what Wise writes (a few hundred KB)


@dataclass(frozen=True)
class Batch:
    device: str
    seq: int
    wall: int  # the writer's clock when it wrote the batch, ms since the epoch
    ops: list[dict]


class BatchIncomplete(Exception):
    """The bytes do not match the name: still arriving, cut short, or changed."""


class BatchRefused(Exception):
    """The bytes match the name but do not open, or say something impossible."""


def _context(device: str) -> bytes:
    return f"{FORMAT}/{VERSION}/{device}".encode()


def name_of(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()[:40] + SUFFIX


def encode(key: bytes, device: str, seq: int, wall: int, ops_json: Sequence[str]
           ) -> tuple[str, bytes]:
    """(name, bytes) of a batch holding the given operations (each already JSON)."""
    body = (f'{{"format":"{FORMAT}","version":{VERSION},"device":{json.dumps(device)},'
            f'"seq":{seq},"wall":{wall},"ops":[{",".join(ops_json)}]}}')
    blob = seal(key, zlib.compress(body.encode("utf-8"), 6), _context(device))
    return name_of(blob), blob


def decode(key: bytes, device: str, name: str, blob: bytes) -> Batch:
    short = f"batch {name[:12]}… from device {device}"
    if name_of(blob) != name:
        raise BatchIncomplete(f"{short} is incomplete or was changed (its content does not "
                              "match its name); it is left alone and tried again next time")
    try:
        plain = open_sealed(key, blob, _context(device))
    except SealBroken as exc:
        raise BatchRefused(f"{short} was refused: {exc}. Nothing of it was applied.") from None
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(plain, MAX_BATCH_BYTES)
        if inflater.unconsumed_tail:
            raise ValueError("too large")
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError("format")
        if document.get("version") != VERSION:
            raise BatchRefused(f"{short} was written by a newer Wise (batch version "
                               f"{document.get('version')}); update Wise on this device")
        if document.get("device") != device:
            raise ValueError("device")
        ops = document["ops"]
        if not isinstance(ops, list) or not all(isinstance(op, dict) and "t" in op and "k"
                                                in op and "h" in op and "o" in op
                                                for op in ops):
            raise ValueError("ops")
        return Batch(device, int(document["seq"]), int(document["wall"]), ops)
    except BatchRefused:
        raise
    except (ValueError, KeyError, TypeError, zlib.error) as exc:
        raise BatchRefused(f"{short} was refused: it opens but is not a batch this Wise "
                           "understands. Nothing of it was applied.") from exc
