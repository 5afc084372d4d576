"""Typed results: the one way a result becomes JSON (`wise … --json`, the tray's socket).

Every result a script can read is a frozen dataclass of the module that owns it; its
fields are the JSON keys, in order. `to_json` turns one (or a list of them) into plain
JSON values by these rules:

- a dataclass: its fields by name; a field made with `omitted_when_none()` is left out
  while it is None (for a key that appears only sometimes); a type whose JSON is shaped
  differently from its fields says so in an `as_dict()` method, whose values go through
  the same rules;
- datetime and date: ISO 8601 text; a Path: its text; an Enum: its value;
- tuple, list, set and frozenset: a list; a mapping: an object with the same keys.

Light on purpose (no `json`, `typing` or `dataclasses` at import): `wise capture`
through the tray imports this, and a result that exists has loaded `dataclasses` already.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import PurePath

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from dataclasses import Field
    from typing import Any, ClassVar, Protocol

    class Result(Protocol):
        """A dataclass instance: what `emit` and the socket's replies accept."""

        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

_OMIT_NONE = "json_omit_none"


def omitted_when_none() -> Any:
    """A field whose key is left out of the JSON while its value is None."""
    from dataclasses import field

    return field(default=None, metadata={_OMIT_NONE: True})


def is_result(value: object) -> bool:
    """A typed result (a dataclass instance), or a list or tuple of them."""
    if isinstance(value, list | tuple):
        return all(_is_instance(item) for item in value)
    return _is_instance(value)


def _is_instance(value: object) -> bool:
    # dataclasses.is_dataclass, without importing dataclasses for a value that is none
    return hasattr(type(value), "__dataclass_fields__")


def to_json(value: object) -> Any:
    """`value` as plain JSON values (dict, list, str, int, float, bool, None)."""
    if isinstance(value, Enum):
        return to_json(value.value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if _is_instance(value):
        shape = getattr(value, "as_dict", None)
        if callable(shape):
            return to_json(shape())
        from dataclasses import fields  # loaded already: the value is a dataclass's

        return {f.name: to_json(item) for f in fields(value)  # type: ignore[arg-type]  # a dataclass
                if not ((item := getattr(value, f.name)) is None and f.metadata.get(_OMIT_NONE))}
    if isinstance(value, Mapping):
        return {_key(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(item) for item in value]
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _key(key: object) -> object:
    if isinstance(key, Enum):
        key = key.value
    if isinstance(key, str | int | float | bool) or key is None:
        return key if not isinstance(key, str) else str(key)
    if isinstance(key, date):
        return key.isoformat()
    raise TypeError(f"cannot use {type(key).__name__} as a JSON key")
