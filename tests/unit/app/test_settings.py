"""Settings: declared once, validated, stored atomically, tolerant of a damaged file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from app.errors import BadInput, WiseError
from app.settings.schema import OPTIONS, option
from app.settings.store import defaults, load_settings, reset_setting, set_setting

ROOT = Path(__file__).resolve().parents[3]


def test_every_option_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [o.key for o in OPTIONS if f"`{o.key}`" not in readme]
    assert missing == []


def test_defaults_are_valid_for_their_own_declarations() -> None:
    for opt in OPTIONS:
        assert opt.validate(opt.default) == opt.default
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", opt.key)
        assert opt.help.endswith(".")


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "settings.toml")
    assert settings.values == defaults() and settings.warnings == []


def test_set_writes_valid_toml_with_only_the_changes(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    assert set_setting(path, "day.start_hour", "5") == 5
    assert set_setting(path, "nudges.enabled", "off") is False
    assert set_setting(path, "llm.model", 'odd "quoted" \x7f model') == 'odd "quoted" \x7f model'
    assert tomllib.loads(path.read_text()) == {
        "day": {"start_hour": 5}, "nudges": {"enabled": False},
        "llm": {"model": 'odd "quoted" \x7f model'}}
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_settings(path).get("day.start_hour") == 5
    reset_setting(path, "day.start_hour")
    assert load_settings(path).get("day.start_hour") == 4


@pytest.mark.parametrize(("key", "value", "message"), [
    ("day.start_hour", "99", "between 0 and 23"),
    ("day.start_hour", "four", "whole number"),
    ("schedule.reflection_time", "25:00", "a time like"),
    ("schedule.weekly_review_day", "someday", "one of mon"),
    ("nudges.enabled", "maybe", "true or false"),
    ("no.such", "1", "unknown setting"),
])
def test_set_rejects_bad_values_clearly(tmp_path: Path, key: str, value: str,
                                        message: str) -> None:
    with pytest.raises(BadInput, match=message):
        set_setting(tmp_path / "settings.toml", key, value)
    assert not (tmp_path / "settings.toml").exists()


def test_times_are_normalised() -> None:
    assert option("schedule.checkin_time").parse_text("7:05") == "07:05"


def test_a_broken_key_falls_back_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[day]\nstart_hour = 99\n[nudges]\ndaily_cap = 2\nmystery = 1\n")
    settings = load_settings(path)
    assert settings.get("day.start_hour") == 4
    assert settings.get("nudges.daily_cap") == 2
    assert any("day.start_hour" in w for w in settings.warnings)
    assert any("nudges.mystery" in w for w in settings.warnings)


def test_an_unreadable_file_gives_defaults_and_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[day\nstart_hour = 5\n")
    settings = load_settings(path)
    assert settings.unreadable and settings.values == defaults()
    assert "not valid TOML" in settings.warnings[0]
    with pytest.raises(WiseError, match="fix or remove it"):
        set_setting(path, "day.start_hour", "6")
    assert path.read_text() == "[day\nstart_hour = 5\n"


def test_binary_settings_file_is_survivable(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert load_settings(path).unreadable


@pytest.mark.parametrize(("text", "words"), [
    # tomllib recurses into each level: RecursionError, which is not a TOMLDecodeError.
    ("[a]\nx = " + "[" * 20_000 + "]" * 20_000 + "\n", "nested too deeply"),
    ("x = " + "{a = " * 5_000 + "1" + "}" * 5_000 + "\n", "nested too deeply"),
    # Parsed (slowly: the time grows with the square of the key's length), then too deep
    # to walk.
    (".".join(["a"] * 9_000) + " = 1\n", "nested too deeply"),
    ("# padding\n" * 7_000, "larger than 64 KiB"),
])
def test_a_pathological_settings_file_gives_defaults_and_a_warning(
        tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    settings = load_settings(path)
    assert settings.unreadable and settings.values == defaults()
    [warning] = settings.warnings
    assert words in warning and str(path) in warning
