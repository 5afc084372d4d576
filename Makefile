# One command to set up and start Wise (`make run`), one to set up and run the tests
# (`make test`); `make test-hours` runs the time-sensitive tests as if it were 00:30,
# 03:59, 04:00, 23:59 and the nights the clocks change (tests/moments.py). All create
# .venv from the hashed lock files on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-hours lint bench lock clean-venv

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.runtime-installed: requirements.lock pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock $(VENV)/.runtime-installed
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

run: $(VENV)/.runtime-installed
	$(BIN)/wise

test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

test-hours: $(VENV)/.dev-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.moments

bench: $(VENV)/.dev-installed
	$(BIN)/python -m compileall -q app storage prompts ui
	$(BIN)/python -m tests.benchmarks

lock:
	uv pip compile pyproject.toml packaging/build-requirements.in --universal --python-version 3.11 --generate-hashes -o requirements.lock -q
	uv pip compile pyproject.toml packaging/build-requirements.in --extra dev --universal --python-version 3.11 --generate-hashes -o requirements-dev.lock -q

clean-venv:
	rm -rf $(VENV)
