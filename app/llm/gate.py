"""The quality gate: decides whether a model's reply may be shown as the companion's words.

Small local models echo the prompt, copy the prompt's examples, repeat a line forever,
refuse, answer in another language or stop mid-sentence (all seen with a real 270M
model). Each of those is a named rule here; `judge` returns the first rule a reply breaks,
or an "ok" verdict. The caller then retries once with a simpler prompt, or falls back to
the plain, data-based words with one honest line (`Verdict.words`).

Pure functions on text: no model, no I/O, cheap enough to run on every reply.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from prompts.loader import FENCE_CLOSE, FENCE_OPEN

# Each refusal reason, and the words the user reads after "the model's reply ...".
RULES: dict[str, str] = {
    "empty": "was empty",
    "echo": "repeated the instructions back instead of answering",
    "copied_example": "copied the prompt's example instead of writing its own",
    "repetition": "kept repeating itself",
    "refusal": "declined to answer",
    "cut_off": "stopped in the middle",
    "too_long": "ran far too long",
    "other_language": "was in another language than your journal",
    "shape": "was not in the shape Wise asked for",
    "missing": "left out what it was asked for",
    "unkind": "used words of guilt or urgency that Wise never uses",
}

# Text that only appears in a reply that copied the prompt's scaffolding.
_MARKERS = (FENCE_OPEN, FENCE_CLOSE, "journal-data>", "How to answer", "Reply with only a JSON",
            '"$defs"', '"properties":', '"additionalProperties"', "You are Wise",
            "Their journal is data", "<start_of_turn>", "<end_of_turn>", "<|im_start|>",
            "[INST]")
_PLACEHOLDERS = {"", "...", "…", "string", "text", "null", "none", "n/a", "tbd", "todo",
                 "lorem ipsum", "example", "your text here", "step", "next step"}
_REFUSALS = re.compile(
    r"\b(?:as an ai\b|as a language model|i(?:'m| am) (?:an ai|not able|unable)|"
    r"i can(?:'|no)t (?:help|assist|do that|provide|comply)|i cannot (?:help|assist|do that|"
    r"provide|comply)|i(?:'m| am) sorry,? but i|i won'?t be able)", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

ECHO_RUN_WORDS = 10  # this many words in a row, copied from the instructions, is an echo
ECHO_SHARE = 0.35  # or this share of the reply's 5-word runs found in the instructions
DATA_SHARE = 0.6  # or this share found in the journal data (a long reply only)
DATA_MIN_WORDS = 40
EXAMPLE_SHARE = 0.6  # a field whose 4-word runs mostly come from an example is a copy
REPEAT_NGRAM = 4
REPEAT_LIMIT = 4  # the same 4 words this many times is a loop
REPEAT_LINES = 3  # the same line (of 3+ words) this many times
LANGUAGE_MIN_WORDS = 8


@dataclass(frozen=True)
class Verdict:
    rule: str | None = None  # None: the reply may be shown
    detail: str = ""  # for logs and `wise llm refused`, never shown as the companion's words

    @property
    def ok(self) -> bool:
        return self.rule is None

    @property
    def words(self) -> str:
        """"the model's reply <words>", for the one honest line the user reads."""
        return RULES.get(self.rule or "", "was not usable")

    def __str__(self) -> str:
        if self.ok:
            return "ok"
        return f"{self.rule}: {self.detail}" if self.detail else str(self.rule)


OK = Verdict()


def refuse(rule: str, detail: str = "") -> Verdict:
    assert rule in RULES, rule
    return Verdict(rule, detail)


# -- splitting the prompt -------------------------------------------------------------------


def instructions_and_data(messages: Sequence[dict]) -> tuple[str, str]:
    """(the prompt's own words, the journal text fenced inside it)."""
    own: list[str] = []
    data: list[str] = []
    for message in messages:
        if message.get("role") == "assistant":
            continue
        content = str(message.get("content") or "")
        pieces = re.split(f"({re.escape(FENCE_OPEN)}|{re.escape(FENCE_CLOSE)})", content)
        inside = False
        for piece in pieces:
            if piece == FENCE_OPEN:
                inside = True
            elif piece == FENCE_CLOSE:
                inside = False
            else:
                (data if inside else own).append(piece)
    return "\n".join(own), "\n".join(data)


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


def _longest_shared_run(reply: Sequence[str], source: Sequence[str], at_least: int) -> int:
    """The longest run of words the reply shares with `source` (0 if under `at_least`)."""
    if len(reply) < at_least or len(source) < at_least:
        return 0
    seeds = set(_ngrams(source, at_least))
    source_text = " " + " ".join(source) + " "
    best = 0
    i = 0
    while i <= len(reply) - at_least:
        if tuple(reply[i:i + at_least]) in seeds:
            end = i + at_least
            while end < len(reply) and f" {' '.join(reply[i:end + 1])} " in source_text:
                end += 1
            best = max(best, end - i)
            i = end
        else:
            i += 1
    return best


def _share_in(reply: Sequence[str], source: Sequence[str], n: int) -> float:
    grams = _ngrams(reply, n)
    if not grams:
        return 0.0
    known = set(_ngrams(source, n))
    return sum(g in known for g in grams) / len(grams)


# -- the rules ------------------------------------------------------------------------------


def check_echo(text: str, messages: Sequence[dict]) -> Verdict:
    for marker in _MARKERS:
        if marker.casefold() in text.casefold():
            return refuse("echo", f"contains the prompt's {marker!r}")
    own, data = instructions_and_data(messages)
    reply, own_words = words(text), words(own)
    run = _longest_shared_run(reply, own_words, ECHO_RUN_WORDS)
    if run:
        return refuse("echo", f"{run} words in a row copied from the instructions")
    if len(reply) >= 10 and _share_in(reply, own_words, 5) >= ECHO_SHARE:
        return refuse("echo", "most of it is the instructions' wording")
    if len(reply) >= DATA_MIN_WORDS and _share_in(reply, words(data), 8) >= DATA_SHARE:
        return refuse("echo", "most of it is the journal text copied back")
    return OK


def check_examples(values: Iterable[str], examples: Iterable[str]) -> Verdict:
    """A field that is a placeholder, or copies one of the prompt's examples."""
    example_words = [words(e) for e in examples if e and e.strip()]
    for value in values:
        folded = " ".join(words(value))
        if folded in _PLACEHOLDERS and (folded or re.fullmatch(r"[\s.…<>\[\]_-]+",
                                                                value or "")):
            return refuse("copied_example", f"a placeholder: {value[:40]!r}")
        if not folded:
            return refuse("missing", f"a field with no words: {value[:40]!r}")
        value_words = words(value)
        for example in example_words:
            if value_words == example:
                return refuse("copied_example", f"the example {' '.join(example)[:60]!r}")
            if (len(value_words) >= 4 and len(example) >= 4
                    and _share_in(value_words, example, 4) >= EXAMPLE_SHARE):
                return refuse("copied_example", f"mostly the example {' '.join(example)[:60]!r}")
    return OK


def check_repetition(text: str) -> Verdict:
    tokens = words(text)
    counts = Counter(_ngrams(tokens, REPEAT_NGRAM))
    if counts:
        gram, times = counts.most_common(1)[0]
        if times >= REPEAT_LIMIT:
            return refuse("repetition", f"{' '.join(gram)!r} {times} times")
    lines = Counter(" ".join(words(line)) for line in text.splitlines()
                    if len(words(line)) >= 3)
    if lines:
        line, times = lines.most_common(1)[0]
        if times >= REPEAT_LINES:
            return refuse("repetition", f"the line {line[:40]!r} {times} times")
    if len(tokens) >= 40 and len(set(tokens)) / len(tokens) < 0.3:
        return refuse("repetition", "very few different words")
    return OK


def check_fields_differ(values: Sequence[str]) -> Verdict:
    """Two fields with the same words: a model filling every slot with one sentence."""
    seen: set[str] = set()
    for value in values:
        key = " ".join(words(value))
        if len(key.split()) >= 3 and key in seen:
            return refuse("repetition", f"the same words in two places: {key[:40]!r}")
        seen.add(key)
    return OK


def check_refusal(text: str) -> Verdict:
    match = _REFUSALS.search(text)
    return refuse("refusal", f"says {match.group(0)!r}") if match else OK


def check_length(text: str, *, max_chars: int | None, finish: str | None) -> Verdict:
    if not text.strip():
        return refuse("empty")
    if finish in ("length", "capped"):
        return refuse("cut_off", f"the reply ended at the token limit ({finish})")
    if max_chars is not None and len(text) > max_chars:
        return refuse("too_long", f"{len(text)} characters (at most {max_chars})")
    return OK


# -- language -------------------------------------------------------------------------------

def _common(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A few hundred of the commonest words would be better; these few tell the languages
# Wise's users write in apart well enough to catch a reply in the wrong one.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _common("the and you to of a in it is that for with was on this your my i be "
                    "have are as at what one can so but not about do just"),
    "de": _common("der die das und ich du nicht ist ein eine zu mit auf für es sie wir "
                    "den dem sich auch war heute noch mein dein"),
    "fr": _common("le la les et je tu vous nous est un une de des du pour pas que qui "
                    "dans avec sur ce cette mon ton aujourd"),
    "es": _common("el la los las y yo tú que de del en un una es por para con no lo "
                    "mi su hoy muy pero como"),
    "it": _common("il lo la gli le e io tu che di del in un una è per con non mi oggi "
                    "sono ho hai anche ma"),
    "nl": _common("de het een en ik jij je niet is van op te met voor dat die maar "
                    "vandaag mijn ook nog"),
    "pt": _common("o a os as e eu você que de do da em um uma é para com não hoje meu "
                    "mas também"),
    "id": _common("yang dan di ke dari ini itu untuk dengan tidak saya kamu akan ada "
                    "mendatang juga adalah"),
}


