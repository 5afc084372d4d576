"""Every prompt is held to the eval suite: a prompt with no scenarios fails here, and so
does a purpose whose variants are not declared (tests/unit/app/test_eval_scenarios.py
checks each variant against the scripted replies)."""

from __future__ import annotations

from app.evals.scenarios import load_suite
from prompts import variants
from prompts.loader import SMALL_SUFFIX, list_prompts

# The character is part of every request, so every scenario exercises it.
SHARED = {"system", "system" + SMALL_SUFFIX}


def purposes() -> set[str]:
    """Every prompt but the character, a compact form (`X_small`) counted as its X."""
    return {name.removesuffix(SMALL_SUFFIX) for name in set(list_prompts()) - SHARED}


def test_every_prompt_has_scenarios() -> None:
    covered = {s.purpose for s in load_suite()}
    missing = sorted(purposes() - covered)
    assert not missing, f"prompts with no eval scenario in prompts/evals/: {missing}"


def test_every_prompt_has_at_least_two_variants() -> None:
    for name in purposes():
        assert len(variants.variants_for(name)) >= 2, name


def test_every_variant_names_a_prompt() -> None:
    assert set(variants.all_variants()) <= set(list_prompts())
