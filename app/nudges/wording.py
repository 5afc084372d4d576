"""The words of a nudge: one short line that names the step, the user's own why when
there is one, and a first move small enough to start in two minutes. Never guilt ("you
still haven't"), never urgency theatre ("NOW!", "last chance"), nothing about how long it
has waited.

`plain_nudge` needs no model: varied templates per style. `model_nudge` asks the model
through the nudge prompt and falls back to the plain words on any model error, a reply
that does not parse, or one that breaks these rules.
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import TYPE_CHECKING

from app.nudges.learner import STYLE_WORDS

if TYPE_CHECKING:
    from app.nudges.policy import Candidate

MAX_CHARS = 200  # a notification line; the prompt's schema says the same
TITLE_MAX = 90
WHY_MAX = 70

# Never in a nudge: guilt, shame, urgency theatre (regular expressions, any case).
BANNED = (
    r"still haven'?t", r"haven'?t (?:yet|even)", r"\byou still\b", r"\byet again\b",
    r"\boverdue\b", r"\btoo late\b", r"\bbehind\b", r"\byou should\b", r"\byou must\b",
    r"\byou need to\b", r"\bdon'?t forget\b", r"\bforg[oe]t\b", r"\bfail", r"\bnow!",
    r"\bright now\b", r"\blast chance\b", r"\bhurry\b", r"\burgent", r"\basap\b",
    r"\bimmediately\b", r"\bdeadline\b", r"!!", r"\blazy\b", r"procrastinat",
    r"\bfinally\b", r"\bno excuses?\b", r"\bbefore it'?s too\b", r"\bwaiting for days\b",
)
_BANNED_RE = re.compile("|".join(BANNED), re.IGNORECASE)

# A first physical move, guessed from the step's first word (two minutes or less).
_STARTERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("call", "phone", "ring", "text", "message"),
     ("pick up your phone and find the number", "open the contact")),
    (("email", "mail", "reply", "write", "answer", "draft", "send"),
     ("open a blank draft and write the first line", "type just the greeting")),
    (("read", "review", "study", "learn"),
     ("open it at the first page", "read the first paragraph")),
    (("clean", "tidy", "wash", "sort", "declutter", "vacuum"),
     ("set a two-minute timer and clear one small spot", "pick up three things")),
    (("buy", "order", "shop", "get"),
     ("add it to your shopping list", "open the shop's page")),
    (("book", "schedule", "plan", "arrange", "register", "sign"),
     ("open your calendar", "open the booking page")),
    (("pay", "file", "fill", "submit", "renew", "tax", "invoice"),
     ("open the form or the bill", "find the first document you need")),
    (("run", "walk", "exercise", "stretch", "gym", "yoga", "swim"),
     ("put your shoes on", "stand up and stretch for a minute")),
    (("fix", "repair", "install", "set", "update", "check"),
     ("get out the one thing you need for it", "look at it for two minutes")),
)
_GENERIC_STARTERS = (
    "do only the very first move",
    "give it two minutes and stop there if you like",
    "open whatever you need for it",
    "set a two-minute timer and begin",
)


def starter_step(title: str, rng: random.Random | None = None) -> str:
    """A first move of two minutes or less for the step, guessed from its first word."""
    rng = rng or random.Random()
    first = re.sub(r"[^a-z]", "", (title.split() or [""])[0].lower())
    for verbs, starters in _STARTERS:
        if first in verbs or any(first.startswith(v) for v in verbs if len(v) > 3):
            return rng.choice(starters)
    return rng.choice(_GENERIC_STARTERS)


def _clip(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters, cut at a word where possible."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def _why(candidate: Candidate) -> str | None:
    why = _clip((candidate.goal_why or "").strip().strip("\"“”").rstrip("."), WHY_MAX)
    return why or None


# {step} the step's title, {why} the user's why (quoted: their own words), {goal} the goal,
# {start} the first move. Titles are imperative phrases ("call mum about the trip").
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "plain": (
        "Next small step: {step}. To begin, {start}.",
        "Ready when you are: {step}. A way in: {start}.",
        "A small step, if you like: {step}. You could {start}.",
        "One step for {goal}: {step}. Start small: {start}.",
    ),
    "why_first": (
        "For {goal}, because “{why}”: {step}. To begin, {start}.",
        "“{why}”. One step toward it: {step}. Just {start}.",
        "You wrote: “{why}”. A small step: {step}. A first move: {start}.",
    ),
    "tiny_step": (
        "Two minutes for “{step}”? Just {start}, then see how it feels.",
        "A tiny start on “{step}”: {start}. That alone counts.",
        "Only the first move of “{step}”: {start}. Nothing more is needed.",
    ),
    "question": (
        "Could “{step}” get two minutes? Maybe {start}.",
        "What would a first move on “{step}” be? Perhaps {start}.",
        "Is this a good moment for “{step}”? You could {start}.",
    ),
}


def plain_nudge(candidate: Candidate, style: str = "plain",
                rng: random.Random | None = None) -> str:
    """A nudge without a model: a template of `style` (an unknown style reads as plain),
    naming the step, the user's why when there is one and room, and a first move."""
    rng = rng or random.Random()
    why = _why(candidate)
    goal = _clip(candidate.goal_title or "", 40) or None
    pool = [t for t in _TEMPLATES.get(style, _TEMPLATES["plain"])
            if (why or "{why}" not in t) and (goal or "{goal}" not in t)]
    if not pool:  # why_first without a why: plain words, still naming the step
        pool = [t for t in _TEMPLATES["plain"] if goal or "{goal}" not in t]
    template = rng.choice(pool)
    start = starter_step(candidate.title, rng)
    for room in range(TITLE_MAX, 19, -10):
        step = _clip(candidate.title, room).rstrip(".")
        text = template.format(step=step, why=why or "", goal=goal or "", start=start)
        text = (text[0].upper() + text[1:]).replace("….", "…")
        if why and "{why}" not in template:
            with_why = f"{text} (Because “{why}”.)"
            if len(with_why) <= MAX_CHARS:
                return with_why
        if len(text) <= MAX_CHARS:
            return text
    return _clip(text, MAX_CHARS)


