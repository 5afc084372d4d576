"""`wise export` and `wise import`."""

from __future__ import annotations

from argparse import Namespace
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.cli.output import emit
from app.cli.output_file import open_output
from app.daytime import local_now
from app.errors import BadInput
from app.journal import Context

if TYPE_CHECKING:
    from storage.export_json import TransferCounts


@dataclass(frozen=True)
class Exported:
    """`wise export -o FILE --json`: where, in which format, and the counts written."""

    file: Path
    format: str
    counts: TransferCounts

    def as_dict(self) -> dict:
        return {"file": self.file, "format": self.format, **_counts(self.counts)}


def run_export(args: Namespace) -> int:
    context = Context.from_environment()
    context.prepare_storage()
    db = context.paths.db
    now = local_now()

    def write(out) -> TransferCounts:
        if args.format == "json":
            from storage.export_json import export_json

            return export_json(db, out, exported_at=now, app_version=__version__)
        from storage.export_markdown import export_markdown

        # tz=None: each moment in the system's own zone, daylight saving included (a fixed
        # offset taken from now would put winter notes an hour off in summer).
        return export_markdown(db, out, day_start_hour=context.day_start_hour,
                               tz=None, generated_at=now)

    with open_output(args.output) as output:
        counts = write(output.stream)
    if output.path is None:
        return 0  # standard output holds the export itself, and nothing else
    emit(args, Exported(output.path, args.format, counts),
         f"Exported {_in_words(counts)} to {output.path}")
    return 0


def run_import(args: Namespace) -> int:
    if args.source_format != "wise":
        return _import_other_app(args)
    if args.tz is not None or args.dry_run:
        raise BadInput("--tz and --dry-run go with --from (a Wise export carries its times "
                       "with their zones)")
    from storage.errors import ImportRejected
    from storage.import_json import import_json

    source = Path(args.file).expanduser()
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed below, after the import
    except FileNotFoundError:
        raise BadInput(f"no such file: {source}") from None
    except IsADirectoryError:
        raise BadInput(f"{source} is a folder, not an export file") from None
    except PermissionError:
        raise BadInput(f"cannot read {source}: permission denied") from None
    context = Context.from_environment()
    context.prepare_storage()
    with handle:
        try:
            counts = import_json(context.paths.db, handle)
        except ImportRejected as exc:
            raise ImportRejected(f"{exc}{_other_app_hint(source)}") from None
    emit(args, counts,  # storage's TransferCounts: one key per kind of record
         f"Imported {_in_words(counts, new=True)} (anything already in the journal was left "
         "as it was).")
    return 0


def _import_other_app(args: Namespace) -> int:
    from app.importers import import_file

    summary = import_file(Context.from_environment(), Path(args.file), args.source_format,
                          tz=args.tz, dry_run=args.dry_run)
    emit(args, summary, summary.in_words())
    return 0


def _other_app_hint(source: Path) -> str:
    """When a file given as a Wise export looks like another app's: how to import it."""
    from app.importers import detect_format

    found = detect_format(source)
    return (f" (it looks like a {found.value} file: import it with `wise import --from "
            f"{found.value} FILE`)" if found else "")


_KINDS = (("goals", "goal", "goals"), ("actions", "action", "actions"),
          ("entries", "note", "notes"), ("day_words", "day in your words", "days in your words"),
          ("reflections", "reflection", "reflections"), ("summaries", "summary", "summaries"),
          ("nudges", "nudge", "nudges"), ("feedback", "feedback note", "feedback notes"),
          ("focus_sessions", "focus session", "focus sessions"))


def _counts(counts: TransferCounts) -> dict[str, int]:
    """Every kind the export format carries (the Markdown export counts only some)."""
    known = asdict(counts)
    return {field: known[field] for field, _one, _many in _KINDS}


def _in_words(counts: TransferCounts, *, new: bool = False) -> str:
    """ "3 goals, 12 actions and 40 notes": the first three always, the rest when present."""
    known = asdict(counts)
    parts = []
    for index, (field, one, many) in enumerate(_KINDS):
        number = known[field]
        if index < 3 or number:
            parts.append(f"{number} {'new ' if new else ''}{one if number == 1 else many}")
    return ", ".join(parts[:-1]) + " and " + parts[-1]
