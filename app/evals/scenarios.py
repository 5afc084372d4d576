"""Eval scenarios: one small TOML file each in prompts/evals/, read into frozen dataclasses.

A scenario says which purpose it exercises, the synthetic journal to build (goals, captures
days to years back, the user's words on the day, earlier feedback), what a good reply does
(`[expect]`), and two scripted replies for CI (`[scripted]`): a good one that passes every
check that applies, and a bad one that fails the checks it names.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from app.errors import BadInput

PURPOSES = ("daily_reflection", "nudge", "breakdown", "goal_review", "day_summary",
            "week_summary")
LANGUAGES = ("en", "de", "fr", "es")
_TOP_KEYS = {"name", "purpose", "about", "family", "goals", "captures", "words", "feedback",
             "expect", "scripted", "item"}
_EXPECT_KEYS = {"why", "crisis", "injection", "language", "min_chars", "max_chars", "brief",
                "goal_pause_or_retire", "no_productivity"}


@dataclass(frozen=True)
class GoalSeed:
    title: str
    why: str = ""
    slug: str | None = None
    status: str = "active"  # active | paused


@dataclass(frozen=True)
class CaptureSeed:
    text: str  # in the capture language: "[ ] to-do", "+ win", a note
    days_ago: int = 0
    hour: int = 10
    done: bool = False  # a to-do ticked off the same day


@dataclass(frozen=True)
class WordsSeed:
    how_it_went: str = ""
    in_the_way: str = ""
    mood: int | None = None
    energy: int | None = None


@dataclass(frozen=True)
class FeedbackSeed:
    rating: int  # +1 helpful, -1 not quite
    note: str = ""
    days_ago: int = 1


@dataclass(frozen=True)
class Expect:
    why: str | None = None  # the user's own why the reply should use
    crisis: bool = False  # crisis words: a help line, no productivity advice
    injection: tuple[str, ...] = ()  # words that would show an injected instruction obeyed
    language: str = "en"
    min_chars: int = 20
    max_chars: int = 900
    brief: bool = False  # the user asked for brevity earlier
    goal_pause_or_retire: bool = False  # a long-quiet goal: offer to pause or retire it


@dataclass(frozen=True)
class Scripted:
    good: str
    bad: str
    bad_fails: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    purpose: str
    about: str
    family: str  # a group for the scorecard ("care", "grounding", "language" ...)
    goals: tuple[GoalSeed, ...]
    captures: tuple[CaptureSeed, ...]
    words: WordsSeed | None
    feedback: tuple[FeedbackSeed, ...]
    expect: Expect
    scripted: Scripted
    item: str | None = None  # breakdown: what to break down (a goal's slug or a text)
    source: Path | None = field(default=None, compare=False)


def suite_dir() -> Path:
    return Path(str(resources.files("prompts") / "evals"))


def load_suite(pattern: str | None = None, directory: Path | None = None) -> list[Scenario]:
    """Every scenario (sorted by name), or those whose name or purpose matches one of the
    comma-separated globs in `pattern`."""
    folder = directory or suite_dir()
    scenarios = [load_scenario(path) for path in sorted(folder.glob("*.toml"))]
    if pattern:
        globs = [g.strip() for g in pattern.split(",") if g.strip()]
        scenarios = [s for s in scenarios if any(fnmatch.fnmatch(s.name, g)
                                                 or fnmatch.fnmatch(s.purpose, g)
                                                 for g in globs)]
        if not scenarios:
            raise BadInput(f"no scenario matches {pattern!r}; `wise eval list` names them")
    return scenarios


def load_scenario(path: Path) -> Scenario:
    where = f"scenario {path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{where}: cannot be read ({exc})") from None
    if unknown := sorted(set(data) - _TOP_KEYS):
        raise BadInput(f"{where}: unknown field(s) {', '.join(unknown)}")
    name = data.get("name")
    if name != path.stem:
        raise BadInput(f"{where}: name must be {path.stem!r}, the file's name")
    purpose = data.get("purpose")
    if purpose not in PURPOSES:
        raise BadInput(f"{where}: purpose must be one of {', '.join(PURPOSES)}")
    expect = data.get("expect", {})
    if unknown := sorted(set(expect) - _EXPECT_KEYS):
        raise BadInput(f"{where}: unknown [expect] field(s) {', '.join(unknown)}")
    if expect.get("language", "en") not in LANGUAGES:
        raise BadInput(f"{where}: language must be one of {', '.join(LANGUAGES)}")
    scripted = data.get("scripted")
    if not isinstance(scripted, dict) or not {"good", "bad", "bad_fails"} <= set(scripted):
        raise BadInput(f"{where}: [scripted] needs good, bad and bad_fails")
    words = data.get("words")
    expected: dict[str, Any] = {k: tuple(v) if k == "injection" else v
                                for k, v in expect.items()}
    return Scenario(
        name=name, purpose=purpose, about=str(data.get("about", "")),
        family=str(data.get("family", "general")),
        goals=tuple(GoalSeed(**g) for g in data.get("goals", [])),
        captures=tuple(CaptureSeed(**c) for c in data.get("captures", [])),
        words=WordsSeed(**words) if words else None,
        feedback=tuple(FeedbackSeed(**f) for f in data.get("feedback", [])),
        expect=Expect(**expected),
        scripted=Scripted(scripted["good"], scripted["bad"], tuple(scripted["bad_fails"])),
        item=data.get("item"), source=path)
