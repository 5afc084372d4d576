"""`wise feedback export`: every feedback record as JSON lines, to a file or stdout."""

from __future__ import annotations

import json
from argparse import Namespace
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.cli.output import emit
from app.cli.output_file import open_output
from app.journal import Context


@dataclass(frozen=True)
class FeedbackExported:
    path: Path
    count: int


def run_export(args: Namespace) -> int:
    from storage.repo.ritual_reads import feedback_records

    context = Context.from_environment()
    context.prepare_storage()  # an absent or old journal is created or migrated first
    records = feedback_records(context.paths.db)
    count = 0
    with open_output(args.output) as output:
        for record in records:
            output.stream.write(_line(record))
            count += 1
    if output.path is None:
        return 0  # standard output holds the records themselves, and nothing else
    emit(args, FeedbackExported(output.path, count),
         f"Wrote {count} feedback record{'s' * (count != 1)} to {output.path}")
    return 0


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, default=_default) + "\n"


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")

