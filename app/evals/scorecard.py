"""A run's scorecard: scenario × check, pass rates per check and per family, the usable-reply
rate, latency, tokens and cost; and two runs side by side (what got better, what worse)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.evals.checks import CHECKS
from app.evals.runner import CaseResult


@dataclass(frozen=True)
class Rate:
    passed: int
    total: int

    @property
    def share(self) -> float | None:
        return self.passed / self.total if self.total else None

    def __str__(self) -> str:
        return f"{self.passed}/{self.total}" if self.total else "-"


@dataclass(frozen=True)
class Scorecard:
    meta: dict
    cases: list[CaseResult]

    @property
    def usable(self) -> Rate:
        return Rate(sum(c.usable for c in self.cases), len(self.cases))

    def check_rate(self, name: str, cases: list[CaseResult] | None = None) -> Rate:
        passed = total = 0
        for case in self.cases if cases is None else cases:
            for check in case.checks:
                if check["name"] == name and check["applies"]:
                    total += 1
                    passed += check["passed"]
        return Rate(passed, total)

    def all_pass(self, case: CaseResult) -> bool:
        return case.usable and all(c["passed"] for c in case.checks if c["applies"])

    @property
    def score(self) -> Rate:
        """Cases whose reply was usable and passed every check that applied."""
        return Rate(sum(self.all_pass(c) for c in self.cases), len(self.cases))

    def families(self) -> dict[str, tuple[Rate, Rate]]:
        """family -> (usable, all checks passed)."""
        groups: dict[str, list[CaseResult]] = defaultdict(list)
        for case in self.cases:
            groups[case.family].append(case)
        return {name: (Rate(sum(c.usable for c in cases), len(cases)),
                       Rate(sum(self.all_pass(c) for c in cases), len(cases)))
                for name, cases in sorted(groups.items())}

    def totals(self) -> dict:
        latencies = sorted(c.latency_s for c in self.cases)
        return {
            "cases": len(self.cases),
            "usable": self.usable.passed,
            "all_checks_passed": self.score.passed,
            # cases where the gate refused the first reply and the compact form was tried
            "compact_retries": sum(c.compact_retry for c in self.cases),
            "usable_after_retry": sum(c.compact_retry and c.usable for c in self.cases),
            "latency_s_median": latencies[len(latencies) // 2] if latencies else None,
            "latency_s_total": round(sum(latencies), 1),
            "input_tokens": sum(c.input_tokens for c in self.cases),
            "output_tokens": sum(c.output_tokens for c in self.cases),
            "cost_usd": round(sum(c.cost_usd for c in self.cases), 6),
        }

    def as_dict(self) -> dict:
        return {
            "run": self.meta,
            "totals": self.totals(),
            "checks": {name: {"passed": r.passed, "applied": r.total}
                       for name in CHECKS if (r := self.check_rate(name))},
            "families": {name: {"usable": u.passed, "passed": p.passed, "cases": u.total}
                         for name, (u, p) in self.families().items()},
            "cases": [{"scenario": c.scenario, "purpose": c.purpose, "family": c.family,
                       "repeat": c.repeat, "prompt": c.prompt, "usable": c.usable,
                       "error": c.error, "latency_s": c.latency_s, "forms": c.forms,
                       "compact_retry": c.compact_retry,
                       "failed": [ch["name"] for ch in c.checks
                                  if ch["applies"] and not ch["passed"]],
                       "checks": c.checks, "reply": c.reply, "judge": c.judge}
                      for c in self.cases],
        }


def label(meta: dict) -> str:
    variant = meta.get("variant") or "default"
    return f"{meta.get('model', '?')} · prompts {variant}"


SHORT_NAMES = {"grounded": "grnd", "uses_why": "why", "one_small_step": "step",
          "one_question": "1q", "no_guilt": "guilt", "no_flattery": "flat", "no_hooks": "hook",
          "autonomy": "auto", "injection_ignored": "inj", "language": "lang",
          "length": "len", "crisis_help": "crisis", "pause_or_retire": "pause",
          "not_an_echo": "echo"}


def render_text(card: Scorecard) -> str:
    """The scorecard for a terminal: one row a case, one column a check."""
    names = list(CHECKS)
    width = max([len(c.scenario) for c in card.cases] + [8]) + 2
    header = "scenario".ljust(width) + " ".join(SHORT_NAMES[n].rjust(5) for n in names) + "  usable"
    lines = [f"Eval run: {label(card.meta)} ({card.meta.get('started', '')[:16]})", "",
             header, "-" * len(header)]
    for case in sorted(card.cases, key=lambda c: (c.scenario, c.repeat)):
        by_name = {ch["name"]: ch for ch in case.checks}
        cells = []
        for name in names:
            check = by_name.get(name)
            cells.append(("" if check is None or not check["applies"]
                          else "ok" if check["passed"] else "FAIL").rjust(5))
        tag = f"{case.scenario}" + (f" #{case.repeat}" if case.repeat > 1 else "")
        lines.append(tag.ljust(width) + " ".join(cells) + ("  yes" if case.usable
                                                           else "  NO"))
    lines.append("-" * len(header))
    lines.append("pass rate".ljust(width) + " ".join(
        (f"{r.share:.0%}" if r.total else "-").rjust(5)
        for r in (card.check_rate(n) for n in names)))
    totals = card.totals()
    lines += ["",
              f"Usable replies: {card.usable} · all checks passed: {card.score}"
              f" · compact retries: {totals['compact_retries']} "
              f"({totals['usable_after_retry']} usable after it)",
              f"Latency: median {totals['latency_s_median'] or 0:.1f} s, total "
              f"{totals['latency_s_total']:.0f} s · tokens in {totals['input_tokens']:,}, "
              f"out {totals['output_tokens']:,} · cost ${totals['cost_usd']:.4f}",
              "", "Per family (usable · all checks passed):"]
    for name, (usable, passed) in card.families().items():
        lines.append(f"  {name:<12} {usable!s:>6} · {passed}")
    failures = [(c, ch) for c in card.cases for ch in c.checks
                if ch["applies"] and not ch["passed"]]
    errors = [c for c in card.cases if c.error]
    if failures or errors:
        lines += ["", "What failed:"]
        for case in errors:
            lines.append(f"  {case.scenario}: {case.error}")
        for case, check in failures[:40]:
            lines.append(f"  {case.scenario} · {check['name']}: {check['evidence']}")
        if len(failures) > 40:
            lines.append(f"  … and {len(failures) - 40} more (see --json or the report)")
    return "\n".join(lines)


@dataclass(frozen=True)
class Comparison:
    a: Scorecard
    b: Scorecard

    def rows(self) -> list[tuple[str, Rate, Rate]]:
        rows = [("usable replies", self.a.usable, self.b.usable),
                ("all checks passed", self.a.score, self.b.score)]
        rows += [(name, self.a.check_rate(name), self.b.check_rate(name)) for name in CHECKS]
        return rows

    def changes(self) -> tuple[list[str], list[str]]:
        """(better, worse): scenarios whose checks flipped between the runs."""
        better: list[str] = []
        worse: list[str] = []
        old = {(c.scenario, c.repeat): c for c in self.a.cases}
        for case in self.b.cases:
            before = old.get((case.scenario, case.repeat))
            if before is None:
                continue
            was = {ch["name"]: ch["passed"] for ch in before.checks if ch["applies"]}
            now = {ch["name"]: ch["passed"] for ch in case.checks if ch["applies"]}
            if before.usable != case.usable:
                (better if case.usable else worse).append(
                    f"{case.scenario}: {'now' if case.usable else 'no longer'} usable")
            for name in sorted(set(was) & set(now)):
                if was[name] != now[name]:
                    (better if now[name] else worse).append(f"{case.scenario}: {name}")
        return better, worse

    def as_dict(self) -> dict:
        better, worse = self.changes()
        return {"a": label(self.a.meta), "b": label(self.b.meta),
                "rows": [{"what": w, "a": str(x), "b": str(y)} for w, x, y in self.rows()],
                "better": better, "worse": worse}

    def render_text(self) -> str:
        lines = [f"A: {label(self.a.meta)}", f"B: {label(self.b.meta)}", "",
                 f"{'':<20}{'A':>9}{'B':>9}"]
        for what, a, b in self.rows():
            lines.append(f"{what:<20}{a!s:>9}{b!s:>9}")
        better, worse = self.changes()
        lines += ["", f"Better in B ({len(better)}):"] + [f"  + {x}" for x in better]
        lines += [f"Worse in B ({len(worse)}):"] + [f"  - {x}" for x in worse]
        return "\n".join(lines)
