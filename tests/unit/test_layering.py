"""The one-way dependency rule (ui -> app -> storage, prompts), checked on the source."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", python_files("app", "storage", "prompts"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_qt_below_ui(path: Path) -> None:
    assert not {m for m in imported_modules(path) if top(m) in {"PySide6", "shiboken6"}}


@pytest.mark.parametrize("path", python_files("app", "storage", "prompts", "ui"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_litellm_only_in_the_model_layer(path: Path) -> None:
    if (ROOT / "app" / "llm") in path.parents:
        return
    assert "litellm" not in {top(m) for m in imported_modules(path)}


@pytest.mark.parametrize("path", python_files("storage", "prompts"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_lower_layers_do_not_import_upper_ones(path: Path) -> None:
    assert not {m for m in imported_modules(path) if top(m) in {"app", "ui"}}


@pytest.mark.parametrize("path", python_files("ui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_reaches_storage_only_through_app(path: Path) -> None:
    """ui -> app -> storage: a window asks app/ (app/ritual_data.py, app/journal_health.py,
    app/capture/store.py...), never the data layer itself, at the top or inside a function."""
    assert not {m for m in imported_modules(path) if top(m) == "storage"}


# The one child runner (ui/children.py); the folder opener starts the desktop's file
# manager (xdg-open), which is no `wise` child.
PROCESS_STARTERS = {"ui/children.py", "ui/folder_opener.py"}


@pytest.mark.parametrize("path", python_files("ui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_one_child_runner_in_ui(path: Path) -> None:
    name = str(path.relative_to(ROOT))
    if name in PROCESS_STARTERS:
        return
    assert "subprocess" not in imported_modules(path), f"{name}: run children in ui.children"
    assert "QProcess" not in path.read_text(encoding="utf-8"), f"{name}: use ui.children"


def test_the_rule_checker_sees_imports(tmp_path: Path) -> None:
    # Guard against a checker that passes because it finds nothing.
    sample = tmp_path / "sample.py"
    sample.write_text("import PySide6.QtWidgets\nfrom litellm import completion\n"
                      "def later():\n    from storage.repo.ritual_reads import day_view\n")
    assert imported_modules(sample) == {"PySide6.QtWidgets", "litellm", "storage.repo.ritual_reads"}


def run_python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


HEAVY = "{'sqlalchemy', 'alembic', 'PySide6', 'litellm', 'keyring'}"


def test_capture_path_loads_no_heavy_library(wise_home: Path) -> None:
    """`wise capture` on a current journal pays for no heavy library (the first capture
    creates the journal with Alembic; every later one must not)."""
    run_python("from app.cli.main import main\nassert main(['capture', 'first']) == 0")
    loaded = run_python(
        "import sys\nfrom app.cli.main import main\n"
        "assert main(['capture', 'the hot path']) == 0\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {HEAVY}))")
    assert loaded.splitlines()[-1] == "[]"


def test_capture_loads_no_other_command(wise_home: Path) -> None:
    """The command table names every handler, but a handler imports its command's module
    only when it runs: `wise capture` loads its own module and the output helpers."""
    run_python("from app.cli.main import main\nassert main(['capture', 'first']) == 0")
    loaded = run_python(
        "import sys\nfrom app.cli.main import main\n"
        "assert main(['capture', 'the hot path']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('app.cli')))")
    assert loaded.splitlines()[-1] == str(["app.cli", "app.cli.capture_cmd", "app.cli.main",
                                           "app.cli.output"])


def test_heavy_check_would_notice_sqlalchemy(wise_home: Path) -> None:
    loaded = run_python(f"import sys, sqlalchemy\n"
                        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {HEAVY}))")
    assert loaded == "['sqlalchemy']"

