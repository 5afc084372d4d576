"""`wise breakdown`: a goal, an action or a line of text as micro-steps (nothing is saved)."""

from __future__ import annotations

from argparse import Namespace

from app.cli.output import emit
from app.journal import Context


def run(args: Namespace) -> int:
    from app.breakdown import MAX_TEXT_CHARS, break_down, check_size, resolve_item
    from app.cli.cancel import sigterm_cancels
    from app.cli.model_errors import model_failure
    from app.cli.text_input import read_stdin_text
    from app.llm.types import ModelError

    size = check_size(args.size)
    text = args.text
    if text == "-":
        text = read_stdin_text("--text", MAX_TEXT_CHARS)
    context = Context.from_environment()
    journal = context.open_journal()
    item = resolve_item(journal, goal=args.goal, action=args.action, text=text)
    with sigterm_cancels() as cancel:
        try:
            outcome = break_down(context, journal, item, size=size, cancel=cancel)
        except ModelError as exc:
            return model_failure(args, exc, "the steps could not be made")
    emit(args, outcome, _describe(item.text, outcome))
    return 0


def _describe(what: str, outcome) -> str:
    if not outcome.steps:
        return outcome.note or "No steps."
    lines = [f"Steps for {what}:"]
    lines += [f"  {n}. {title} (~{minutes} min)"
              for n, (title, minutes) in enumerate(outcome.steps, 1)]
    lines.append(f"(suggested by {outcome.model}; nothing was saved: add the ones you "
                 "want with `wise capture`)")
    return "\n".join(lines)
