"""The vocabulary once: the export's documentation and the learner key their words by the
vocabulary storage declares (and the database enforces), so a status, style or response
added there and forgotten here fails this test (the windows:
tests/ui/test_vocabulary_in_windows.py)."""

from __future__ import annotations

import inspect
import re
from enum import StrEnum

import pytest

from storage import vocabulary
from storage.export_json import __doc__ as EXPORT_DOC
from storage.vocabulary import NudgeStyle

# Every vocabulary a user's export can hold, and where its words are documented.
EXPORTED = [name for name, words in inspect.getmembers(vocabulary, inspect.isclass)
            if issubclass(words, StrEnum) and words is not StrEnum
            and name not in ("CallStatus", "JobStatus", "FocusOutcome")]  # not exported


@pytest.mark.parametrize("name", EXPORTED)
def test_the_export_format_documents_every_word(name: str) -> None:
    documented = set(re.findall(r'`"([a-z_]+)"`', EXPORT_DOC or ""))
    missing = {w.value for w in getattr(vocabulary, name)} - documented
    assert not missing, f"{name}: {sorted(missing)} not in storage/export_json.py's format"


def test_the_learner_tries_every_style_and_words_each() -> None:
    from app.nudges.learner import STYLE_WORDS, STYLES

    assert set(STYLES) == set(STYLE_WORDS) == {s.value for s in NudgeStyle}
