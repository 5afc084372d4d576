"""app.results: the one way a typed result becomes JSON, and emit taking only such."""

from __future__ import annotations

import json
from argparse import Namespace
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pytest

from app.cli.output import emit
from app.results import is_result, omitted_when_none, to_json


class Colour(StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Inner:
    at: datetime
    on: date | None


@dataclass(frozen=True)
class Outer:
    name: str
    path: Path
    colour: Colour
    inner: Inner
    items: tuple[Inner, ...]
    tags: frozenset[str]
    counts: dict[str, int]
    maybe: str | None = omitted_when_none()


@dataclass(frozen=True)
class Shaped:
    a: int

    def as_dict(self) -> dict:
        return {"a_doubled": self.a * 2, "when": date(2026, 1, 2)}


MOMENT = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


def test_fields_become_keys_in_order_by_the_rules() -> None:
    value = Outer("x", Path("/tmp/a b"), Colour.RED, Inner(MOMENT, None),
                  (Inner(MOMENT, date(2026, 12, 4)),), frozenset({"t"}), {"k": 1})
    assert to_json(value) == {
        "name": "x", "path": "/tmp/a b", "colour": "red",
        "inner": {"at": "2026-12-04T18:00:00+00:00", "on": None},
        "items": [{"at": "2026-12-04T18:00:00+00:00", "on": "2026-12-04"}],
        "tags": ["t"], "counts": {"k": 1}}
    assert list(to_json(value)) == ["name", "path", "colour", "inner", "items", "tags",
                                    "counts"]
    assert to_json(Outer("x", Path("p"), Colour.RED, Inner(MOMENT, None), (), frozenset(), {},
                         maybe="here"))["maybe"] == "here"
    assert type(to_json(Colour.RED)) is str


def test_a_type_shaped_by_as_dict_goes_through_the_same_rules() -> None:
    assert to_json([Shaped(2)]) == [{"a_doubled": 4, "when": "2026-01-02"}]


def test_what_is_not_json_is_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        to_json(object())
    with pytest.raises(TypeError):
        to_json({(1, 2): "tuple key"})


def test_only_typed_results_are_results() -> None:
    assert is_result(Shaped(1)) and is_result([Shaped(1), Shaped(2)]) and is_result([])
    assert not is_result({"a": 1}) and not is_result([{"a": 1}]) and not is_result(Shaped)
    assert not is_result(None) and not is_result("text")


def test_emit_prints_json_or_words(capsys: pytest.CaptureFixture[str]) -> None:
    emit(Namespace(json=True), Shaped(1), "words")
    assert json.loads(capsys.readouterr().out) == {"a_doubled": 2, "when": "2026-01-02"}
    emit(Namespace(json=False), Shaped(1), "words")
    assert capsys.readouterr().out == "words\n"
