"""Can this judge tell a good reply from a bad one? (`make eval` helper, not a test.)

Scores each named scenario's scripted good and bad replies (prompts/evals/) with the judge's
rubric, `--repeat` times each, and prints the means, the spread of the repeats and the gap
between good and bad. A judge worth reading scores the good reply higher on the dimensions
the bad one breaks, and agrees with itself; one that gives both the same marks, or cannot
answer in the rubric's shape, is noise. The deterministic checks never depend on it.

    .venv/bin/python packaging/eval/judge_probe.py --judge openai/gemma \
        --api-base http://127.0.0.1:8092/v1 --scenario dr_self_critical,dr_leaning_on_wise
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from types import SimpleNamespace


def main(argv: list[str] | None = None) -> int:
    from app.evals.build import scenario_context
    from app.evals.judge import RUBRIC, make_judge
    from app.evals.scenarios import load_suite

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judge", required=True)
    parser.add_argument("--api-base")
    parser.add_argument("--scenario", required=True, help="names or globs, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import tempfile
    from pathlib import Path

    context = scenario_context(Path(tempfile.mkdtemp(prefix="wise-judge-probe-")))
    judge = make_judge(args.judge, context, repeat=args.repeat, api_base=args.api_base)
    rows = []
    started = time.monotonic()
    for scenario in load_suite(args.scenario):
        for kind in ("good", "bad"):
            reply = getattr(scenario.scripted, kind)
            shown = _shown(reply)
            summary = judge(scenario, SimpleNamespace(reply=shown))
            rows.append({"scenario": scenario.name, "reply": kind, "text": shown,
                         "bad_fails": list(scenario.scripted.bad_fails), **summary})
            print(f"{scenario.name} {kind}: {json.dumps(summary, ensure_ascii=False)}",
                  file=sys.stderr)
    elapsed = time.monotonic() - started
    if args.json:
        print(json.dumps({"judge": args.judge, "seconds": round(elapsed), "rows": rows},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"Judge {args.judge}, {args.repeat} judgments a reply, {elapsed:.0f} s")
    print("scenario".ljust(24) + "reply  read " + " ".join(n[:7].rjust(9) for n in RUBRIC)
          + "  agree")
    for row in rows:
        scores = row.get("scores") or {}
        cells = " ".join((f"{scores[n]['mean']:.1f}±{scores[n]['spread']}" if n in scores
                          else "-").rjust(9) for n in RUBRIC)
        read = f"{row['repeats']}/{row['repeats'] + row['unreadable']}"
        print(row["scenario"].ljust(24) + row["reply"].ljust(6) + read.rjust(5) + " "
              + cells + f"  {row.get('agreement', '-')}")
    return 0


def _shown(reply: str) -> str:
    """The reply as the user would read it (the fields of a JSON reply, joined)."""
    try:
        data = json.loads(reply)
    except ValueError:
        return reply
    if not isinstance(data, dict):
        return reply
    return " ".join(str(v) for k, v in data.items()
                    if isinstance(v, str) and k not in ("goal", "action_uid", "slug"))


if __name__ == "__main__":
    sys.exit(main())
