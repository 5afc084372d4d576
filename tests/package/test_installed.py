"""Whatever installed it (the .deb, pipx, uv tool): `wise --version`, a capture, the tray
capturing through its socket, its `wise` children, the model worker with litellm's own
price list, the menu entry for the user and the login entry that follows its setting."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from app import __version__
from storage.migrate import schema_is_current
from tests.fake_openai import Reply
from tests.package.conftest import Installed, validate

# A process that imported either package has one of its shared objects mapped.
HEAVY = re.compile(r"/(sqlalchemy|litellm)/\S*\.so")


def test_version(installed: Installed) -> None:
    assert installed.ok("--version").strip() == f"wise {__version__}"


def test_capture_creates_the_journal_and_keeps_the_line(installed: Installed,
                                                        wise_home: Path) -> None:
    saved = json.loads(installed.ok("capture", "call mum about the trip ~10m", "--json"))
    assert saved["saved"] and saved["kind"] == "todo"
    assert schema_is_current(wise_home / "wise.db")  # the migrations came with the package
    today = installed.ok("today")
    assert "call mum about the trip" in today


def test_the_tray_captures_through_its_socket(installed: Installed, wise_home: Path,
                                              tmp_path: Path) -> None:
    output = tmp_path / "tray-output.txt"
    with output.open("wb") as sink:  # the child keeps its own copy
        tray = subprocess.Popen([installed.command], env=installed.env,
                                stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
    try:
        status = _wait_for_tray(installed, tray, output)
        assert status["pid"] == tray.pid
        # On a new home the tray has a `wise migrate` child create the journal.
        _wait_for(lambda: schema_is_current(wise_home / "wise.db"), "the journal")
        saved = json.loads(installed.ok("capture", "a thought for the tray", "--json"))
        assert saved["saved"]
        log = (wise_home / "logs" / "wise.log").read_text(encoding="utf-8")
        assert "capture request over the socket" in log
        assert "a thought for the tray" not in log  # journal text never goes into logs
        maps = Path(f"/proc/{tray.pid}/maps").read_text(encoding="utf-8")
        assert not HEAVY.findall(maps), "the tray loaded SQLAlchemy or litellm"
    finally:
        tray.send_signal(signal.SIGTERM)
        code = tray.wait(30)
    errors = output.read_text(encoding="utf-8", errors="replace")
    assert code == 0, errors
    assert "Wise stopped" in (wise_home / "logs" / "wise.log").read_text(encoding="utf-8")
    assert "Traceback" not in errors


def test_the_model_worker_prices_a_call_with_the_shipped_price_list(
        installed: Installed, fake_openai) -> None:
    installed.ok("config", "set", "llm.model", "openai/gpt-4o-mini")
    # No api_base: litellm's own OpenAI client, pointed at the fake server the way a proxy
    # user would, so the call counts as a cloud call and is priced from litellm's list.
    cloud = {"OPENAI_API_KEY": "sk-test-not-a-key", "OPENAI_BASE_URL": fake_openai.base_url}
    # `wise llm test` asks for a small structured nudge and holds it to the quality gate.
    fake_openai.script(Reply(json.dumps({
        "text": "Fill the watering can and water the plants by the window.",
        "why": None, "action_uid": "test-step"})))
    result = json.loads(installed.ok("llm", "test", "--json", env=cloud))
    assert result["ok"] and result["reply"].startswith("Fill the watering can")
    assert result["cost_usd"] > 0
    assert fake_openai.requests


def test_a_reflection_preview_is_priced_without_the_worker(installed: Installed) -> None:
    installed.ok("config", "set", "llm.model", "openai/gpt-4o-mini")
    preview = json.loads(installed.ok("reflect", "--dry-run", "--json"))
    assert preview["prompt"]["name"] == "daily_reflection"
    assert preview["estimated_cost_usd"] > 0


def test_install_desktop_puts_wise_in_the_menu_and_takes_it_away(
        installed: Installed, validators: dict[str, str]) -> None:
    data = Path(installed.env["XDG_DATA_HOME"])
    written = [Path(p) for p in json.loads(installed.ok("install-desktop", "--json"))
               ["installed"]]
    assert {p.relative_to(data).parts[0] for p in written} == {
        "applications", "icons", "metainfo"}
    entry = data / "applications" / "org.wise.companion.desktop"
    values = _desktop_entry(entry)
    assert values["TryExec"] == installed.command
    assert shlex.split(values["Exec"])[-1] == installed.command
    for size in (48, 64, 128, 256):
        assert (data / f"icons/hicolor/{size}x{size}/apps/org.wise.companion.png").is_file()
    assert (data / "icons/hicolor/scalable/apps/org.wise.companion.svg").is_file()
    validate(validators, entry)
    validate(validators, data / "metainfo" / "org.wise.companion.metainfo.xml")

    installed.ok("install-desktop", "--uninstall")
    assert not [p for p in written if p.exists()]


def test_autostart_follows_its_setting_and_starts_the_installed_command(
        installed: Installed, validators: dict[str, str]) -> None:
    entry = Path(installed.env["XDG_CONFIG_HOME"]) / "autostart" / "wise.desktop"
    installed.ok("config", "set", "startup.autostart", "true")
    values = _desktop_entry(entry)
    assert values["TryExec"] == installed.command
    assert shlex.split(values["Exec"])[-1] == installed.command
    validate(validators, entry)
    installed.ok("config", "set", "startup.autostart", "false")
    assert not entry.exists()


def _desktop_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def _wait_for_tray(installed: Installed, tray: subprocess.Popen, output: Path) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if tray.poll() is not None:
            pytest.fail(f"the tray exited with {tray.returncode}: {output.read_text()}")
        status = json.loads(installed.ok("status", "--json"))
        if status["running"]:
            return status
        time.sleep(0.2)
    pytest.fail("the tray did not answer on its socket within 60 s")


def _wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not there within {timeout:.0f} s")
        time.sleep(0.2)
