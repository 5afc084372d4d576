"""Deterministic journal text, and seeded journals for Wise, jrnl and taskwarrior, cached.

Text: a vocabulary of pseudo-words (plus the few dozen commonest English function words)
made from a fixed random seed, drawn with a Zipf-like distribution, 8-30 words per entry
in one to three sentences. Word frequencies therefore span five orders of magnitude, so a
search can be timed for rare, medium and common words alike. The same generator feeds all
three tools, so Wise and jrnl hold the very same text.

Wise's journal also has goals and tags: one entry in ten belongs to a goal (GOALS), about
one in six carries a tag or two (TAGS), so that search by tag and goal is timed too.

Caches live in bench-out/cache/, keyed by size (and, for Wise, by the schema revision and
this module's SEED_VERSION), so only the first run pays for seeding. A benchmark that
writes gets its own copy (`fresh_wise_home`), never the cached file.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks.harness import BIN, Workspace

SEED = 20261126
SEED_VERSION = 2  # bump when the generated content changes, to invalidate caches
VOCABULARY_SIZE = 4000
YEARS = 5

_FUNCTION_WORDS = (
    "the", "and", "to", "of", "a", "in", "that", "it", "with", "for", "on", "was", "is",
    "this", "but", "at", "my", "about", "so", "had", "not", "be", "from", "have", "then",
    "after", "before", "when", "more", "just", "today", "some", "still", "really", "again",
)
# Real words, so that they are never among the generated ones.
GOALS = (("family", "Family time"), ("health", "Health"), ("work", "Deep work"),
         ("home", "A calm home"), ("spanish", "Learn Spanish"))
TAGS = ("errands", "calm", "phone", "reading", "garden", "money", "friends", "music",
        "cooking", "sleep", "walks", "admin")
_ONSETS = (
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
    "z", "br", "ch", "cl", "dr", "fl", "gr", "pl", "sh", "st", "th", "tr",
)
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "ie", "oa", "ou"]
_CODAS = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "rk", "st", "ng", "sh"]


@dataclass(frozen=True)
class Entry:
    text: str
    created_at: datetime  # aware UTC


class TextGenerator:
    """Entries of realistic length and word statistics, identical for a given seed."""

    def __init__(self, seed: int = SEED, vocabulary_size: int = VOCABULARY_SIZE) -> None:
        self.rng = random.Random(seed)
        words = list(_FUNCTION_WORDS)
        seen = set(words)
        while len(words) < vocabulary_size:
            word = "".join(self.rng.choice(_ONSETS) + self.rng.choice(_VOWELS)
                           for _ in range(self.rng.choice((1, 2, 2, 3))))
            word += self.rng.choice(_CODAS)
            if len(word) >= 4 and word not in seen:
                seen.add(word)
                words.append(word)
        self.vocabulary = words
        # Zipf (s = 1): the k-th word is k times rarer than the first.
        self._cumulative = list(itertools.accumulate(1 / k for k in range(1, len(words) + 1)))

    def words(self, count: int) -> list[str]:
        total = self._cumulative[-1]
        return [self.vocabulary[bisect.bisect_left(self._cumulative, self.rng.random() * total)]
                for _ in range(count)]

    def sentence_text(self) -> str:
        words = self.words(self.rng.randint(8, 30))
        # One to three sentences: jrnl takes the first as the entry's title.
        cuts = sorted(self.rng.sample(range(3, len(words) - 2), self.rng.randint(0, 2)))
        parts, start = [], 0
        for cut in [*cuts, len(words)]:
            chunk = words[start:cut]
            if chunk:
                parts.append(" ".join([chunk[0].capitalize(), *chunk[1:]]) + ".")
            start = cut
        return " ".join(parts)

    def entries(self, count: int, end: datetime) -> list[Entry]:
        """`count` entries spread evenly (with jitter) over YEARS years ending at `end`."""
        span = timedelta(days=365 * YEARS).total_seconds()
        step = span / max(count, 1)
        start = end - timedelta(seconds=span)
        return [Entry(self.sentence_text(),
                      start + timedelta(seconds=i * step + self.rng.random() * step * 0.9))
                for i in range(count)]


def _document_frequencies(entries: list[Entry]) -> dict[str, int]:
    freq: dict[str, int] = {}
    for entry in entries:
        for word in set(entry.text.lower().replace(".", "").split()):
            freq[word] = freq.get(word, 0) + 1
    return freq


def pick_query_words(entries: list[Entry], per_class: int = 2) -> dict[str, list[str]]:
    """Words whose document frequency is nearest 0.01 %, 1 % and 20 % of the entries.

    Words that are a prefix of another vocabulary word are skipped: `wise search` matches
    each word as a prefix, and jrnl -contains as a substring, so such a word would count
    hits the frequency above does not.
    """
    freq = _document_frequencies(entries)
    words = sorted(freq)
    def is_prefix(word: str) -> bool:
        i = bisect.bisect_right(words, word)
        return i < len(words) and words[i].startswith(word)
    n = len(entries)
    # Substring matches (jrnl) would also be counted wrongly for words inside other words.
    joined = " ".join(words)
    candidates = [w for w in words if not is_prefix(w) and joined.count(w) == 1]
    result = {}
    for name, share in (("rare", 0.0001), ("medium", 0.01), ("common", 0.20)):
        target = max(share * n, 3)
        ranked = sorted(candidates, key=lambda w: abs(freq[w] - target))
        result[name] = ranked[:per_class]
        candidates = [w for w in candidates if w not in result[name]]
    return {name: [{"word": w, "entries": freq[w]} for w in ws] for name, ws in result.items()}


# ---------------------------------------------------------------------------- Wise


def cached_build(ws: Workspace, folder: Path, what: str,
                 build: Callable[[Path], dict]) -> tuple[Path, dict]:
    """`folder` from the cache, or built once by `build(building_folder) -> meta` into a
    side folder that takes the real name only when complete (an interrupted build never
    looks cached). Returns the folder and the metadata written beside it."""
    meta_file = folder / "meta.json"
    if meta_file.exists():
        return folder, json.loads(meta_file.read_text())
    ws.log(f"seeding {what} (cached for later runs) ...")
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    meta = build(building)
    shutil.rmtree(building / "backups", ignore_errors=True)  # pre-migration copies
    (building / "meta.json").write_text(json.dumps(meta, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    return folder, meta


def _wise_cache_dir(ws: Workspace, size: int) -> Path:
    from storage.schema_version import HEAD_REVISION

    return ws.cache / f"wise-{size}-{HEAD_REVISION}-s{SEED_VERSION}"


def wise_journal(ws: Workspace, size: int) -> tuple[Path, dict]:
    """The cached WISE_HOME folder holding `size` entries, and its metadata (query words)."""
    return cached_build(ws, _wise_cache_dir(ws, size), f"a Wise journal of {size:,} entries",
                        lambda building: _seed_wise(ws, building, size))


def _seed_wise(ws: Workspace, building: Path, size: int) -> dict:
    env = ws.env(WISE_HOME=str(building))
    # The real command creates the file and its schema through the migrations.
    subprocess.run([str(BIN / "wise"), "capture", "seed"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    entries = TextGenerator().entries(size, end=datetime.now(UTC).replace(microsecond=0))
    rng = random.Random(SEED + 1)
    rows, links = [], []
    for number, entry in enumerate(entries, start=1):
        stamp = entry.created_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        goal = rng.randrange(len(GOALS)) + 1 if rng.random() < 0.1 else None
        rows.append((uid, entry.text, goal, entry.text, stamp, stamp))
        if rng.random() < 0.15:
            links += [(number, tag + 1) for tag in rng.sample(range(len(TAGS)),
                                                              rng.choice((1, 1, 1, 2)))]
    conn = sqlite3.connect(building / "wise.db", isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM entries")  # the "seed" capture; the FTS trigger follows
        stamp = rows[0][4] if rows else "2020-01-01 00:00:00.000000"
        conn.executemany(
            "INSERT INTO goals (uid, slug, title, why, status, created_at, updated_at) "
            "VALUES (?, ?, ?, '', 'active', ?, ?)",
            [(f"goal-{slug}", slug, title, stamp, stamp) for slug, title in GOALS])
        conn.executemany("INSERT INTO tags (name) VALUES (?)", [(tag,) for tag in TAGS])
        conn.executemany(
            "INSERT INTO entries (id, uid, text, kind, goal_id, mood, energy, source, "
            "raw_text, created_at, updated_at) "
            "VALUES (?, ?, ?, 'note', ?, NULL, NULL, 'import', ?, ?, ?)",
            [(number, *row) for number, row in enumerate(rows, start=1)])
        conn.executemany("INSERT INTO entry_tags (entry_id, tag_id) VALUES (?, ?)", links)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    tagged = {tag: sum(1 for _entry, t in links if t == n + 1) for n, tag in enumerate(TAGS)}
    in_goal = {slug: sum(1 for row in rows if row[2] == n + 1)
               for n, (slug, _title) in enumerate(GOALS)}
    query_words = pick_query_words(entries)
    common = query_words["common"][0]["word"]
    tag_queries = [  # (what, query, entries it names)
        ("a tag as a word", TAGS[0], tagged[TAGS[0]]),
        ("a goal's title word", GOALS[0][1].split()[0].lower(), in_goal[GOALS[0][0]]),
        ("#tag alone", f"#{TAGS[1]}", tagged[TAGS[1]]),
        ("common word + #tag", f"{common} #{TAGS[2]}", tagged[TAGS[2]]),
    ]
    return {"entries": size, "seed": SEED, "seed_version": SEED_VERSION,
            "vocabulary": VOCABULARY_SIZE, "query_words": query_words,
            "tag_queries": [{"class": c, "query": q, "entries": n} for c, q, n in tag_queries]}


def copy_journal(source: Path | None, ws: Workspace, name: str) -> Path:
    """A fresh folder bench-out/run/NAME holding a copy of the cached journal in `source`
    (with its WAL files), or empty when `source` is None. Runs never touch the cache."""
    home = ws.run / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if source is not None:
        for suffix in ("", "-wal", "-shm"):
            if (source / f"wise.db{suffix}").exists():
                shutil.copy2(source / f"wise.db{suffix}", home / f"wise.db{suffix}")
    return home


def fresh_wise_home(ws: Workspace, size: int, name: str) -> Path:
    """A private WISE_HOME under bench-out/run/ holding a copy of the seeded journal
    (size 0: an empty folder; the first capture creates the journal)."""
    return copy_journal(wise_journal(ws, size)[0] if size else None, ws, name)


# ---------------------------------------------------------------------------- jrnl


def jrnl_journal_text(size: int) -> str:
    """jrnl's plain-text format, written directly: `[%Y-%m-%d %I:%M:%S %p] text` + blank."""
    entries = TextGenerator().entries(size, end=datetime.now(UTC).replace(microsecond=0))
    out = []
    for entry in entries:
        local = entry.created_at.astimezone()
        out.append(f"[{local:%Y-%m-%d %I:%M:%S %p}] {entry.text}\n\n")
    return "".join(out)


