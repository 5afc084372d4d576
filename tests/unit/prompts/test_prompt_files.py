"""Every prompt file: its header, its placeholders, and the voice of its instructions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from prompts.loader import PromptError, list_prompts, load_prompt, parse_prompt, render
from prompts.structured import output_model
from prompts.voice import voice_problems

ROOT = Path(__file__).resolve().parents[3]
EXPECTED = {
    "system": None,
    "daily_reflection": "DailyReflection",
    "nudge": "NudgeText",
    "goal_review": "GoalReview",
    "breakdown": "Breakdown",
    "day_summary": None,
    "week_summary": None,
    # The compact forms, for small models and the quality gate's one retry.
    "system_small": None,
    "daily_reflection_small": "DailyReflection",
    "nudge_small": "NudgeText",
    "goal_review_small": "GoalReview",
    "breakdown_small": "Breakdown",
}
TASKS = sorted(set(EXPECTED) - {"system", "system_small"})


def test_every_expected_prompt_is_listed() -> None:
    assert list_prompts() == sorted(EXPECTED)
    assert sorted(p.stem for p in (ROOT / "prompts").glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_header_is_valid(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.name == name
    assert re.fullmatch(r"\d+\.\d+", prompt.version)
    assert prompt.description.strip()
    assert prompt.output_schema == EXPECTED[name]
    assert set(prompt.variables.values()) <= {"text", "data"}
    assert prompt.body == prompt.body.strip() and prompt.body


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_declared_variables_and_placeholders_agree(name: str) -> None:
    prompt = load_prompt(name)
    assert prompt.placeholders == set(prompt.variables)


@pytest.mark.parametrize("name", TASKS)
def test_every_task_fences_journal_text_and_says_how_to_answer(name: str) -> None:
    prompt = load_prompt(name)
    assert "data" in prompt.variables.values()
    assert "\nHow to answer\n" in prompt.body


@pytest.mark.parametrize("name", [n for n in TASKS if EXPECTED[n]])
def test_how_to_answer_names_every_field_of_the_schema(name: str) -> None:
    prompt = load_prompt(name)
    model = output_model(prompt)
    assert model is not None and model.__name__ == EXPECTED[name]
    fields = set(model.model_fields)
    for field in model.model_fields.values():  # one level down, e.g. GoalReview.goals[]
        inner = getattr(field.annotation, "__args__", ())
        fields |= {f for arg in inner if hasattr(arg, "model_fields") for f in arg.model_fields}
    answered = set(re.findall(r"(?m)^([a-z_]+):", prompt.body.split("How to answer")[1]))
    assert fields <= answered, fields - answered


@pytest.mark.parametrize("name", [n for n in TASKS if not EXPECTED[n]])
def test_free_text_prompts_cap_their_length(name: str) -> None:
    assert re.search(r"at most \d+ words", load_prompt(name).body)


def test_load_prompt_is_cached() -> None:
    assert load_prompt("nudge") is load_prompt("nudge")


@pytest.mark.parametrize("name", ["nope", "", "../system", "System", "system.md"])
def test_unknown_prompt_is_a_prompt_error(name: str) -> None:
    with pytest.raises(PromptError, match="no prompt"):
        load_prompt(name)


GOOD_HEADER = 'name = "x"\nversion = "1.0"\ndescription = "d"\n'


@pytest.mark.parametrize(("text", "complaint"), [
    ("no header at all", "must start with"),
    ("+++\nname = 'x'\n", "no closing"),
    ("+++\nname = = 'x'\n+++\nbody", "not valid TOML"),
    (f"+++\n{GOOD_HEADER}+++\nbody", "no 'variables'"),
    (f"+++\n{GOOD_HEADER}colour = 'red'\n[variables]\n+++\nbody", "unknown header field"),
    ('+++\nname = "y"\nversion = "1.0"\ndescription = "d"\n[variables]\n+++\nb', "name ="),
    ('+++\nname = "x"\nversion = "one"\ndescription = "d"\n[variables]\n+++\nb', "version"),
    ('+++\nname = "x"\nversion = "1.0"\ndescription = ""\n[variables]\n+++\nb', "description"),
    (f"+++\n{GOOD_HEADER}variables = 'day'\n+++\nbody", "table"),
    (f"+++\n{GOOD_HEADER}[variables]\nday = 'date'\n+++\n{{{{day}}}}", '"text" or "data"'),
    (f"+++\n{GOOD_HEADER}[variables]\nday = 'text'\n+++\nno placeholder", "never appear"),
    (f"+++\n{GOOD_HEADER}[variables]\n+++\nHello {{{{who}}}}", "undeclared variable"),
    (f"+++\n{GOOD_HEADER}[variables]\n+++\nHello {{{{ who }}", "not a {{variable}}"),
    (f"+++\n{GOOD_HEADER}output_schema = 'not a model'\n[variables]\n+++\nb", "output_schema"),
])
def test_malformed_prompt_files_are_refused(text: str, complaint: str) -> None:
    with pytest.raises(PromptError, match=re.escape(complaint)):
        parse_prompt(text, "x")


def test_placeholders_may_have_spaces_inside_the_braces() -> None:
    prompt = parse_prompt(f"+++\n{GOOD_HEADER}[variables]\nwho = 'text'\n+++\nHi {{{{ who }}}}.",
                          "x")
    assert render(prompt, who="Sam") == "Hi Sam."


# --- The voice of the instructions ---------------------------------------------------------

# A banned phrase may appear in a prompt only on a line that forbids it.
PROHIBITION = re.compile(r"\b(?:never|no|not|don't|do not|nothing|without)\b", re.IGNORECASE)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_instructions_never_put_banned_words_in_the_companions_mouth(name: str) -> None:
    kinds = {"shame", "diagnosis", "hype", "emoji", "markdown"}
    for line in load_prompt(name).body.splitlines():
        problems = voice_problems(line, kinds=kinds)
        assert not problems or PROHIBITION.search(line), (line, problems)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_instructions_are_written_the_way_replies_should_be(name: str) -> None:
    body = load_prompt(name).body
    assert "!" not in body  # calm
    assert not voice_problems(body, kinds={"markdown", "emoji"})  # no bullets or bold
    # The prompts talk about the person, never to "the user" as a case.
    assert not re.search(r"\b(?:the user|patient|client)\b", body, re.IGNORECASE)


def test_the_character_states_the_voice_rules() -> None:
    body = load_prompt("system").body
    for rule in ("Warm, brief and concrete", "at most one question", "within two minutes",
                 "Never blame or shame", "Never diagnose", "it seems", "No emojis"):
        assert rule in body, rule


def test_listing_and_rendering_prompts_does_not_import_pydantic() -> None:
    code = ("import sys\nimport prompts.loader as loader\n"
            "names = loader.list_prompts()\n"
            "loader.build_messages('daily_reflection', day='Monday', journal='j', "
            "user_words='')\n"
            "print(len(names), 'pydantic' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(len(EXPECTED)), "False"]


def test_prompt_files_are_packaged() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"prompts" = \[[^\]]*"\*\.md"', pyproject)
