"""The settings file: read tolerantly (a broken key falls back to its default, with a
warning), written atomically, only ever holding the keys the user changed."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import BadInput, WiseError
from app.settings.schema import BY_KEY, OPTIONS, option
from storage.private import write_private_atomically

MAX_SETTINGS_BYTES = 64 * 1024
MAX_KEY_PARTS = 8  # dots in one key ("nudges.quiet_start" has one)

_HEADER = ("# Wise settings. Edit with `wise config set KEY VALUE` or by hand;\n"
           "# `wise config list` shows every option with its default.\n")


@dataclass
class Settings:
    values: dict[str, Any]
    explicit: dict[str, Any]  # what the file sets, valid keys only
    warnings: list[str] = field(default_factory=list)
    unreadable: bool = False  # the file is not valid TOML: nothing in it is used

    def get(self, key: str) -> Any:
        option(key)  # unknown keys are a programming or typing error, said clearly
        return self.values[key]


def defaults() -> dict[str, Any]:
    return {opt.key: opt.default for opt in OPTIONS}


def load_settings(path: Path) -> Settings:
    settings = Settings(values=defaults(), explicit={})
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SETTINGS_BYTES + 1)
    except FileNotFoundError:
        return settings
    except OSError as exc:
        settings.warnings.append(f"cannot read {path} ({exc.strerror}); using defaults")
        settings.unreadable = True
        return settings
    try:
        document = _parse(raw)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        settings.warnings.append(f"{path} is not valid TOML ({exc}); using defaults for "
                                 "every setting until it is fixed")
        settings.unreadable = True
        return settings
    except _NotSettings as exc:
        settings.warnings.append(f"{path} {exc}; using defaults for every setting until "
                                 "it is fixed")
        settings.unreadable = True
        return settings
    for key, value in _flatten(document):
        opt = BY_KEY.get(key)
        if opt is None:
            settings.warnings.append(f"{path}: unknown setting {key!r} is ignored")
            continue
        try:
            valid = opt.validate(value)
        except BadInput as exc:
            settings.warnings.append(f"{path}: {exc}; using the default {opt.default!r}")
            continue
        settings.values[key] = valid
        settings.explicit[key] = valid
    return settings


class _NotSettings(Exception):
    """Valid TOML perhaps, but nothing like a settings file (and costly to read)."""


def _parse(raw: bytes) -> dict[str, Any]:
    # Wise's settings are a few hundred bytes, two levels deep. A file far from that is
    # refused before tomllib sees it: its time grows with the square of a dotted key's
    # length (100,000 parts: minutes), and deep nesting ends in RecursionError.
    if len(raw) > MAX_SETTINGS_BYTES:
        raise _NotSettings(f"is larger than {MAX_SETTINGS_BYTES // 1024} KiB (settings take "
                           "a few hundred bytes)")
    text = raw.decode("utf-8")
    if any(line.split("=", 1)[0].count(".") > MAX_KEY_PARTS for line in text.splitlines()):
        raise _NotSettings("has keys nested too deeply")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise _NotSettings("is nested too deeply") from None


def set_setting(path: Path, key: str, text: str) -> Any:
    """Validate and store one value; the file keeps only the user's own choices."""
    opt = option(key)
    value = opt.parse_text(text)
    current = load_settings(path)
    if current.unreadable:
        raise WiseError(f"{path} cannot be read as settings; fix or remove it first "
                        "(nothing was changed)")
    explicit = dict(current.explicit)
    explicit[key] = value
    write_settings(path, explicit)
    return value


def reset_setting(path: Path, key: str) -> None:
    option(key)
    current = load_settings(path)
    if current.unreadable:
        raise WiseError(f"{path} cannot be read as settings; fix or remove it first")
    explicit = {k: v for k, v in current.explicit.items() if k != key}
    write_settings(path, explicit)


def write_settings(path: Path, explicit: dict[str, Any]) -> None:
    sections: dict[str, list[str]] = {}
    for key in sorted(explicit):
        section, name = key.rsplit(".", 1)
        sections.setdefault(section, []).append(f"{name} = {_toml_value(explicit[key])}")
    body = _HEADER + "".join(
        f"\n[{section}]\n" + "\n".join(lines) + "\n" for section, lines in sections.items())
    write_private_atomically(path, body.encode("utf-8"))


def _flatten(document: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for name, value in document.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            items.extend(_flatten(value, f"{key}."))
        else:
            items.append((key, value))
    return items


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    # A JSON string is a valid TOML basic string once DEL, which TOML forbids raw, is escaped.
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def restore_defaults_keeping_copy(path: Path) -> Path:
    """A settings file Wise cannot read is moved aside (never deleted: the user's edits
    may be worth reading again) and an empty one, meaning every default, takes its place.
    Returns where the damaged copy is."""
    from datetime import datetime

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    copy = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while copy.exists():
        n += 1
        copy = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(copy)
    write_settings(path, {})
    return copy
