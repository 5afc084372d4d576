"""Whether the desktop composites windows, so translucent corners show what lies beneath.

Without a compositor (plain X11 window managers, Xvfb) a translucent pixel is painted black,
so rounded windows fall back to a shape mask there.
"""

from __future__ import annotations

import os
from functools import cache

from PySide6.QtGui import QGuiApplication


@cache
def has_compositor() -> bool:
    if QGuiApplication.platformName() != "xcb":
        return True  # Wayland, macOS and Windows always composite; offscreen has no screen
    try:
        from Xlib import display as xdisplay
    except ImportError:
        return False
    try:
        connection = xdisplay.Display(os.environ.get("DISPLAY"))
    except Exception:
        return False
    try:
        screen = connection.get_default_screen()
        atom = connection.intern_atom(f"_NET_WM_CM_S{screen}")
        return connection.get_selection_owner(atom) != 0
    finally:
        connection.close()