def jrnl_journal(ws: Workspace, size: int, target: Path) -> None:
    """Put a journal of `size` entries at `target` (a fresh copy of a cached file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not size:
        target.unlink(missing_ok=True)
        return
    cached = ws.cache / f"jrnl-{size}-s{SEED_VERSION}.txt"
    if not cached.exists():
        ws.log(f"writing a jrnl journal of {size:,} entries (cached for later runs) ...")
        partial = cached.with_name(cached.name + ".partial")
        partial.write_text(jrnl_journal_text(size), encoding="utf-8")
        os.replace(partial, cached)
    shutil.copyfile(cached, target)


def jrnl_export_json(ws: Workspace, size: int) -> Path:
    """A file as `jrnl --export json` writes it for a journal of `size` entries (the
    layout of jrnl's JSONExporter: json.dumps(…, indent=2), ASCII escapes, local times
    without a zone), cached. Made here rather than by jrnl, which needs minutes for 100k."""
    cached = ws.cache / f"jrnl-export-{size}-s{SEED_VERSION}.json"
    if not cached.exists():
        ws.log(f"writing a jrnl JSON export of {size:,} entries (cached for later runs) ...")
        rng = random.Random(SEED + 3)
        tags = ("@work", "@family", "#health", "@reading", "#walk")
        entries = []
        for entry in TextGenerator().entries(size, end=datetime.now(UTC).replace(microsecond=0)):
            local = entry.created_at.astimezone()
            title, _, body = entry.text.partition(". ")
            chosen = sorted(set(rng.sample(tags, rng.randint(0, 2))))
            entries.append({"title": title + ("." if body else ""), "body": body,
                            "date": f"{local:%Y-%m-%d}", "time": f"{local:%H:%M}",
                            "tags": chosen, "starred": rng.random() < 0.05})
        counts: dict[str, int] = {}
        for entry in entries:
            for tag in entry["tags"]:
                counts[tag] = counts.get(tag, 0) + 1
        partial = cached.with_name(cached.name + ".partial")
        partial.write_text(json.dumps({"tags": counts, "entries": entries}, indent=2),
                           encoding="utf-8")
        os.replace(partial, cached)
    return cached


# ---------------------------------------------------------------------------- taskwarrior


def task_import_json(size: int, pending_share: float = 0.2) -> list[dict]:
    """`size` tasks over YEARS years: a realistic mix, most of them long completed."""
    gen = TextGenerator()
    rng = random.Random(SEED + 2)
    end = datetime.now(UTC).replace(microsecond=0)
    tasks = []
    for entry in gen.entries(size, end=end):
        words = entry.text.split(". ")[0].rstrip(".")
        task = {"uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "description": words,
                "entry": f"{entry.created_at:%Y%m%dT%H%M%SZ}",
                "modified": f"{entry.created_at:%Y%m%dT%H%M%SZ}"}
        if rng.random() < pending_share:
            task["status"] = "pending"
        else:
            done = min(entry.created_at + timedelta(hours=rng.randint(1, 200)), end)
            task.update(status="completed", end=f"{done:%Y%m%dT%H%M%SZ}",
                        modified=f"{done:%Y%m%dT%H%M%SZ}")
        tasks.append(task)
    return tasks
