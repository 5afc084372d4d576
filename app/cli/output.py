"""Printing results: words for people by default, JSON for scripts with --json."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from datetime import date, datetime


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit(args: Namespace, data: object, human: str) -> None:
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=_default)
        sys.stdout.write("\n")
    elif human:
        print(human)


def warn(message: str) -> None:
    print(f"wise: warning: {message}", file=sys.stderr)
