"""Printing results: words for people by default, JSON for scripts with --json."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from collections.abc import Sequence

from app.results import is_result, to_json

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (capture's path)
if TYPE_CHECKING:
    from app.results import Result


def emit(args: Namespace, result: Result | Sequence[Result], human: str) -> None:
    """`result` is a typed result (a frozen dataclass of the module that owns it) or a list
    of them, never a dict made on the spot: its type fixes the keys scripts rely on
    (app.results says how it becomes JSON)."""
    if not is_result(result):
        raise TypeError(f"emit takes a typed result, not {type(result).__name__}")
    if args.json:
        json.dump(to_json(result), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif human:
        print(human)


def warn(message: str) -> None:
    print(f"wise: warning: {message}", file=sys.stderr)
