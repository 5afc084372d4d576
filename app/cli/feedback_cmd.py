"""`wise feedback export`: every feedback record as JSON lines, to a file or stdout."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from argparse import Namespace
from datetime import date, datetime
from pathlib import Path

from app.cli.output import emit
from app.errors import BadInput
from app.journal import Context


def run_export(args: Namespace) -> int:
    from storage.ritual_reads import feedback_records

    context = Context.from_environment()
    context.prepare_storage()  # an absent or old journal is created or migrated first
    records = feedback_records(context.paths.db)
    if not args.output:
        for record in records:
            sys.stdout.write(_line(record))
        sys.stdout.flush()
        return 0
    target = Path(args.output).expanduser()
    if target.is_dir():
        raise BadInput(f"{target} is a folder; give a file name, e.g. {target / 'feedback.jsonl'}")
    count = _write_atomically(target, records)
    emit(args, {"path": str(target.resolve()), "count": count},
         f"Wrote {count} feedback record{'s' * (count != 1)} to {target}")
    return 0


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, default=_default) + "\n"


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _write_atomically(target: Path, records) -> int:
    # A half-written export must never replace a good one: write aside, then rename.
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".feedback-", suffix=".jsonl", dir=target.parent)
    count = 0
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            for record in records:
                out.write(_line(record))
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count
