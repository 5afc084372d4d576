"""`wise eval --mine`: the user's own rated reflections as private regression cases.

Each rated reflection's day is reflected on again with today's prompt (the variant the
learner would choose) and the model asked for, then shown beside the old reply and the
user's rating, with the deterministic checks on the new one. Nothing is stored as a
reflection and nothing leaves the machine but the request to that model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from app.journal import Context


@dataclass(frozen=True)
class MineCase:
    day: str
    rating: int
    note: str | None
    old_prompt: str
    old_model: str | None
    old_text: str
    new_prompt: str
    new_text: str
    new_failed: tuple[str, ...]
    error: str | None = None

    def as_dict(self) -> dict:
        return {"day": self.day, "rating": self.rating, "note": self.note,
                "old": {"prompt": self.old_prompt, "model": self.old_model,
                        "text": self.old_text},
                "new": {"prompt": self.new_prompt, "text": self.new_text,
                        "failed_checks": list(self.new_failed), "error": self.error}}


def _with_model(context: Context, model: str) -> Context:
    from app.settings.store import Settings

    settings = context.settings
    values = {**settings.values, "llm.model": model}
    return replace(context, settings=Settings(values=values, explicit=dict(settings.explicit)))


def rerun_rated(context: Context, model: str, *, limit: int = 10) -> list[MineCase]:
    from app.evals.checks import Reply, run_checks
    from app.evals.purposes import Request, read_reply
    from app.evals.scenarios import Expect, Scenario, Scripted
    from app.llm.gateway import Gateway
    from app.llm.types import ModelError
    from app.reflection import plan_daily_reflection
    from app.structured_call import StructuredCall, UnreadableReply, ask
    from prompts.loader import load_prompt
    from prompts.schemas import DailyReflection
    from prompts.structured import reply_model
    from storage.variant_reads import rated_reflections

    if model != context.settings.get("llm.model"):
        context = _with_model(context, model)
    rated = rated_reflections(context.paths.db, limit)
    if not rated:
        return []
    schema = reply_model(load_prompt("daily_reflection"), DailyReflection)
    mine = Scenario(name="mine", purpose="daily_reflection", about="", family="mine",
                    goals=(), captures=(), words=None, feedback=(), expect=Expect(),
                    scripted=Scripted("", "", ()))
    journal = context.open_journal()
    gateway = Gateway(context, journal)
    cases = []
    try:
        for old in rated:
            plan = plan_daily_reflection(context, journal, date.fromisoformat(old.day), None)
            request = Request("daily_reflection", plan.messages, plan.prompt_name,
                              plan.prompt_version, plan.json_schema, schema)
            parsed, raw, error = None, "", None
            try:
                parsed, result = ask(gateway, StructuredCall(
                    "eval_mine", plan.messages, plan.prompt_name, plan.prompt_version,
                    plan.json_schema), schema)
                raw = result.text
            except UnreadableReply as exc:
                raw, error = exc.raw, "not in the expected shape"
            except ModelError as exc:
                error = f"{exc.kind}: {exc}"
            parts = read_reply(request, parsed, raw)
            failed = tuple(c.name for c in run_checks(Reply(mine, request, parts))
                           if c.applies and not c.passed) if not error else ()
            cases.append(MineCase(
                day=old.day, rating=old.rating, note=old.note,
                old_prompt=f"{old.prompt_name or 'plain'}@{old.prompt_version or '-'}",
                old_model=old.model, old_text=old.content,
                new_prompt=f"{plan.prompt_name}@{plan.prompt_version}",
                new_text=parts.text if not error else raw[:2000], new_failed=failed,
                error=error))
    finally:
        gateway.close()
        journal.close()
    return cases


def render_text(cases: list[MineCase]) -> str:
    if not cases:
        return ("No rated reflections yet. Rate a reflection Helpful or Not quite, and it "
                "becomes a case here.")
    blocks = []
    for case in cases:
        rating = "Helpful" if case.rating > 0 else "Not quite"
        note = f' ("{case.note}")' if case.note else ""
        checks = ("new reply failed: " + ", ".join(case.new_failed) if case.new_failed
                  else case.error or "new reply passed every check")
        blocks.append(f"{case.day} · you said {rating}{note}\n"
                      f"  old ({case.old_prompt}, {case.old_model or 'no model'}):\n"
                      f"    {_indent(case.old_text)}\n"
                      f"  new ({case.new_prompt}):\n    {_indent(case.new_text)}\n"
                      f"  {checks}")
    return "\n\n".join(blocks) + "\n\nThese cases stay on this machine."


def _indent(text: str) -> str:
    return text.strip().replace("\n", "\n    ")
