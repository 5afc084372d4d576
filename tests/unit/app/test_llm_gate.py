"""The quality gate's rules, one by one, on replies a real 270M model gave (or their kind)."""

from __future__ import annotations

import pytest

from app.llm import gate
from prompts.loader import build_messages, load_prompt
from prompts.structured import with_format_instructions

JOURNAL = ("Goals: Family (#family), why: I want to be there for them. Done today: went for "
           "a walk (#health). Open: call mum about the trip, due tomorrow.")


def messages(name: str = "daily_reflection") -> list[dict]:
    values = {"daily_reflection": {"day": "Friday 4 December", "journal": JOURNAL,
                                   "user_words": "A calm day; the walk helped."},
              "breakdown": {"item": "sort the tax papers", "journal": "", "size": "small"}}
    return with_format_instructions(build_messages(name, **values[name]), load_prompt(name))


GOOD = ["You went for a walk today, and it seems to have helped.",
        "Moving your body gave you energy, which matters for the people you care about.",
        "Call mum and ask one question about the trip."]


def test_a_good_reply_passes() -> None:
    assert gate.judge_values(GOOD, messages()).ok
    assert gate.judge_text(" ".join(GOOD), messages()).ok


def test_an_echoed_prompt_is_refused_by_its_fence() -> None:
    echoed = ("They want to break this goal or action into micro-steps:\n<journal-data>\n"
              "sort the tax papers\n</journal-data>\nHow to answer")
    verdict = gate.judge_text(echoed, messages("breakdown"))
    assert verdict.rule == "echo" and "journal-data" in verdict.detail


def test_instructions_copied_word_for_word_are_an_echo() -> None:
    copied = ("one tiny, concrete step for tomorrow that can be started within two minutes, "
              "toward something they care about")
    verdict = gate.judge_values([copied, "ok then fine"], messages())
    assert verdict.rule == "echo"


def test_a_field_that_copies_the_prompts_own_wording_is_a_copied_example() -> None:
    verdict = gate.check_examples(["a few words starting with a verb"],
                                  ["a few words starting with a verb, about this thing."])
    assert verdict.rule == "copied_example"


@pytest.mark.parametrize("value", ["…", "...", "string", "<next step>"])
def test_placeholders_are_copied_examples(value: str) -> None:
    assert gate.check_examples([value], []).rule == "copied_example"


def test_a_field_of_punctuation_is_missing() -> None:
    assert gate.check_examples([": "], []).rule == "missing"


def test_a_line_repeated_forever_is_repetition() -> None:
    looped = "\n".join(["Family: I want to be there for them"] * 6)
    assert gate.judge_text(looped, messages()).rule == "repetition"
    assert gate.check_repetition("ready mendatang " * 10).rule == "repetition"


def test_one_sentence_in_every_field_is_repetition() -> None:
    same = "I want energy to play with my kids"
    assert gate.check_fields_differ([same, same]).rule == "repetition"


@pytest.mark.parametrize("text", ["I'm sorry, but I can't help with that.",
                                  "As an AI language model, I do not have feelings."])
def test_refusals_are_refused(text: str) -> None:
    assert gate.judge_text(text, messages()).rule == "refusal"


def test_empty_cut_off_and_too_long() -> None:
    assert gate.judge_text("  ", messages()).rule == "empty"
    assert gate.judge_text("You went for a", messages(), finish="length").rule == "cut_off"
    assert gate.judge_text("x" * 50, messages(), max_chars=40).rule == "too_long"


def test_a_reply_in_another_language_than_the_journal() -> None:
    indonesian = ("Anda pergi jalan kaki dan itu adalah langkah yang baik untuk kesehatan "
                  "dengan keluarga yang akan datang juga")
    verdict = gate.check_language(indonesian, JOURNAL)
    assert verdict.rule == "other_language"
    assert gate.check_language(" ".join(GOOD), JOURNAL).ok


def test_a_reply_in_the_journals_own_language_passes_among_english_labels() -> None:
    german = ("Goals: Familie (#family). Done today: Ich war heute mit dem Hund spazieren und "
              "es war schön, auch für mein Kopf")
    reply = "Du warst heute spazieren, und das war gut für dich und den Tag"
    assert gate.check_language(reply, german).ok


def test_journal_text_quoted_briefly_is_not_an_echo() -> None:
    assert gate.judge_values(["Call mum about the trip, just the first question."],
                             messages()).ok


def test_every_rule_has_words_for_the_user() -> None:
    for rule in gate.RULES:
        verdict = gate.refuse(rule, "detail")
        assert not verdict.ok and verdict.words and str(verdict).startswith(rule)
