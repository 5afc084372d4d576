"""Nightly maintenance: memory summaries (by the model when there is one), a rotating
backup, and a tidy search index. Called by the scheduler; safe to run at any time."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from app.daytime import journal_day, local_now
from app.journal import Context
from storage.db import JournalFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MaintenanceReport:
    summaries_made: int
    summaries_failed: int
    backup: str
    fts_optimized: bool


def run_nightly(context: Context, journal: JournalFile, *, use_model: bool = True,
                today: date | None = None) -> MaintenanceReport:
    from storage.backup import backup_journal

    today = today or journal_day(local_now(), context.day_start_hour)
    report = _summaries(context, journal, today, use_model=use_model)
    backup = backup_journal(context.paths.db, context.paths.backups_dir,
                            keep=context.settings.get("backup.keep"), reason="nightly")
    optimized = _optimize_search(journal)
    log.info("nightly maintenance: %d summaries made (%d fell back to plain), backup %s",
             report.made, report.failed, backup.name)
    return MaintenanceReport(report.made, report.failed, str(backup), optimized)


SUMMARY_TOKENS = 200  # the prompts ask for at most 80 (a day) or 120 words (a week)
SUMMARY_MAX_CHARS = 1200


def _summaries(context: Context, journal: JournalFile, today: date, *, use_model: bool):
    from app.memory.summaries import ensure_summaries

    summarize, model, versions, gateway = None, None, None, None
    if use_model and context.settings.get("llm.model"):
        from app.llm import gate
        from app.llm.gateway import Gateway
        from prompts.loader import build_messages, load_prompt

        gateway = Gateway(context, journal)
        model = context.settings.get("llm.model")
        versions = {kind: load_prompt(f"{kind}_summary").version for kind in ("day", "week")}

        def summarize(kind: str, material: str, start: date) -> str:
            label = (f"{start:%A} {start.day} {start:%B %Y}" if kind == "day"
                     else f"{start.day} {start:%B %Y}")
            messages = build_messages(f"{kind}_summary", **{kind: label, "journal": material})
            prompt = load_prompt(f"{kind}_summary")
            result = gateway.complete(f"{kind}_summary", messages, prompt_name=prompt.name,
                                      prompt_version=prompt.version,
                                      max_tokens=SUMMARY_TOKENS)
            # A summary becomes memory: one the gate refuses is kept aside, never used
            # (the caller keeps the plain summary instead).
            verdict = gate.judge_text(result.text, messages, finish=result.finish,
                                      max_chars=SUMMARY_MAX_CHARS)
            if verdict.ok:
                verdict = gate.check_language(result.text, gate.instructions_and_data(
                    messages)[1])
            if verdict.rule is not None:  # refused (`not verdict.ok`, as mypy can see it)
                gateway.memory.keep_refused(purpose=f"{kind}_summary", model=result.model,
                                            rule=verdict.rule, detail=verdict.detail,
                                            text=result.text)
                raise ValueError(f"the gate refused the summary: {verdict}")
            return result.text.strip()

    try:
        return ensure_summaries(journal, today=today, start_hour=context.day_start_hour,
                                summarize=summarize, model=model, prompt_versions=versions)
    finally:
        if gateway is not None:
            gateway.close()


def _optimize_search(journal: JournalFile) -> bool:
    from storage.repo.health import optimize_search_index

    optimize_search_index(journal.db_path)
    return True
