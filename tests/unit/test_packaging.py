"""The packages carry what Wise reads at run time, and the packaging tools' lock agrees
with the app's (both are installed into one venv to build the bundle)."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "ui", "storage", "prompts")


def tracked_data_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.splitlines()
    return [Path(name) for name in listed if not name.endswith(".py")]


def test_every_file_wise_reads_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    data = tracked_data_files()
    assert data, "the check found no data files at all"
    missing = []
    for path in data:
        owners = [(package, path.relative_to(Path(*package.split("."))).as_posix())
                  for package in package_data
                  if path.is_relative_to(Path(*package.split(".")))]
        if not any(fnmatch.fnmatch(rest, pattern) for package, rest in owners
                   for pattern in package_data[package]):
            missing.append(str(path))
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"


def pins(lock: Path) -> dict[str, str]:
    text = lock.read_text(encoding="utf-8")
    return {name.lower(): version
            for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_the_packaging_lock_pins_what_the_app_lock_pins() -> None:
    app = pins(ROOT / "requirements.lock")
    tools = pins(ROOT / "packaging" / "package-requirements.lock")
    assert "pyinstaller" in tools
    differ = {name: (app[name], tools[name]) for name in app.keys() & tools.keys()
              if app[name] != tools[name]}
    assert not differ, f"run `make lock`: {differ}"
