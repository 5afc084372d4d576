"""Wise's desktop files (menu entry, hicolor icons, AppStream metainfo) and installing
them for one user with `wise install-desktop`."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app import __version__
from app.autostart import enable_autostart
from app.desktop import APP_ID
from app.desktop.files import HERE, desktop_files, icon_sources, menu_entry
from app.desktop.install import install_for_user, uninstall_for_user
from app.launch import installed_command
from tests.unit.app.test_autostart import split_exec


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg config"))
    return home


def entry_values(text: str, group: str = "Desktop Entry") -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read_string(text)
    return dict(parser[group])


def validator(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"{name} is not installed (Debian: desktop-file-utils, appstream)")
    return tool


def test_the_menu_entry_starts_the_command_and_offers_capture() -> None:
    command = ["/home/ann/My Apps/bin/wise"]
    values = entry_values(menu_entry(command))
    assert values["Name"] == "Wise"
    assert values["Icon"] == APP_ID
    assert values["TryExec"] == command[0]
    assert split_exec(values["Exec"]) == command
    capture = entry_values(menu_entry(command), "Desktop Action capture")
    assert split_exec(capture["Exec"]) == [*command, "capture"]


def test_the_menu_entry_keeps_a_wise_home() -> None:
    values = entry_values(menu_entry(["/usr/bin/wise"], "/home/ann/wise data"))
    assert split_exec(values["Exec"]) == ["env", "WISE_HOME=/home/ann/wise data",
                                          "/usr/bin/wise"]


def test_every_icon_size_is_in_the_theme_and_is_that_size() -> None:
    icons = icon_sources()
    assert f"icons/hicolor/scalable/apps/{APP_ID}.svg" in icons
    sizes = []
    for place, source in icons.items():
        if source.suffix != ".png":
            continue
        width, height = struct.unpack(">II", source.read_bytes()[16:24])  # the IHDR chunk
        assert place == f"icons/hicolor/{width}x{height}/apps/{APP_ID}.png"
        sizes.append(width)
    assert sorted(sizes) == [48, 64, 128, 256]


def test_the_metainfo_names_this_app_and_version() -> None:
    root = ET.parse(HERE / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.find("releases/release").get("version") == __version__


def test_desktop_file_validate_accepts_the_menu_entry(tmp_path: Path) -> None:
    tool = validator("desktop-file-validate")
    entry = tmp_path / f"{APP_ID}.desktop"
    entry.write_text(menu_entry(["/home/ann/My Apps/bin/wise"], "/home/ann/100% wise"))
    done = subprocess.run([tool, str(entry)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stdout, done.stdout


def test_appstreamcli_accepts_the_metainfo() -> None:
    tool = validator("appstreamcli")
    done = subprocess.run([tool, "validate", "--no-net", "--pedantic",
                           str(HERE / f"{APP_ID}.metainfo.xml")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_install_for_user_writes_every_file_and_uninstall_takes_them_away(
        data_home: Path) -> None:
    command, written = install_for_user()
    assert command == installed_command()
    assert sorted(p.relative_to(data_home).as_posix() for p in written) == sorted(
        desktop_files(command))
    values = entry_values((data_home / "applications" / f"{APP_ID}.desktop").read_text())
    assert split_exec(values["Exec"])[-len(command):] == command
    assert sorted(uninstall_for_user()) == sorted(written)
    assert not [p for p in written if p.exists()]
    assert uninstall_for_user() == []


def test_the_command_installs_and_uninstalls(wise, data_home: Path, tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home), "XDG_CONFIG_HOME": str(tmp_path / "xdg config")}
    installed = wise("install-desktop", "--json", env=env)
    assert installed.code == 0, installed.err
    assert (data_home / "applications" / f"{APP_ID}.desktop").is_file()
    assert len(installed.json()["installed"]) == len(desktop_files(["wise"]))
    assert list(installed.json()) == ["installed", "command"]
    assert all(isinstance(path, str) for path in installed.json()["installed"])

    removed = wise("install-desktop", "--uninstall", env=env)
    assert removed.code == 0, removed.err
    assert "out of your applications menu" in removed.out
    assert not (data_home / "applications" / f"{APP_ID}.desktop").exists()


def test_uninstall_also_removes_this_homes_login_entry(wise, data_home: Path,
                                                       tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(data_home), "XDG_CONFIG_HOME": str(tmp_path / "xdg config")}
    login = Path(enable_autostart(["wise"]))  # this test's WISE_HOME is in it
    result = wise("install-desktop", "--uninstall", "--json", env=env)
    assert result.code == 0, result.err
    assert result.json()["login_entry_removed"] is True
    assert list(result.json()) == ["removed", "login_entry_removed"]
    assert not login.exists()


def test_a_folder_that_cannot_be_written_is_one_clear_line(wise, tmp_path: Path) -> None:
    blocked = tmp_path / "not a folder"
    blocked.write_text("a file where the data folder should be")
    result = wise("install-desktop", env={"XDG_DATA_HOME": str(blocked)})
    assert result.code == 1
    assert result.err.startswith("wise: could not change the applications menu")
    assert len(result.err.strip().splitlines()) == 1