def problems(text: str, *, own_words: tuple[str | None, ...] = ()) -> list[str]:
    """What is wrong with a nudge's words (empty: fine): too long, guilt or urgency.
    `own_words` (the step's title, the why) are the user's and are not held against it."""
    found = []
    if not text.strip():
        found.append("empty")
    if len(text) > MAX_CHARS:
        found.append(f"longer than {MAX_CHARS} characters")
    checked = text
    for words in own_words:
        if words and words.strip():
            checked = re.sub(re.escape(words.strip()), " ", checked, flags=re.IGNORECASE)
    match = _BANNED_RE.search(checked)
    if match:
        found.append(f"uses {match.group(0)!r}")
    return found


def journal_for_prompt(candidate: Candidate, style: str, learned: str | None = None) -> str:
    """The nudge prompt's `journal` data: the step, its goal and why, the style to try."""
    lines = [f"Step: {candidate.title}"]
    if candidate.uid:
        lines.append(f"Step uid: {candidate.uid}")
    if candidate.estimate_minutes:
        lines.append(f"Estimated: about {candidate.estimate_minutes} minutes")
    if candidate.goal_title:
        lines.append(f"Goal: {candidate.goal_title}")
    if candidate.goal_why:
        lines.append(f"Why it matters to them: {candidate.goal_why}")
    lines.append(f"Kind of nudge to try this time: {STYLE_WORDS.get(style, 'plain reminders')}")
    if learned:
        lines.append(f"What helped before: {learned}")
    return "\n".join(lines)


def model_nudge(gateway, candidate: Candidate, style: str, now: datetime, *,
                rng: random.Random | None = None, learned: str | None = None) -> str:
    """The nudge in the model's words (the nudge prompt), or the plain words on any
    ModelError, unparsable reply, or a reply that breaks the rules above."""
    return word_nudge(gateway, candidate, style, now, rng=rng, learned=learned)[0]


def word_nudge(gateway, candidate: Candidate, style: str, now: datetime, *,
               rng: random.Random | None = None,
               learned: str | None = None) -> tuple[str, str]:
    """(text, source): source "model" when the model's words were used, else "plain"."""
    from app.llm.types import ModelError

    if gateway is None:
        return plain_nudge(candidate, style, rng), "plain"
    try:
        text = _ask_model(gateway, candidate, style, now, learned)
    except ModelError:
        text = None
    if text is None or problems(text, own_words=(candidate.title, candidate.goal_why,
                                                 candidate.goal_title)):
        return plain_nudge(candidate, style, rng), "plain"
    return text, "model"


NUDGE_TOKENS, SMALL_NUDGE_TOKENS = 120, 90  # one short line and a why, in JSON


def nudge_call(gateway, candidate: Candidate, style: str, now: datetime,
               learned: str | None):
    """The nudge request (full and compact), fitted to the model."""
    from app.structured_call import build_call

    journal = journal_for_prompt(candidate, style, learned)
    moment = f"{now:%A} {now.day} {now:%B}, {now:%H:%M}"
    return build_call(gateway.context, gateway, "nudge",
                      fill=lambda budget: {"now": moment,
                                           "journal": "" if budget is None else journal},
                      max_tokens=NUDGE_TOKENS, small_max_tokens=SMALL_NUDGE_TOKENS,
                      max_chars=MAX_CHARS * 2)


def _ask_model(gateway, candidate: Candidate, style: str, now: datetime,
               learned: str | None) -> str | None:
    from app.structured_call import RefusedReply, ask
    from prompts.loader import load_prompt
    from prompts.schemas import NudgeText
    from prompts.structured import reply_model

    call = nudge_call(gateway, candidate, style, now, learned)
    try:
        parsed, _ = ask(gateway, call, reply_model(load_prompt("nudge"), NudgeText),
                        check=lambda reply: nudge_problem(reply, candidate))
    except RefusedReply:
        return None
    text = " ".join(parsed.text.split())
    why = " ".join((parsed.why or "").split()).rstrip(".")
    if why and why.lower() not in text.lower() and len(text) + len(why) + 3 <= MAX_CHARS:
        text = f"{text} ({why})"  # the user's why, when the line itself did not name it
    return text


_SMALL_WORDS = frozenset(["the", "and", "for", "with", "about", "from", "into", "your",
                          "you", "its", "this", "that", "then", "just", "one"])


def _content_words(text: str) -> set[str]:
    """The words that say what a line is about ("mum's" counts as "mum")."""
    from app.llm import gate

    return {re.sub(r"['’]s$", "", w) for w in gate.words(text)
            if len(w) >= 3 and w not in _SMALL_WORDS}


def nudge_problem(parsed, candidate: Candidate):
    """A nudge's must-haves: about this step (its uid, and some of its words), and none
    of the guilt or urgency words."""
    from app.llm import gate

    if parsed.action_uid and candidate.uid and parsed.action_uid != candidate.uid:
        return gate.refuse("missing", "it is about another step")
    step_words = _content_words(candidate.title)
    if step_words and not step_words & _content_words(parsed.text):
        return gate.refuse("missing", "it does not name the step")
    found = problems(" ".join(parsed.text.split()),
                     own_words=(candidate.title, candidate.goal_why, candidate.goal_title))
    if found:
        return gate.refuse("unkind", "; ".join(found))
    return gate.OK
