"""`wise config`: list, get, set and reset settings."""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from app.cli.output import emit, warn
from app.errors import WiseError
from app.paths import resolve_paths
from app.settings.schema import OPTIONS, option
from app.settings.store import load_settings, reset_setting, set_setting

AUTOSTART = "startup.autostart"  # the one setting with a file outside Wise's own folders


@dataclass(frozen=True)
class SettingRow:
    """One line of `wise config list --json`."""

    key: str
    value: object
    default: object
    type: str
    help: str


@dataclass(frozen=True)
class SettingValue:
    """`wise config get|set|reset --json`: the setting's value now."""

    key: str
    value: object


@dataclass(frozen=True)
class SettingsPaths:
    """`wise config path --json`."""

    settings: Path
    data: Path


def _settings():
    paths = resolve_paths()
    settings = load_settings(paths.settings_file)
    for message in settings.warnings:
        warn(message)
    return paths, settings


def run_list(args: Namespace) -> int:
    _, settings = _settings()
    data = [SettingRow(o.key, settings.values[o.key], o.default, o.type_label, o.help)
            for o in OPTIONS]
    width = max(len(o.key) for o in OPTIONS)
    lines = []
    for o in OPTIONS:
        value = settings.values[o.key]
        changed = "" if value == o.default else f"   (default {o.default!r})"
        lines.append(f"{o.key:<{width}}  {value!r}{changed}\n{'':<{width}}  {o.help}")
    emit(args, data, "\n".join(lines))
    return 0


def run_get(args: Namespace) -> int:
    option(args.key)
    _, settings = _settings()
    value = settings.get(args.key)
    emit(args, SettingValue(args.key, value), str(value).lower()
         if isinstance(value, bool) else str(value))
    return 0


def run_set(args: Namespace) -> int:
    paths = resolve_paths()
    value = option(args.key).parse_text(args.value)  # bad input changes nothing
    with _login_entry_following(args.key, value):
        value = set_setting(paths.settings_file, args.key, args.value)
    emit(args, SettingValue(args.key, value), f"{args.key} = {value!r}")
    return 0


def run_reset(args: Namespace) -> int:
    paths = resolve_paths()
    with _login_entry_following(args.key, option(args.key).default):
        reset_setting(paths.settings_file, args.key)
    emit(args, SettingValue(args.key, option(args.key).default),
         f"{args.key} is back to its default, {option(args.key).default!r}")
    return 0


def run_path(args: Namespace) -> int:
    paths = resolve_paths()
    emit(args, SettingsPaths(paths.settings_file, paths.data_dir),
         str(paths.settings_file))
    return 0


@contextmanager
def _login_entry_following(key: str, value: object) -> Iterator[None]:
    """Around a change of `startup.autostart`: the login entry is written or removed first
    (so a failure changes nothing), and put back if the setting then cannot be saved."""
    if key != AUTOSTART:
        yield
        return
    from app.autostart import autostart_enabled, follow_setting

    was_enabled = autostart_enabled()
    try:
        follow_setting(bool(value))
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise WiseError(f"could not change starting at login: {exc.strerror or exc}{where}; "
                        "the setting is unchanged") from None
    try:
        yield
    except BaseException:
        with suppress(OSError):
            follow_setting(was_enabled)
        raise
