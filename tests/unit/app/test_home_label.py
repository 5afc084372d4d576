"""Naming a Wise home to someone who runs more than one (app.paths.home_label)."""

from __future__ import annotations

from pathlib import Path

from app.paths import home_label, resolve_paths


def test_the_usual_folders_need_no_name(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    assert home_label(resolve_paths(env), env) is None


def test_a_wise_home_is_named_by_its_folder_with_a_tilde_for_home() -> None:
    env = {"WISE_HOME": str(Path.home() / "wise-work")}
    assert home_label(resolve_paths(env), env) == "~/wise-work"


def test_a_wise_home_outside_the_home_directory_is_named_in_full() -> None:
    env = {"WISE_HOME": "/opt/wise-second"}  # nothing is created: the name is all
    assert home_label(resolve_paths(env), env) == "/opt/wise-second"
