"""The HTML report of every eval run: a chart of pass rates per check for each model and
prompt variant, and each run's scorecard with the replies. One self-contained file (no
scripts, no fonts, no network), readable offline, light or dark as the system is."""

from __future__ import annotations

import html
from pathlib import Path

from app.evals import runner
from app.evals.checks import CHECKS
from app.evals.scorecard import SHORT_NAMES, Scorecard, label

REPORT = "report.html"
_COLOURS = ["#3b7dd8", "#d9822b", "#2e9e6a", "#a25bc4", "#c94a5a", "#7a8a99"]

_CSS = """
:root { color-scheme: light dark; --bg: #fbfaf7; --fg: #23211d; --muted: #6b665c;
  --line: #e2ddd3; --card: #ffffff; --ok: #2e7d4f; --bad: #b3352f; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #1d1c1a; --fg: #ece8e0; --muted: #a39d92; --line: #3a3833;
    --card: #262522; --ok: #6cc08f; --bad: #ef7d74; } }
body { background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, sans-serif;
  max-width: 1100px; margin: 2rem auto; padding: 0 1.2rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.4rem; }
.muted { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 1rem 1.2rem; margin: 1rem 0; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .4rem; text-align: left;
  vertical-align: top; }
th { font-weight: 600; } td.ok { color: var(--ok); } td.bad { color: var(--bad); font-weight: 600; }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg .grid { stroke: var(--line); }
details { margin: .3rem 0; } pre { white-space: pre-wrap; font-size: .85rem; }
.legend span { display: inline-block; margin-right: 1.2rem; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: 3px;
  vertical-align: -2px; margin-right: .35rem; }
"""


def load_runs(data_dir: Path) -> list[tuple[Path, Scorecard]]:
    out = []
    for folder in sorted(runner.runs_dir(data_dir).glob("*")):
        if (folder / runner.META).exists():
            cases = runner.read_results(folder)
            if cases:
                out.append((folder, Scorecard(runner.read_meta(folder), cases)))
    return out


def write_report(data_dir: Path, path: Path | None = None) -> Path:
    path = path or runner.runs_dir(data_dir) / REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(load_runs(data_dir)), encoding="utf-8")
    return path


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def chart(cards: list[Scorecard]) -> str:
    """Grouped horizontal bars: one group a check, one bar a run (the latest 6)."""
    cards = cards[-6:]
    names = ["usable", *list(CHECKS)]
    bar, gap, left, width = 12, 10, 150, 520
    group = bar * max(len(cards), 1) + gap
    height = group * len(names) + 30
    parts = [f'<svg role="img" aria-label="Pass rate per check for each run" '
             f'viewBox="0 -6 {left + width + 60} {height + 6}" width="100%">']
    for pct in (0, 25, 50, 75, 100):
        x = left + width * pct / 100
        parts.append(f'<line class="grid" x1="{x}" y1="0" x2="{x}" y2="{height - 20}"/>'
                     f'<text x="{x}" y="{height - 5}" text-anchor="middle">{pct}%</text>')
    for row, name in enumerate(names):
        y0 = row * group
        parts.append(f'<text x="{left - 8}" y="{y0 + group / 2 + 2}" '
                     f'text-anchor="end">{_e(name)}</text>')
        for index, card in enumerate(cards):
            rate = card.usable if name == "usable" else card.check_rate(name)
            share = rate.share
            y = y0 + index * bar
            colour = _COLOURS[index % len(_COLOURS)]
            if share is None:
                parts.append(f'<text x="{left + 4}" y="{y + bar - 2}" class="muted">n/a</text>')
                continue
            parts.append(f'<rect x="{left}" y="{y}" width="{max(width * share, 1):.1f}" '
                         f'height="{bar - 2}" rx="2" fill="{colour}"><title>{_e(label(card.meta))}'
                         f': {rate}</title></rect>'
                         f'<text x="{left + width * share + 4:.1f}" y="{y + bar - 2}">'
                         f'{share:.0%}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i class="swatch" style="background:{_COLOURS[i % len(_COLOURS)]}">'
                     f'</i>{_e(label(c.meta))} · {_e(c.meta.get("started", "")[:16])}</span>'
                     for i, c in enumerate(cards))
    return f'<div class="legend">{legend}</div>' + "".join(parts)


def _run_section(folder: Path, card: Scorecard) -> str:
    totals = card.totals()
    rows = []
    for case in sorted(card.cases, key=lambda c: (c.scenario, c.repeat)):
        by_name = {ch["name"]: ch for ch in case.checks}
        cells = []
        for name in CHECKS:
            check = by_name.get(name)
            if check is None:  # an unusable reply is not scored
                cells.append('<td class="muted" title="not scored">·</td>')
            elif not check["applies"]:
                cells.append("<td></td>")
            else:
                cls, word = ("ok", "✓") if check["passed"] else ("bad", "✗")
                cells.append(f'<td class="{cls}" title="{_e(check["evidence"])}">{word}</td>')
        usable = '<td class="ok">yes</td>' if case.usable else '<td class="bad">no</td>'
        rows.append(f"<tr><td>{_e(case.scenario)}</td>{usable}{''.join(cells)}"
                    f"<td>{case.latency_s:.1f}</td></tr>")
    head = "".join(f'<th title="{_e(n)}">{_e(SHORT_NAMES[n])}</th>' for n in CHECKS)
    replies = "".join(
        f"<details><summary>{_e(c.scenario)}{' — ' + _e(c.error) if c.error else ''}"
        f"</summary><pre>{_e(c.reply or c.raw or '(nothing)')}</pre>"
        + "".join(f"<p class='muted'>{_e(ch['name'])}: {_e(ch['evidence'])}</p>"
                  for ch in c.checks if ch["applies"] and not ch["passed"])
        + (f"<p class='muted'>judge: {_e(c.judge)}</p>" if c.judge else "")
        + "</details>" for c in sorted(card.cases, key=lambda c: c.scenario))
    return (f'<h2>{_e(label(card.meta))}</h2><p class="muted">{_e(folder.name)} · started '
            f'{_e(card.meta.get("started", ""))} · {_e(card.meta.get("machine", ""))}</p>'
            f'<p>Usable replies {card.usable} · all checks passed {card.score} · median '
            f'latency {totals["latency_s_median"] or 0:.1f} s · tokens in '
            f'{totals["input_tokens"]:,} out {totals["output_tokens"]:,} · cost '
            f'${totals["cost_usd"]:.4f}</p>'
            f'<div class="card"><table><tr><th>scenario</th><th>usable</th>{head}<th>s</th>'
            f'</tr>{"".join(rows)}</table><p class="muted">Columns: '
            + " · ".join(f"{_e(SHORT_NAMES[n])} = {_e(n)}" for n in CHECKS)
            + f'. Empty: does not apply; ·: not scored (the reply was not usable).</p></div>'
            f'<div class="card">{replies}</div>')


def render_html(runs: list[tuple[Path, Scorecard]]) -> str:
    body = ['<h1>Wise eval report</h1><p class="muted">Pass rates of the deterministic '
            'checks, per model and prompt variant. A reply that echoes the prompt, '
            'fails to parse or never arrives is not usable and is not scored on the other '
            'checks. Hover a mark for its evidence.</p>']
    if not runs:
        body.append("<p>No runs yet: <code>wise eval run --model …</code></p>")
    else:
        body.append(f'<div class="card">{chart([card for _, card in runs])}</div>')
        body += [_run_section(folder, card) for folder, card in reversed(runs)]
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Wise eval report</title><style>{_CSS}</style></head><body>"
            + "".join(body) + "</body></html>")
