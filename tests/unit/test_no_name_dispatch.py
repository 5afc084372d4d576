"""No dispatch by name: a function, method or module found at run time from a string
(`getattr(obj, name)`, `importlib.import_module(f"...")`, a forwarding `__getattr__`)
is invisible to the type checker and to a reader looking for callers. Call it by its name,
or keep a typed table (a dict of functions, a Protocol)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "storage", "prompts", "ui")

# What is left, per file: how many such lookups it may hold. Only shrinks: a file with
# fewer fails too, so that its entry goes.
ALLOWED = {
    # Emits one of its own Qt signals, named by the D-Bus message that arrived.
    "ui/notification_backends.py": 1,
}


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_field_name(node: ast.expr) -> bool:
    # `getattr(row, f.name)` over `dataclasses.fields(...)`: reading a dataclass's own
    # fields generically (to JSON, into a subclass), not choosing code by a name.
    return isinstance(node, ast.Attribute) and node.attr == "name"


def lookups_by_name(source: str) -> list[str]:
    """Each dispatch by a computed name in `source`, as "line: code"."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            looked_up = (node.args[1] if name == "getattr" and len(node.args) >= 2
                         else node.args[0] if name in ("import_module", "__import__")
                         and node.args else None)
            if looked_up is not None and not (_is_text(looked_up) or _is_field_name(looked_up)):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            found.append((node.lineno, "def __getattr__ (forwards any attribute)"))
    return [f"{line}: {code}" for line, code in sorted(found)]


def python_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_dispatch_by_a_computed_name(path: Path) -> None:
    name = str(path.relative_to(ROOT))
    found = lookups_by_name(path.read_text(encoding="utf-8"))
    allowed = ALLOWED.get(name, 0)
    assert len(found) <= allowed, (
        f"{name} looks up by a computed name (call it by name, or keep a typed table): "
        + "; ".join(found))
    assert len(found) == allowed, f"{name} has fewer now: lower its ALLOWED entry"


def test_every_allowed_file_exists() -> None:
    assert all((ROOT / name).is_file() for name in ALLOWED)


def test_the_checker_sees_each_form() -> None:
    # Guard against a checker that passes because it finds nothing.
    sample = (
        "import importlib\n"
        "getattr(module, function)(args)\n"
        "getattr(self, f'_add_{section}')(where)\n"
        "importlib.import_module(f'app.cli.{module}')\n"
        "class Proxy:\n"
        "    def __getattr__(self, name):\n"
        "        return getattr(self.inner, name)\n"
        # Not dispatch: a fixed attribute, with or without a default; a dataclass's fields.
        "getattr(sys, 'frozen', False)\n"
        "{f.name: getattr(row, f.name) for f in fields(row)}\n"
        "getattr(chunk, 'usage', None)\n"
        "importlib.import_module('app.cli.main')\n")
    assert [line.split(":")[0] for line in lookups_by_name(sample)] == [
        "2", "3", "4", "6", "7"]
