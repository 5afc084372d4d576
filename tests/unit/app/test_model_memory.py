"""What Wise remembers about a model: a private file in the data folder, read afresh."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.llm.model_memory import REFUSED_KEEP, ModelFacts, ModelMemory
from app.structured_call import is_small


def test_structured_form_is_learned_per_model_and_server(tmp_path: Path) -> None:
    memory = ModelMemory(tmp_path)
    assert memory.facts("openai/gemma", "http://x/v1") == ModelFacts()
    modes = ("json_schema", "json_object", "prompt_only")
    assert memory.facts("openai/gemma", "http://x/v1").next_mode(modes) == "json_schema"
    memory.update("openai/gemma", "http://x/v1", refused_modes=["json_schema"])
    assert ModelMemory(tmp_path).facts("openai/gemma", "http://x/v1").next_mode(
        modes) == "json_object"
    assert memory.facts("openai/gemma", "http://other/v1").next_mode(modes) == "json_schema"
    assert stat.S_IMODE(memory.path.stat().st_mode) == 0o600


def test_the_compact_prompt_goes_first_after_repeated_refusals(tmp_path: Path) -> None:
    memory = ModelMemory(tmp_path)
    for _ in range(2):
        memory.count("m/x", None, compact=False, passed=False, rule="echo")
    facts = memory.facts("m/x", None)
    assert facts.prefers_compact and facts.last_refusal == "echo"
    memory.count("m/x", None, compact=False, passed=True)
    assert not memory.facts("m/x", None).prefers_compact


@pytest.mark.allow_warning_logs(r"is not valid JSON; starting afresh")
def test_a_damaged_file_is_started_afresh(tmp_path: Path) -> None:
    (tmp_path / "model-memory.json").write_text("{not json")
    memory = ModelMemory(tmp_path)
    assert memory.facts("m/x", None) == ModelFacts()
    memory.update("m/x", None, structured="bogus-mode", context_tokens="big")
    assert memory.facts("m/x", None).structured is None


def test_refused_replies_are_kept_bounded(tmp_path: Path) -> None:
    memory = ModelMemory(tmp_path)
    for n in range(REFUSED_KEEP + 5):
        memory.keep_refused(purpose="daily_reflection", model="m/x", rule="echo",
                            detail="d", text=f"reply {n}")
    kept = memory.refused()
    assert len(kept) == REFUSED_KEEP and kept[-1]["text"] == f"reply {REFUSED_KEEP + 4}"


def test_small_models_by_name_or_window() -> None:
    assert is_small("ollama_chat/llama3.2:1b", None)
    assert is_small("ollama_chat/gemma3:270m", None)
    assert is_small("openai/qwen2.5-0.5b-instruct", None)
    assert not is_small("ollama_chat/llama3.1:8b", None)
    assert not is_small("openai/gpt-4o-mini", None)
    assert is_small("openai/gemma", 2048) and not is_small("openai/gemma", 32768)
