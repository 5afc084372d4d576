"""The user's own words on a day (how it went, what got in the way, mood and energy) as the
reflection's model reads them: one wording for the reflection window, `wise reflect` and
its `--dry-run`, so the preview and the request cannot drift apart. Standard library only:
the tray imports it."""

from __future__ import annotations

MOOD_WORDS = ("very low", "low", "okay", "good", "great")
ENERGY_WORDS = ("empty", "low", "some", "good", "full")
# Of each field; `wise reflect --words` takes 10,000 characters in all, the prompt ~3,000
# tokens. Long words keep their beginning and their end (both say the most); everything is
# still saved in full.
MODEL_SHARE_CHARS = 4000
HEAD_CHARS, TAIL_CHARS = 3000, 900


def words_for_model(how_it_went: str, in_the_way: str, mood: int | None,
                    energy: int | None) -> str:
    """'How the day went: …\\nWhat got in the way: …\\nMy mood was 3 of 5 (okay).' ('' when
    nothing was written or chosen)."""
    parts = []
    if how_it_went.strip():
        parts.append(f"How the day went: {_shortened(how_it_went)}")
    if in_the_way.strip():
        parts.append(f"What got in the way: {_shortened(in_the_way)}")
    scale = []
    if mood:
        scale.append(f"my mood was {mood} of 5 ({MOOD_WORDS[mood - 1]})")
    if energy:
        scale.append(f"my energy was {energy} of 5 ({ENERGY_WORDS[energy - 1]})")
    if scale:
        parts.append(" and ".join(scale).capitalize() + ".")
    return "\n".join(parts)


def _shortened(text: str) -> str:
    text = text.strip()
    if len(text) <= MODEL_SHARE_CHARS:
        return text
    return f"{text[:HEAD_CHARS].rstrip()} […] {text[-TAIL_CHARS:].lstrip()}"
