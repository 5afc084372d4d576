"""Two test files with one basename stop the suite at collection: the test folders are not
packages (no __init__.py), so pytest imports each test file by its basename, and the
second `test_x.py` meets the first's module ("import file mismatch", named for one file
only, and under xdist on whichever worker collects it). This plugin says it first, naming
both files, before anything is collected."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def module_name(path: Path, root: Path) -> str:
    """The name pytest imports a test file as: its basename, or, inside package folders
    (an __init__.py, as in tests/benchmarks), the dotted path up to the first folder that
    is not one."""
    parts = [path.stem]
    folder = path.parent
    while folder != root.parent and (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def clashes(root: Path = TESTS) -> list[str]:
    """One line per module name that two or more test files under `root` would take."""
    found: dict[str, list[Path]] = defaultdict(list)
    for pattern in ("test_*.py", "*_test.py"):
        for path in root.rglob(pattern):
            if "__pycache__" not in path.parts:
                found[module_name(path, root)].append(path)
    return [f"{' and '.join(str(p.relative_to(root.parent)) for p in sorted(paths))} "
            f"are both imported as the module {name!r}: rename one (test file names are "
            f"unique across tests/)"
            for name, paths in sorted(found.items()) if len(set(paths)) > 1]


def pytest_sessionstart(session: pytest.Session) -> None:
    tests = session.config.rootpath / "tests"
    found = clashes(tests if tests.is_dir() else TESTS)
    if found:
        raise pytest.UsageError("two test files share a name:\n" + "\n".join(found))
