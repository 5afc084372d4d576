"""`wise eval`: run the open suite against a model, show and compare runs, write the HTML
report, and re-run the user's own rated reflections (--mine)."""

from __future__ import annotations

import sys
import time
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.cli.output import emit
from app.errors import BadInput
from app.journal import Context


@dataclass(frozen=True)
class ScenarioRow:
    """One scenario of `wise eval list --json`."""

    name: str
    purpose: str
    family: str
    about: str


@dataclass(frozen=True)
class ShownRun:
    """`wise eval show --json`: the run's scorecard, and the report written beside it."""

    card: Any  # app.evals.scorecard.Scorecard
    report: Path | None

    def as_dict(self) -> dict:
        shown = dict(self.card.as_dict())
        if self.report is not None:
            shown["report"] = self.report
        return shown


@dataclass(frozen=True)
class ReportWritten:
    path: Path


def run_help(args: Namespace) -> int:
    if getattr(args, "mine", False):
        return run_mine(args)
    raise BadInput("say what to do: wise eval run | show | compare | report | list | --mine")


def run_list(args: Namespace) -> int:
    from app.evals.scenarios import load_suite

    suite = load_suite()
    emit(args, [ScenarioRow(s.name, s.purpose, s.family, s.about) for s in suite],
         "\n".join(f"{s.name:<30} {s.purpose:<17} {s.about}" for s in suite))
    return 0


def _target(args: Namespace, context: Context) -> tuple[str, str | None]:
    model = args.model or context.settings.get("llm.model")
    if not model:
        raise BadInput("no model to evaluate: give --model (and --api-base for a local "
                       "server), or set one with `wise config set llm.model`")
    api_base = args.api_base if args.api_base is not None else (
        context.settings.get("llm.api_base") or None if not args.model else None)
    return model, api_base


def _variant(args: Namespace) -> str | None:
    if not args.prompt:
        return None
    from prompts import variants

    name, _, chosen = args.prompt.partition("@")
    chosen = chosen.split("+")[-1] if chosen else ""
    if not chosen:
        raise BadInput("--prompt is NAME@VARIANT, e.g. daily_reflection@brief")
    try:
        variants.variant(name, chosen)
    except variants.VariantError as exc:
        raise BadInput(str(exc)) from None
    return chosen


def run_suite(args: Namespace) -> int:
    from app.evals import runner
    from app.evals.scenarios import load_suite

    context = Context.from_environment()
    context.prepare_storage()
    if args.repeat < 1 or args.judge_repeat < 1:
        raise BadInput("--repeat and --judge-repeat are at least 1")
    if args.resume:
        folder = runner.find_run(context.paths.data_dir, args.resume)
        spec, suite = runner.resumed(folder)
    else:
        model, api_base = _target(args, context)
        variant = _variant(args)
        suite = load_suite(args.scenario)
        if args.prompt:  # a variant belongs to one purpose: run that purpose's scenarios
            suite = [s for s in suite if s.purpose == args.prompt.partition("@")[0]]
            if not suite:
                raise BadInput(f"no scenario exercises {args.prompt.partition('@')[0]}")
        spec = runner.RunSpec(model=model, api_base=api_base, variant=variant,
                              scenarios=tuple(s.name for s in suite), repeat=args.repeat,
                              judge=args.judge, context_tokens=_context_tokens(args))
        folder = runner.new_run_dir(context.paths.data_dir, spec)
    judge = None
    if spec.judge:
        from app.evals.judge import make_judge

        judge = make_judge(spec.judge, context, repeat=args.judge_repeat,
                           api_base=spec.api_base)
    bar = _ProgressBar(enabled=(not args.json and sys.stderr.isatty()) or _forced_progress())
    print(f"Running {len(suite) * spec.repeat} case(s) against {spec.model}; results go "
          f"to {folder}", file=sys.stderr)
    try:
        runner.run_suite(spec, suite, folder, progress=bar.update, judge=judge)
    except KeyboardInterrupt:
        bar.done()
        print(f"\nStopped. Every finished case is kept; carry on with: wise eval run "
              f"--resume {folder.name}", file=sys.stderr)
        return 130
    bar.done()
    return _show(args, context, folder, write_report=not args.no_report)


def run_show(args: Namespace) -> int:
    from app.evals import runner

    context = Context.from_environment()
    return _show(args, context, runner.find_run(context.paths.data_dir, args.run),
                 write_report=True)


def _show(args: Namespace, context: Context, folder, *, write_report: bool) -> int:
    from app.evals import runner
    from app.evals.scorecard import Scorecard, render_text

    card = Scorecard(runner.read_meta(folder), runner.read_results(folder))
    text = render_text(card)
    path = None
    if write_report:
        from app.evals.report import write_report as write

        path = write(context.paths.data_dir)
        text += f"\n\nReport: {path}"
    emit(args, ShownRun(card, path), text)
    return 0


def run_compare(args: Namespace) -> int:
    from app.evals import runner
    from app.evals.scorecard import Comparison, Scorecard

    context = Context.from_environment()
    cards = []
    for ref in (args.a, args.b):
        folder = runner.find_run(context.paths.data_dir, ref)
        cards.append(Scorecard(runner.read_meta(folder), runner.read_results(folder)))
    comparison = Comparison(*cards)
    emit(args, comparison, comparison.render_text())
    return 0


def run_report(args: Namespace) -> int:
    from pathlib import Path

    from app.evals.report import write_report

    context = Context.from_environment()
    path = write_report(context.paths.data_dir, Path(args.output) if args.output else None)
    emit(args, ReportWritten(path), f"Wrote the eval report to {path}")
    return 0


def _context_tokens(args: Namespace) -> int | None:
    tokens = getattr(args, "context_tokens", None)
    if tokens is not None and tokens < 512:
        raise BadInput(f"--context-tokens is at least 512, not {tokens}")
    return tokens


def run_mine(args: Namespace) -> int:
    from app.evals.mine import render_text, rerun_rated

    context = Context.from_environment()
    context.prepare_storage()
    model = args.model or context.settings.get("llm.model")
    if not model:
        raise BadInput("no model to ask: give --model or set llm.model")
    if args.limit < 1:
        raise BadInput("--limit is at least 1")
    cases = rerun_rated(context, model, limit=args.limit)
    emit(args, list(cases), render_text(cases))
    return 0


def _forced_progress() -> bool:
    import os

    return os.environ.get("WISE_EVAL_PROGRESS") == "1"


class _ProgressBar:
    """One line on stderr, redrawn as cases finish: [#####.....] 5/24 name 12 s."""

    WIDTH = 24

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()

    def update(self, done: int, total: int, result) -> None:
        if not self.enabled or not total:
            return
        filled = self.WIDTH * done // total
        name = f" {result.scenario}" if result is not None else ""
        mark = "" if result is None else (" ok" if result.usable else " unusable")
        elapsed = time.monotonic() - self.started
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}"
                         f"{name}{mark} · {elapsed:.0f} s\x1b[K")
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
