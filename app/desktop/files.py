"""The files that put Wise on a desktop, by their path under a data folder (`share/`):
the menu entry (made from its template with the command to run), the icons in the hicolor
theme (every size there is, and the drawing itself) and the AppStream metainfo."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.desktop import APP_ID
from app.desktop.entry_format import escape_string, exec_value, launch_argv

HERE = Path(__file__).resolve().parent
ICONS = HERE / "icons"
MENU_ENTRY = f"applications/{APP_ID}.desktop"
METAINFO = f"metainfo/{APP_ID}.metainfo.xml"


def menu_entry(command: Sequence[str], wise_home: str = "") -> str:
    """The menu entry, starting `command` (on the Wise home `wise_home`, when given)."""
    template = (HERE / f"{APP_ID}.desktop.in").read_text(encoding="utf-8")
    return (template.replace("@TRYEXEC@", escape_string(command[0]))
            .replace("@EXEC@", exec_value(launch_argv(command, wise_home))))


def icon_sources() -> dict[str, Path]:
    """Each icon's place in the hicolor theme -> the file shipped with Wise."""
    icons = {f"icons/hicolor/scalable/apps/{APP_ID}.svg": ICONS / "wise.svg"}
    for png in sorted(ICONS.glob("wise-*.png")):
        size = png.stem.removeprefix("wise-")
        icons[f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"] = png
    return icons


def desktop_files(command: Sequence[str], wise_home: str = "") -> dict[str, bytes]:
    """Every file, by its path under a data folder, with its content."""
    files = {MENU_ENTRY: menu_entry(command, wise_home).encode("utf-8"),
             METAINFO: (HERE / f"{APP_ID}.metainfo.xml").read_bytes()}
    files.update({place: source.read_bytes() for place, source in icon_sources().items()})
    return files
