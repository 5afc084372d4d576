"""Search: `storage.search.search` in-process, `wise search WORD` and `jrnl -contains WORD`.

Query words come from the seeded text itself, two per class by the share of entries that
contain them: rare (the rarest words the vocabulary has, ~0.04 % of entries), medium
(~1 %) and common (~20 %); see seed.pick_query_words. Then the seeded tags and goals: a
tag as a word, a goal's title word, `#tag` alone and a common word with a `#tag`.

In-process: one read-only sqlite3 connection in one read transaction, a few untimed
warm-up queries, then every word queried in turn (round-robin) until each has run
`repeats` times; reported as the median over all queries (target ≤ 20 ms) and per word.

Wall: `wise search WORD` (a new process: Python start-up, schema check,
query) interleaved with `jrnl -contains WORD` on a jrnl journal of the same text.
"""

from __future__ import annotations

import statistics
import time

from tests.benchmarks import baselines, seed
from tests.benchmarks.harness import (
    BIN,
    Cmd,
    Row,
    Stats,
    Workspace,
    interleaved,
    med_p90,
    ms,
    ratio,
)


def _sizes(ws: Workspace) -> dict[str, int]:
    if ws.quick:
        return {"entries": 10_000, "jrnl": 2_000, "repeats": 5, "wall": 3, "jrnl_every": 1}
    return {"entries": 100_000, "jrnl": 100_000, "repeats": 10, "wall": 8, "jrnl_every": 2}


def run(ws: Workspace) -> list[Row]:
    from storage.repo.reading import reading
    from storage.search import search

    size = _sizes(ws)
    n = size["entries"]
    label = f"{n // 1000}k"
    _folder, meta = seed.wise_journal(ws, n)
    classes = meta["query_words"]
    words = [(f"{cls} word", w["word"], w["entries"]) for cls, ws_ in classes.items()
             for w in ws_]
    words += [(q["class"], q["query"], q["entries"]) for q in meta["tag_queries"]]
    group = f"search: {label} entries"
    rows: list[Row] = []

    # Reads only, but a copy all the same: the cached journal is never opened by Wise.
    home = seed.fresh_wise_home(ws, n, "search-wise")
    samples: dict[str, list[float]] = {w: [] for _c, w, _n in words}
    hits: dict[str, int] = {}
    order = [w for _c, w, _n in words] * size["repeats"]  # round-robin over the words
    with reading(home / "wise.db") as conn:
        for _c, word, _n in words:  # warm-up: connection, page cache, FTS pages
            hits[word] = len(search(conn, word))
        ws.log(f"in-process search x {len(order)} ...")
        for word in order:
            start = time.perf_counter()
            search(conn, word)
            samples[word].append(time.perf_counter() - start)
    everything = [s for v in samples.values() for s in v]
    overall = Stats.of(everything)
    rows.append(Row(group, f"search() in-process, median of {overall.n} queries",
                    f"{ms(overall.median)} (p90 {ms(overall.p90)})", target="≤ 20 ms",
                    met=overall.median <= 0.020,
                    note=f"one warm read-only connection; {len(words)} words queried "
                         f"round-robin, {size['repeats']} times each",
                    data={"all": overall, "hits_returned": hits,
                          "per_word": {w: Stats.of(v) for w, v in samples.items()},
                          "words": words}))
    # Per word too: a class median could hide one slow word behind a fast one.
    for cls, word, count in words:
        med = statistics.median(samples[word])
        rows.append(Row(group, f"  {cls} {word!r} (in {count:,} entries)", ms(med),
                        target="≤ 20 ms", met=med <= 0.020,
                        data={"class": cls, "entries": count, "stats": Stats.of(samples[word])}))

    # Wall: wise search vs jrnl -contains, one word per class, all in one interleaved
    # loop. jrnl parses its whole file per call, so it runs every other round, and only
    # its first word gets an (expensive, untimed) warm-up run.
    jrnl = baselines.jrnl_instance(ws, "search-jrnl", size["jrnl"])
    wall_words = [(cls, classes[cls][0]["word"]) for cls in classes]
    cmds: dict[str, Cmd] = {}
    for i, (_cls, word) in enumerate(wall_words):
        cmds[f"wise {word}"] = Cmd([str(BIN / "wise"), "search", word],
                                   ws.env(WISE_HOME=str(home)))
        if not isinstance(jrnl, str):
            cmds[f"jrnl {word}"] = Cmd([str(jrnl.exe), "-contains", word], jrnl.env(ws),
                                       every=size["jrnl_every"], warmup=i == 0)
    ws.log(f"wall: wise search / jrnl -contains, {len(cmds)} commands x {size['wall']} "
           "interleaved rounds ...")
    st = interleaved(cmds, size["wall"], warmup=1, budget_s=None if ws.quick else 150,
                     min_runs=4)
    for cls, word in wall_words:
        wise = st[f"wise {word}"]
        if f"jrnl {word}" in st:
            j = st[f"jrnl {word}"]
            rows.append(Row(group, f"wise search vs jrnl -contains ({cls}: {word})",
                            med_p90(wise), med_p90(j), ratio(wise.median, j.median),
                            data={"wise": wise, "jrnl": j, "jrnl_entries": size["jrnl"]},
                            note=_fail(wise, "wise") or _fail(j, "jrnl")
                            or f"{wise.n} wise runs, {j.n} jrnl runs"))
        else:
            rows.append(Row(group, f"wise search ({cls}: {word})", med_p90(wise), "not run",
                            note=jrnl, data={"wise": wise}))
    return rows


def _fail(stats: Stats, who: str) -> str:
    return f"{who}: {stats.failures} failed runs; first: {stats.error}" if stats.failures else ""


STEPS = (run,)
