#!/usr/bin/env bash
# `make dist-test`: install the built wheel as a person would, with pipx and with
# `uv tool install`, each into a folder of its own, and test the installed Wise from
# outside (tests/package). Dependencies come from PyPI at the versions of requirements.lock
# (as constraints), so the test is repeatable; a person gets the newest that pyproject.toml
# allows.
set -euo pipefail
cd "$(dirname "$0")/.."
wheel=$(ls dist/wise_companion-*.whl)
tools=build/package-venv/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The lock without its hashes: pip refuses hashes in a constraints file.
sed -e '/^\s*--hash/d' -e '/^\s*#/d' -e 's/ \\$//' requirements.lock > "$work/constraints.txt"

status=0
echo "dist-test: pipx install $wheel"
PIPX_HOME="$work/pipx" PIPX_BIN_DIR="$work/pipx-bin" PIP_CONSTRAINT="$work/constraints.txt" \
    "$tools/pipx" install --python python3 "$wheel" >/dev/null
WISE_INSTALLED="$work/pipx-bin/wise" .venv/bin/python -m pytest tests/package/test_installed.py \
    -p no:cacheprovider -q || status=$?

echo "dist-test: uv tool install $wheel"
UV_TOOL_DIR="$work/uv" UV_TOOL_BIN_DIR="$work/uv-bin" UV_CONSTRAINT="$work/constraints.txt" \
    UV_PYTHON_DOWNLOADS=never "$tools/uv" tool install --quiet --python python3 "$wheel"
WISE_INSTALLED="$work/uv-bin/wise" .venv/bin/python -m pytest tests/package/test_installed.py \
    -p no:cacheprovider -q || status=$?
exit $status
