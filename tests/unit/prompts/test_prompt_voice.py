"""The voice checks themselves: they catch what the companion never says, and pass what
it does say."""

from __future__ import annotations

import pytest

from prompts.voice import CHECKS, voice_problems

KIND_REPLY = ("You went for a walk and wrote the call to your mum down. It seems the walk "
              "gave you some room on a tired day. What made it easy to start?\n\n"
              "Next step (about 2 minutes): put her number by the kettle.")


def test_a_kind_reply_passes() -> None:
    assert voice_problems(KIND_REPLY) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("You didn't call your mum.", "shame"),
    ("You didn’t finish it.", "shame"),
    ("You failed to start.", "shame"),
    ("You should have started earlier.", "shame"),
    ("You need to focus.", "shame"),
    ("That sounds a bit lazy.", "shame"),
    ("Stop procrastinating.", "shame"),
    ("That is classic ADHD.", "diagnosis"),
    ("Your adhd makes this hard.", "diagnosis"),
    ("It might be executive dysfunction.", "diagnosis"),
    ("A therapist could help with your symptoms.", "diagnosis"),
    ("Amazing work", "hype"),
    ("You crushed it", "hype"),
    ("Well, that's it!", "hype"),
    ("Nice walk \U0001f389", "emoji"),
    ("**Great** day", "markdown"),
    ("- walk\n- call", "markdown"),
    ("## Today", "markdown"),
    ("Use `rm`", "markdown"),
    ("<b>walked</b>", "html"),
    ("What helped? What got in the way?", "questions"),
])
def test_problems_are_caught(text: str, kind: str) -> None:
    problems = voice_problems(text)
    assert any(p.startswith(f"{kind}:") for p in problems), problems


def test_emojis_are_fine_when_the_user_uses_them() -> None:
    assert voice_problems("A good walk \U0001f33f", user_text="walked \U0001f33f") == []


def test_kinds_limit_the_checks() -> None:
    assert voice_problems("You failed! Why? How?", kinds={"questions"}) == [
        "questions: more than one question"]
    assert set(CHECKS) == {"shame", "diagnosis", "hype", "emoji", "markdown", "html"}


@pytest.mark.parametrize("text", [
    "Adding one small step could help.",  # "add" is not ADD
    "You did the dishes, and the why behind the goal still shows.",
    "Open the file: 2 < 3 minutes.",
    "#family: you called twice.",
    "The ✓ next to the walk.",
])
def test_ordinary_words_pass(text: str) -> None:
    assert voice_problems(text) == []
