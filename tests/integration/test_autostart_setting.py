"""Start at login follows `startup.autostart` however it changes: `wise config set` and
`reset`, and an edited settings file that the running tray notices."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from app.launch import installed_command
from app.settings.store import load_settings
from tests.integration.test_tray_process import start_tray, wait_until_ready
from tests.unit.app.test_autostart import read_entry, split_exec


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def entry_of(config_home: Path) -> Path:
    return config_home / "autostart" / "wise.desktop"


def test_config_set_writes_and_removes_the_login_entry(wise, config_home: Path,
                                                       wise_home: Path) -> None:
    result = wise("config", "set", "startup.autostart", "true")
    assert result.code == 0, result.err
    entry = read_entry(entry_of(config_home))
    assert split_exec(entry["Exec"]) == ["env", f"WISE_HOME={wise_home}",
                                         *installed_command()]
    assert wise("config", "set", "startup.autostart", "false").code == 0
    assert not entry_of(config_home).exists()


def test_config_reset_removes_the_login_entry(wise, config_home: Path) -> None:
    assert wise("config", "set", "startup.autostart", "true").code == 0
    assert entry_of(config_home).is_file()
    assert wise("config", "reset", "startup.autostart").code == 0
    assert not entry_of(config_home).exists()


def test_an_entry_that_cannot_be_written_leaves_the_setting_alone(
        wise, config_home: Path, wise_home: Path) -> None:
    config_home.mkdir()
    (config_home / "autostart").write_text("a file where a folder should be")
    result = wise("config", "set", "startup.autostart", "true")
    assert result.code == 1
    assert result.err.startswith("wise: could not change starting at login")
    assert "the setting is unchanged" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert load_settings(wise_home / "settings.toml").get("startup.autostart") is False


def test_a_bad_value_changes_nothing(wise, config_home: Path) -> None:
    result = wise("config", "set", "startup.autostart", "sometimes")
    assert result.code == 2
    assert not entry_of(config_home).exists()


def test_the_running_tray_follows_an_edited_settings_file(config_home: Path,
                                                          wise_home: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(wise_home.parent))
    tray = start_tray(wise_home)
    try:
        wait_until_ready(wise_home, tray)
        settings = wise_home / "settings.toml"
        settings.write_text("[startup]\nautostart = true\n", encoding="utf-8")
        wait_for(lambda: entry_of(config_home).is_file(), "the login entry")
        assert split_exec(read_entry(entry_of(config_home))["Exec"])[0] == "env"
        settings.write_text("[startup]\nautostart = false\n", encoding="utf-8")
        wait_for(lambda: not entry_of(config_home).exists(), "the login entry removed")
    finally:
        tray.send_signal(signal.SIGTERM)
        assert tray.wait(30) == 0


def wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)
