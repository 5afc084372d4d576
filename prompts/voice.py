"""The companion's voice as checks on text: what it never says (shame, diagnosis, hype,
emojis the user did not use, Markdown or HTML, more than one question). The tests hold the
prompts and sample replies to it; evals can hold real replies to it."""

from __future__ import annotations

import re

_APOSTROPHE = "['’]"

CHECKS: dict[str, re.Pattern[str]] = {
    # Blame, guilt and orders about what was (not) done.
    "shame": re.compile(
        rf"\byou (?:didn{_APOSTROPHE}?t|did not|failed|fail|forgot|never|must|need to|"
        rf"have to|should(?:n{_APOSTROPHE}?t)?(?: have)?|could have)\b|"
        r"\b(?:lazy|laziness|failures?|excuses?|procrastinat\w*|disappoint\w*|wasted|"
        r"unproductive|behind schedule)\b", re.IGNORECASE),
    # Labels, diagnoses and clinical claims about the person.
    "diagnosis": re.compile(
        r"\b(?:(?i:adhd)|ADD|(?i:disorders?|diagnos\w*|symptoms?|executive dysfunction|"
        r"dopamine|neurodivergen\w*|neurotypical|medications?|therap(?:y|ist|eutic)|"
        r"your brain))\b"),
    # Cheerleading instead of noticing.
    "hype": re.compile(
        rf"!|\b(?:amazing|awesome|incredible|fantastic|superstar|rock ?star|crush(?:ed|ing)? "
        rf"it|killing it|you{_APOSTROPHE}?ve got this|so proud|proud of you|great job)\b",
        re.IGNORECASE),
    "emoji": re.compile("[\U0001f000-\U0001faff\u2600-\u26ff\ufe0f]"),
    "markdown": re.compile(r"\*\*|__|`|^[ \t]*(?:#{1,6}|[-*•>])[ \t]", re.MULTILINE),
    "html": re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?>"),
}


def voice_problems(text: str, *, user_text: str = "", kinds: set[str] | None = None
                   ) -> list[str]:
    """Where `text` leaves the companion's voice, as "kind: 'what'" lines (empty: none).

    Emojis are fine when the user's own text (`user_text`) has them. `kinds` limits the
    checks to some of CHECKS' keys plus "questions" (more than one question)."""
    wanted = set(CHECKS) | {"questions"} if kinds is None else kinds
    problems = []
    for kind, pattern in CHECKS.items():
        if kind not in wanted or (kind == "emoji" and pattern.search(user_text)):
            continue
        problems += [f"{kind}: {match.group().strip()!r}" for match in pattern.finditer(text)]
    if "questions" in wanted and text.count("?") + text.count("？") > 1:
        problems.append("questions: more than one question")
    return problems
