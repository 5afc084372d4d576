"""What the .deb installed for everyone: `wise` on PATH, the menu entry starting it, the
icons in the hicolor theme and the AppStream metainfo, all valid; and a bundle that wrote
nothing into its own folder while the other tests ran it (run this file after them)."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

from tests.package.conftest import validate

SHARE = Path("/usr/share")
BUNDLE = Path("/opt/wise")


def test_wise_on_path_is_the_bundle() -> None:
    assert Path("/usr/bin/wise").resolve() == BUNDLE / "wise"


def test_the_menu_entry_starts_wise_on_path(validators: dict[str, str]) -> None:
    entry = SHARE / "applications" / "org.wise.companion.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(entry, encoding="utf-8")
    assert parser["Desktop Entry"]["Exec"] == "/usr/bin/wise"
    assert parser["Desktop Entry"]["Icon"] == "org.wise.companion"
    assert parser["Desktop Action capture"]["Exec"] == "/usr/bin/wise capture"
    validate(validators, entry)


def test_icons_and_metainfo(validators: dict[str, str]) -> None:
    for size in (48, 64, 128, 256):
        assert (SHARE / f"icons/hicolor/{size}x{size}/apps/org.wise.companion.png").is_file()
    assert (SHARE / "icons/hicolor/scalable/apps/org.wise.companion.svg").is_file()
    validate(validators, SHARE / "metainfo" / "org.wise.companion.metainfo.xml")


def test_nothing_was_written_into_the_bundle() -> None:
    listed = set(subprocess.run(["dpkg-query", "-L", "wise"], capture_output=True,
                                text=True, check=True).stdout.splitlines())
    extra = sorted(str(p) for p in BUNDLE.rglob("*") if str(p) not in listed)
    assert not extra, f"written at run time (apt-get remove would leave them): {extra[:5]}"
