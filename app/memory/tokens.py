"""A token count estimate that needs no tokenizer (tiktoken is heavy for the app process).

The heuristic follows how byte-pair tokenizers (OpenAI's cl100k/o200k, Anthropic's,
DeepSeek's, Llama 3's) cut text, and errs on the high side:

- an ASCII letter costs 0.4 token, a capital 0.6 (a 5-letter word counts as 2): common
  English words are one token each, but names, typos and made-up words split into
  pieces of 2-3 letters, and SHOUTED or CamelCase words into smaller ones still, and the
  estimate must hold for those too;
- a run of digits costs one token per 3 digits (tokenizers group at most 3 digits);
- every other ASCII symbol (punctuation, "#", ":") costs one token;
- a space costs nothing before a letter (tokenizers glue it to the word) and one token
  elsewhere; a line break costs one token (the per-line overhead);
- any other character costs one token per 2 UTF-8 bytes (accented letters 1, CJK 1.5,
  emoji 2).

The sum is rounded up once. Measured against cl100k, o200k, Anthropic's and DeepSeek's
tokenizers, the estimate is 1.0-1.2x the largest real count for made-up words, names,
dates, URLs, emoji, CJK, Cyrillic, capitals and accented text, and 1.3-1.7x for plain
English prose (tests/unit/app/test_memory_context.py checks it against tiktoken). So a
budget given in estimated tokens is an upper bound on what a model is sent. The known
exception: deliberately unpronounceable made-up words ("Brealoush plieshta vaistemb")
can run up to ~10% over the estimate.

The estimate is sub-additive over lines: estimate(a + "\\n" + b) <= estimate(a) +
estimate(b) + 1, which lets the context builder add up line costs and stay under budget.
"""

from __future__ import annotations

import json
import re

_LETTER = re.compile(r"[A-Za-z]")
_CAPITAL = re.compile(r"[A-Z]")
_DIGIT_RUN = re.compile(r"[0-9]+")
_DIGIT = re.compile(r"[0-9]")
_SPACE_BEFORE_LETTER = re.compile(r" (?=[A-Za-z])")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def estimate_tokens(text: str) -> int:
    """A conservative estimate of the tokens `text` costs a model (see the module doc)."""
    if not text:
        return 0
    letters = len(_LETTER.findall(text))
    digit_runs = _DIGIT_RUN.findall(text)
    digits = sum(len(run) for run in digit_runs)
    digit_tokens = sum((len(run) + 2) // 3 for run in digit_runs)
    spaces = text.count(" ")
    glued_spaces = len(_SPACE_BEFORE_LETTER.findall(text))
    if text.isascii():
        non_ascii_chars = non_ascii_bytes = 0
    else:
        non_ascii_chars = len(_NON_ASCII.findall(text))
        non_ascii_bytes = len(text.encode("utf-8")) - (len(text) - non_ascii_chars)
    # Everything ASCII that is not a letter, a digit or a space: symbols and line breaks.
    symbols = len(text) - non_ascii_chars - letters - digits - spaces
    # In tenths of a token, so that the sum is exact; rounded up once.
    capitals = len(_CAPITAL.findall(text))
    tenths = (4 * letters + 2 * capitals + 10 * (digit_tokens + symbols + spaces - glued_spaces)
              + 5 * non_ascii_bytes)
    return -(-tenths // 10)


def estimate_message_tokens(messages: list[dict]) -> int:
    """What a list of chat messages costs: each one's text by estimate_tokens plus its
    framing (role and separators, 4 tokens) and 3 for the reply's start. The one estimate
    of a call's input: the dry-run preview, the budget check, the prompt's room for the
    journal and the worker's count when the provider reports none all use it."""
    total = 0
    for message in messages:
        content = message.get("content", "")
        if not isinstance(content, str):
            content = json.dumps(content, ensure_ascii=False)
        total += estimate_tokens(content) + 4
    return total + 3


def truncate_to_tokens(text: str, max_tokens: int, *, ellipsis: str = "…") -> str:
    """`text` cut at a word boundary (with `ellipsis`) so that it costs <= max_tokens;
    "" when not even the ellipsis fits."""
    if estimate_tokens(text) <= max_tokens:
        return text
    if estimate_tokens(ellipsis) > max_tokens:
        return ""
    # Binary search the longest prefix that fits, then back off to a word boundary.
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if estimate_tokens(text[:mid].rstrip() + ellipsis) <= max_tokens:
            low = mid
        else:
            high = mid - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > len(cut) // 2:  # prefer a whole word, unless that loses too much
        cut = cut[:space]
    # The estimate is not strictly monotonic in the prefix (a glued space), so check.
    while cut and estimate_tokens(cut.rstrip() + ellipsis) > max_tokens:
        cut = cut[:-1]
    return cut.rstrip() + ellipsis
