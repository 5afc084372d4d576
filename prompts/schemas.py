"""The shapes of the companion's structured replies (pydantic models; their field
descriptions are sent to the model as part of the schema)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)

_EMPHASIS = re.compile(r"\*\*|__|`+|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
_LINE_MARKER = re.compile(r"(?m)^[ \t]*(?:#{1,6}|[-*•]|>)[ \t]+")
_SLUG = re.compile(r"[\w-]+")


def plain(text: str) -> str:
    """Model-written text as one calm plain-text paragraph: Markdown emphasis, code marks,
    heading, bullet and quote markers dropped, runs of white space made one space."""
    previous = None
    while text != previous:  # removing one mark can bring another to the start of a line
        previous = text
        text = _EMPHASIS.sub("", _LINE_MARKER.sub("", text.strip()))
    return " ".join(text.split())


def _required(text: str) -> str:
    text = plain(text)
    if not text:
        raise ValueError("must not be empty")
    return text


def _empty_is_none(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str) and (not value.strip()
                                   or value.strip().lower() in {"null", "none", "n/a"}):
        return None
    return value


def _slug(value: str) -> str:
    slug = value.strip().lstrip("#").strip().lower()
    if not _SLUG.fullmatch(slug) or not any(ch.isalpha() for ch in slug):
        raise ValueError("a goal tag is letters, digits, - or _, as written in the journal")
    return slug


def _one_question(text: str | None) -> str | None:
    if text and text.count("?") + text.count("？") > 1:
        raise ValueError("ask at most one question")
    return text


def _suggestion(value: object) -> object:
    if isinstance(value, str):
        return re.sub(r"[\s-]+", "_", value.strip().lower())
    return value


def _plain_or_none(text: str) -> str | None:
    return plain(text) or None


# Optional model-written text: "", "null" or only Markdown marks become None. Written out
# per length (not made by a function) so that a type checker reads them as types.
_NONE_IF_EMPTY = BeforeValidator(_empty_is_none)
_PLAIN_OR_NONE = AfterValidator(_plain_or_none)
OptionalText200 = Annotated[Annotated[str, Field(max_length=200), _PLAIN_OR_NONE] | None,
                            _NONE_IF_EMPTY]
OptionalText300 = Annotated[Annotated[str, Field(max_length=300), _PLAIN_OR_NONE] | None,
                            _NONE_IF_EMPTY]
OptionalQuestion = Annotated[Annotated[str, Field(max_length=300), _PLAIN_OR_NONE,
                                       AfterValidator(_one_question)] | None, _NONE_IF_EMPTY]


Text = Annotated[str, AfterValidator(_required)]
GoalTag = Annotated[str, Field(max_length=80), AfterValidator(_slug)]
OptionalGoalTag = Annotated[GoalTag | None, BeforeValidator(_empty_is_none)]


def _minutes(n: int) -> str:
    return f"about {n} minute{'' if n == 1 else 's'}"


class DailyReflection(BaseModel):
    """The evening look back on one day."""

    model_config = _CONFIG

    celebrate: Text = Field(
        max_length=500,
        description="What went well today, concretely, taken from the journal or their "
        "words: 1-2 sentences. Something tiny counts; if nothing was ticked off, notice "
        "something true, such as that they captured it or came back to look.")
    reflection: Text = Field(
        max_length=1000,
        description="A warm, brief observation connecting what happened to one of their "
        "whys: 2-4 sentences, tentative ('it seems', 'maybe'), never blaming.")
    question: OptionalQuestion = Field(
        default=None,
        description="At most one short, gentle, open question, or null for none.")
    next_step: Text = Field(
        max_length=300,
        description="ONE tiny, concrete next step, small enough to start within two "
        "minutes.")
    next_step_minutes: int = Field(
        ge=1, le=10, description="About how many minutes the next step takes (1-10).")
    goal: OptionalGoalTag = Field(
        default=None,
        description="The tag of the goal the next step serves, without '#', exactly as "
        "in the journal; null if it serves none.")

    def as_text(self) -> str:
        """The reflection as calm plain text for a window or a terminal."""
        parts = [self.celebrate, self.reflection]
        if self.question:
            parts.append(self.question)
        serves = f" for #{self.goal}" if self.goal else ""
        parts.append(f"Next step{serves} ({_minutes(self.next_step_minutes)}): "
                     f"{self.next_step}")
        return "\n\n".join(parts)


class NudgeText(BaseModel):
    """A gentle reminder of one small step, shown as a notification."""

    model_config = _CONFIG

    text: Text = Field(
        max_length=200,
        description="The nudge itself: an invitation to start one small step now, naming "
        "its first physical move; at most 200 characters, no urgency, no guilt.")
    why: OptionalText200 = Field(
        default=None,
        description="The goal's why, reminded in a few words (their own words where "
        "possible); null if the journal gives no why.")
    action_uid: Annotated[str | None, Field(max_length=64),
                          BeforeValidator(_empty_is_none)] = Field(
        default=None,
        description="The uid of the step this nudge is about, exactly as given; or null.")

    def as_text(self) -> str:
        return f"{self.text}\n{self.why}" if self.why else self.text


Suggestion = Literal["keep", "pause", "retire", "smaller_step"]

_SUGGESTION_WORDS = {
    "keep": "Maybe keep it going.",
    "pause": "Maybe pause it for now; it will wait.",
    "retire": "Maybe let it go; that is a fine choice too.",
    "smaller_step": "Maybe try a smaller step.",
}


class GoalCheck(BaseModel):
    """The review of one goal."""

    model_config = _CONFIG

    slug: GoalTag = Field(description="The goal's tag, without '#', exactly as in the "
                          "journal.")
    alive: bool = Field(description="true if the goal shows recent activity or is clearly "
                        "still in motion; false if it has been quiet.")
    observation: Text = Field(
        max_length=500,
        description="1-2 neutral, kind sentences on what the recent activity shows. A "
        "quiet goal is not a failure.")
    suggestion: Annotated[Suggestion, BeforeValidator(_suggestion)] = Field(
        description="keep, pause, retire or smaller_step.")
    next_step: OptionalText300 = Field(
        default=None,
        description="For keep or smaller_step: one concrete step startable within two "
        "minutes. For pause or retire: null.")

    @model_validator(mode="after")
    def _smaller_step_needs_a_step(self) -> GoalCheck:
        if self.suggestion == "smaller_step" and not self.next_step:
            raise ValueError("smaller_step needs a next_step")
        return self

    def as_text(self) -> str:
        state = "moving lately" if self.alive else "quiet lately"
        lines = [f"For #{self.slug} ({state}): {self.observation}",
                 _SUGGESTION_WORDS[self.suggestion]]
        if self.next_step:
            lines.append(f"Next step: {self.next_step}")
        return " ".join(lines)


class GoalReview(BaseModel):
    """A look at each goal: is it alive, is it still wanted, what is the smallest step."""

    model_config = _CONFIG

    goals: list[GoalCheck] = Field(
        min_length=1, max_length=50,
        description="One entry per goal in the journal, in the same order.")

    @model_validator(mode="after")
    def _each_goal_once(self) -> GoalReview:
        slugs = [goal.slug for goal in self.goals]
        if len(slugs) != len(set(slugs)):
            raise ValueError("each goal appears once")
        return self

    def as_text(self) -> str:
        return "\n\n".join(goal.as_text() for goal in self.goals)


class Step(BaseModel):
    """One micro-step."""

    model_config = _CONFIG

    title: Text = Field(max_length=200, description="A concrete physical action with a clear "
                        "finish, in a few words, starting with a verb.")
    minutes: int = Field(ge=1, le=15, description="An honest estimate in minutes (1-15).")


class Breakdown(BaseModel):
    """A goal or an action broken into micro-steps."""

    model_config = _CONFIG

    steps: list[Step] = Field(
        min_length=3, max_length=7,
        description="3-7 steps in order. The first is startable right now with nothing to "
        "prepare, and takes 1 or 2 minutes.")

    @model_validator(mode="after")
    def _first_step_is_tiny(self) -> Breakdown:
        if self.steps and self.steps[0].minutes > 2:
            raise ValueError("the first step takes at most 2 minutes")
        return self

    def as_text(self) -> str:
        return "\n".join(f"{n}. {step.title} ({_minutes(step.minutes)})"
                         for n, step in enumerate(self.steps, 1))


SCHEMAS: dict[str, type[BaseModel]] = {
    model.__name__: model for model in (DailyReflection, NudgeText, GoalReview, Breakdown)}
