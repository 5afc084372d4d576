"""Structured replies: schemas, format instructions, the tolerant parser, the repair retry."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from prompts.loader import PromptError, build_messages, load_prompt, parse_prompt
from prompts.schemas import SCHEMAS, Breakdown, DailyReflection, GoalReview, NudgeText
from prompts.structured import (
    MAX_REPLY_CHARS,
    REPAIR_REPLY_MAX,
    OutputParseError,
    format_instructions,
    json_schema_for,
    output_model,
    parse_structured,
    repair_messages,
    with_format_instructions,
)
from prompts.voice import voice_problems
from tests.benchmarks.bench_parsers import PATHOLOGICAL_REPLIES

GOOD = {
    "celebrate": "You went for a twenty-minute walk, and you wrote down the call to your mum.",
    "reflection": "It seems the walk gave you some room, even on a tired day. Writing the "
                  "call down keeps it close to the family you care about.",
    "question": "What made the walk easy to start today?",
    "next_step": "Put your mum's number on a sticky note by the kettle.",
    "next_step_minutes": 2,
    "goal": "family",
}
GOOD_JSON = json.dumps(GOOD, ensure_ascii=False)


def parse(text: str) -> DailyReflection:
    result = parse_structured(text, DailyReflection)
    assert isinstance(result, DailyReflection)
    return result


# --- schemas --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["daily_reflection", "nudge", "goal_review", "breakdown"])
def test_structured_prompts_have_a_model_and_a_json_schema(name: str) -> None:
    prompt = load_prompt(name)
    model = output_model(prompt)
    assert model is SCHEMAS[prompt.output_schema]
    schema = json_schema_for(prompt)
    assert schema == model.model_json_schema()
    assert schema["additionalProperties"] is False  # extra="forbid"
    for field in schema["properties"].values():
        assert field.get("description"), field  # descriptions go to the model


@pytest.mark.parametrize("name", ["system", "day_summary", "week_summary"])
def test_free_text_prompts_have_no_schema(name: str) -> None:
    prompt = load_prompt(name)
    assert output_model(prompt) is None and json_schema_for(prompt) is None
    assert format_instructions(prompt) == ""


def test_an_unknown_schema_name_is_a_prompt_error() -> None:
    prompt = parse_prompt('+++\nname = "x"\nversion = "1.0"\ndescription = "d"\n'
                          'output_schema = "Horoscope"\n[variables]\n+++\nbody', "x")
    with pytest.raises(PromptError, match="Horoscope"):
        output_model(prompt)


def test_every_schema_forbids_extra_keys_everywhere() -> None:
    for model in SCHEMAS.values():
        schema = model.model_json_schema()
        for sub in [schema, *schema.get("$defs", {}).values()]:
            assert sub["additionalProperties"] is False, model


def test_daily_reflection_cleans_and_normalises() -> None:
    reply = DailyReflection.model_validate({
        **GOOD, "celebrate": "**You walked.**", "reflection": "# It seems\n- calm",
        "question": "  ", "goal": "#Family"})
    assert reply.celebrate == "You walked."
    assert reply.reflection == "It seems calm"
    assert reply.question is None
    assert reply.goal == "family"
    assert DailyReflection.model_validate({**GOOD, "question": "null", "goal": ""}).goal is None


@pytest.mark.parametrize(("change", "complaint"), [
    ({"question": "Why? And how?"}, "at most one question"),
    ({"next_step_minutes": 0}, "next_step_minutes"),
    ({"next_step_minutes": 11}, "next_step_minutes"),
    ({"celebrate": "**  **"}, "celebrate"),
    ({"goal": "not a tag!"}, "goal"),
    ({"mood": "great"}, "mood"),
])
def test_daily_reflection_rules(change: dict, complaint: str) -> None:
    with pytest.raises(OutputParseError, match=complaint):
        parse(json.dumps({**GOOD, **change}))


def test_nudge_is_short_and_its_uid_optional() -> None:
    nudge = NudgeText.model_validate({"text": "Two minutes: open the flat form?",
                                      "why": "A calmer home.", "action_uid": ""})
    assert nudge.action_uid is None
    assert nudge.as_text() == "Two minutes: open the flat form?\nA calmer home."
    with pytest.raises(OutputParseError, match="text"):
        parse_structured(json.dumps({"text": "x" * 201, "why": None}), NudgeText)


def test_goal_review_rules() -> None:
    entry = {"slug": "health", "alive": False, "observation": "Quiet for two weeks.",
             "suggestion": "Smaller step", "next_step": "Put your shoes by the door."}
    review = GoalReview.model_validate({"goals": [entry]})
    assert review.goals[0].suggestion == "smaller_step"
    assert "For #health (quiet lately)" in review.as_text()
    for goals, complaint in [
        ([{**entry, "next_step": None}], "smaller_step needs a next_step"),
        ([entry, entry], "each goal appears once"),
        ([{**entry, "suggestion": "quit"}], "suggestion"),
        ([], "goals"),
    ]:
        with pytest.raises(OutputParseError, match=complaint):
            parse_structured(json.dumps({"goals": goals}), GoalReview)


def test_breakdown_rules() -> None:
    steps = [{"title": "Open the tax folder", "minutes": 1},
             {"title": "Find last year's return", "minutes": 5},
             {"title": "List the missing receipts", "minutes": 10}]
    breakdown = Breakdown.model_validate({"steps": steps})
    assert breakdown.as_text().splitlines()[0] == "1. Open the tax folder (about 1 minute)"
    for bad, complaint in [
        (steps[:2], "steps"),
        (steps * 3, "steps"),
        ([{**steps[0], "minutes": 5}, *steps[1:]], "first step takes at most 2 minutes"),
        ([*steps, {"title": "Do all of it", "minutes": 60}], "minutes"),
    ]:
        with pytest.raises(OutputParseError, match=complaint):
            parse_structured(json.dumps({"steps": bad}), Breakdown)


# --- as_text ----------------------------------------------------------------------------------

def test_as_text_is_calm_plain_text_ending_with_the_next_step() -> None:
    text = DailyReflection.model_validate(GOOD).as_text()
    assert text.endswith(f"Next step for #family (about 2 minutes): {GOOD['next_step']}")
    assert GOOD["celebrate"] in text and GOOD["question"] in text
    assert not voice_problems(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["**", "__", "`", "# ", "- ", "* ", "> ", "\n", " ", "word",
                                 "Done.", "*soft*"]), min_size=1, max_size=20).map("".join))
def test_as_text_never_shows_markdown_junk(noise: str) -> None:
    fields = {**GOOD, "celebrate": f"You walked. {noise}", "reflection": f"{noise} Maybe.",
              "question": None}
    text = DailyReflection.model_validate(fields).as_text()
    assert not voice_problems(text, kinds={"markdown"}), text
    assert "Next step" in text and GOOD["next_step"] in text


def test_as_text_without_question_or_goal() -> None:
    text = DailyReflection.model_validate(
        {**GOOD, "question": None, "goal": None, "next_step_minutes": 1}).as_text()
    assert text.count("\n\n") == 2
    assert text.endswith(f"Next step (about 1 minute): {GOOD['next_step']}")


# --- parse_structured -----------------------------------------------------------------------

def test_clean_json() -> None:
    assert parse(GOOD_JSON) == DailyReflection.model_validate(GOOD)


@pytest.mark.parametrize("wrapped", [
    f"```json\n{GOOD_JSON}\n```",
    f"```\n{GOOD_JSON}\n```",
    f"Here is your reflection:\n\n```json\n{GOOD_JSON}\n```\nI hope this helps.",
    f"Sure! {GOOD_JSON} Let me know if you want changes.",
    f"Thinking about {{braces}} first... then: {GOOD_JSON}",
    json.dumps(GOOD, indent=2).replace('"family"\n}', '"family",\n}'),  # trailing comma
    json.dumps(GOOD, indent=2).replace('"', "\u201c", 1),
    GOOD_JSON.replace('"celebrate"', "\u201ccelebrate\u201d"),
])
def test_tolerated_wrappings(wrapped: str) -> None:
    assert parse(wrapped).next_step == GOOD["next_step"]


def test_trailing_commas_in_nested_lists() -> None:
    text = ('{"steps": [{"title": "Open it", "minutes": 1,}, {"title": "Read it", '
            '"minutes": 3,}, {"title": "Note one thing", "minutes": 2,},],}')
    assert len(parse_structured(text, Breakdown).steps) == 3


def test_braces_quotes_and_commas_inside_strings_are_content() -> None:
    tricky = {**GOOD, "reflection": 'A "{curly}" day, } and {, with ,} and a \\ too.',
              "celebrate": "You said \u201cgood enough,\u201d and meant it."}
    text = f"note {{not json}}\n```json\n{json.dumps(tricky)}\n```"
    reply = parse(text)
    assert reply.reflection == tricky["reflection"]
    assert reply.celebrate == tricky["celebrate"]


def test_curly_quotes_inside_straight_strings_are_kept() -> None:
    text = GOOD_JSON.replace("walk, and", "walk \u201cfor me\u201d, and") + ","
    assert "\u201cfor me\u201d" in parse(text).celebrate


@pytest.mark.parametrize(("text", "reason"), [
    ("", "no JSON object"),
    ("I'm sorry, I can't help with that.", "no JSON object"),
    ("[1, 2, 3]", "no JSON object"),
    ('{"celebrate": "cut off mid-sent', "not complete"),
    ("{this is not json}", "not valid JSON"),
    (json.dumps({**GOOD, "next_step_minutes": "five"}), "next_step_minutes"),
    (json.dumps({**GOOD, "celebrate": 42}), "celebrate"),
    (json.dumps({**GOOD, "extra": 1}), "extra: not a field"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "next_step"}), "next_step: missing"),
    ("[" * 60_000, "no JSON object"),
    ("{" * 5000 + "}" * 5000, "not valid JSON"),
    ("x" * (MAX_REPLY_CHARS + 1), "longer than"),
])
def test_rejections_have_a_short_reason(text: str, reason: str) -> None:
    with pytest.raises(OutputParseError, match=reason) as caught:
        parse(text)
    assert len(str(caught.value)) <= 400


def test_reason_never_echoes_the_reply() -> None:
    secret = "my private journal line"
    with pytest.raises(OutputParseError) as caught:
        parse(json.dumps({**GOOD, "next_step_minutes": secret}))
    assert secret not in str(caught.value)


def test_the_first_object_that_validates_wins() -> None:
    text = f'Example: {{"celebrate": "x"}}\nAnswer: {GOOD_JSON}'
    assert parse(text).celebrate == GOOD["celebrate"]


JSONISH = st.sampled_from(['{', '}', '[', ']', '"', ',', ':', '\\', '\u201c', '\u201d',
                           '```json', '"celebrate"', '"next_step_minutes": 3', 'null',
                           'true', '1e999', 'NaN', ' ', '\n'])


@settings(max_examples=300, deadline=None)
@given(st.lists(JSONISH | st.text(max_size=6), max_size=40).map("".join))
def test_any_text_parses_or_fails_with_output_parse_error(text: str) -> None:
    for model in (DailyReflection, NudgeText, GoalReview, Breakdown):
        try:
            result = parse_structured(text, model)
        except OutputParseError as exc:
            reason = str(exc)
            assert reason, "a rejection always says why"
        else:
            assert isinstance(result, model)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_chatter_around_a_good_reply_is_tolerated(chatter: str) -> None:
    # Chatter without braces or quotes of its own, on either side.
    chatter = chatter.translate({ord(c): None for c in '{}"\u201c\u201d'})
    assert parse(f"{chatter}\n{GOOD_JSON}\n{chatter}") == DailyReflection.model_validate(GOOD)


# Not a speed test (that is `make bench`, group parsers: <= 5 s each); catastrophic
# backtracking on these would run into the timeout.
@pytest.mark.timeout(120)
@pytest.mark.parametrize("pathological", PATHOLOGICAL_REPLIES)
def test_pathological_replies_fail_clearly(pathological: str) -> None:
    with pytest.raises(OutputParseError, match="not complete"):
        parse(pathological)


def test_a_non_text_reply_is_an_output_parse_error() -> None:
    with pytest.raises(OutputParseError):
        parse_structured(None, DailyReflection)  # type: ignore[arg-type]


# --- instructions and repair ----------------------------------------------------------------

def test_format_instructions_carry_the_schema_compactly() -> None:
    text = format_instructions(load_prompt("daily_reflection"))
    assert text.startswith("Reply with only a JSON object matching this schema")
    schema = json.loads(text.split("\n", 1)[1])
    assert set(schema["properties"]) == set(DailyReflection.model_fields)
    assert "title" not in schema and "title" not in schema["properties"]["celebrate"]
    breakdown = json.loads(format_instructions(load_prompt("breakdown")).split("\n", 1)[1])
    assert "title" in breakdown["$defs"]["Step"]["properties"]  # a field, not metadata


def test_with_format_instructions_appends_to_the_user_message_only() -> None:
    prompt = load_prompt("nudge")
    messages = build_messages("nudge", now="15:10", journal="call mum")
    extended = with_format_instructions(messages, prompt)
    assert extended[0] == messages[0]
    assert extended[1]["content"] == f"{messages[1]['content']}\n\n{format_instructions(prompt)}"
    assert messages == build_messages("nudge", now="15:10", journal="call mum")  # no mutation
    summary = build_messages("day_summary", day="Monday", journal="x")
    assert with_format_instructions(summary, load_prompt("day_summary")) == summary


def test_repair_messages_shape() -> None:
    messages = build_messages("daily_reflection", day="Monday", journal="x", user_words="")
    bad = "Sure! Here you go: {celebrate: walked}"
    repaired = repair_messages(messages, bad, DailyReflection, "the reply is not valid JSON")
    assert repaired[:2] == messages and repaired is not messages
    assert [m["role"] for m in repaired] == ["system", "user", "assistant", "user"]
    assert repaired[2] == {"role": "assistant", "content": bad}
    request = repaired[3]["content"]
    assert "(the reply is not valid JSON)" in request
    assert "only the corrected JSON object" in request
    assert '"next_step_minutes"' in request
    assert len(messages) == 2  # the caller's list is untouched


def test_repair_bounds_a_runaway_reply() -> None:
    repaired = repair_messages([], "x" * 50_000, Breakdown, "no JSON object in the reply")
    assert len(repaired[0]["content"]) == REPAIR_REPLY_MAX


def test_a_repaired_reply_parses() -> None:
    # The whole loop: a bad reply, the repair request, a good reply.
    with pytest.raises(OutputParseError) as caught:
        parse("{celebrate: walked}")
    messages = repair_messages([], "{celebrate: walked}", DailyReflection, str(caught.value))
    assert messages[-1]["role"] == "user"
    assert parse(GOOD_JSON).goal == "family"


def test_schemas_registry_lists_models() -> None:
    assert all(isinstance(m, type) and issubclass(m, BaseModel) for m in SCHEMAS.values())
    assert set(SCHEMAS) == {"DailyReflection", "NudgeText", "GoalReview", "Breakdown"}
