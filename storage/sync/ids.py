"""Device ids: 16 random lowercase base32 characters (80 bits), opaque to the storage."""

from __future__ import annotations

import base64
import os


def new_device_id() -> str:
    return base64.b32encode(os.urandom(10)).decode().lower()