def guess_language(text: str) -> tuple[str | None, int]:
    """(the language whose common words the text uses most, how many it used)."""
    tokens = words(text)
    if not tokens:
        return None, 0
    scores = {lang: sum(t in stop for t in tokens) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] == 0 or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None, 0
    return best, ranked[0]


def _script(text: str) -> str | None:
    """"latin", "other" or None (too few letters to say)."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 20:
        return None
    latin = sum(c.isascii() or "\u00c0" <= c <= "\u024f" for c in letters)
    return "latin" if latin / len(letters) >= 0.7 else "other"


def check_language(text: str, journal_text: str) -> Verdict:
    """A reply in another language (or script) than the journal it answers."""
    if len(words(journal_text)) < LANGUAGE_MIN_WORDS or len(words(text)) < LANGUAGE_MIN_WORDS:
        return OK
    theirs, mine = _script(journal_text), _script(text)
    if theirs and mine and theirs != mine:
        return refuse("other_language", "another script than the journal")
    reply_lang, reply_hits = guess_language(text)
    if reply_lang is None or reply_hits < 3:
        return OK
    # The journal as gathered holds the app's own (English) labels around the person's
    # words, so its "main" language says little: refuse only a language the journal
    # does not use at all.
    used = sum(t in _STOPWORDS[reply_lang] for t in words(journal_text))
    if used < 2:
        journal_lang, _ = guess_language(journal_text)
        return refuse("other_language", f"{reply_lang} for a journal in "
                                        f"{journal_lang or 'another language'}")
    return OK


# -- all together ---------------------------------------------------------------------------


def judge_text(text: str, messages: Sequence[dict], *, finish: str | None = None,
               max_chars: int | None = None) -> Verdict:
    """The rules that need no parsing: run on every reply as it arrived."""
    for verdict in (check_length(text, max_chars=max_chars, finish=finish),
                    check_echo(text, messages), check_refusal(text),
                    check_repetition(text)):
        if not verdict.ok:
            return verdict
    return OK


def judge_values(values: Sequence[str], messages: Sequence[dict], *,
                 examples: Iterable[str] = ()) -> Verdict:
    """The rules for the words a structured reply holds (each field's text)."""
    joined = "\n".join(values)
    _, data = instructions_and_data(messages)
    for verdict in (check_examples(values, examples), check_echo(joined, messages),
                    check_refusal(joined), check_repetition(joined),
                    check_fields_differ(values), check_language(joined, data)):
        if not verdict.ok:
            return verdict
    return OK
