# One command to set up and start Wise (`make run`), one to set up and run the tests
# (`make test`). Both create .venv from the hashed lock files on first use.
# `make test-hours` runs the time-sensitive tests as if it were 00:30, 03:59, 04:00, 23:59
# and the nights the clocks change (tests/moments.py).
# Packages: `make dist` (wheel and sdist), `make package` (the self-contained .deb), and
# their tests, `make dist-test` (pipx and uv tool) and `make package-test` (apt-get).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The packaging tools live apart, so that `make run` and `make test` never install them.
PKG_VENV := build/package-venv
PKG_BIN  := $(PKG_VENV)/bin
VERSION  := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)
SOURCES  := $(shell find app ui storage prompts -type f ! -path '*/__pycache__/*') pyproject.toml

.PHONY: run test typecheck test-hours lint bench bench-compare eval lock clean-venv dist dist-test bundle package package-test

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

# The suite runs on pytest-xdist workers (TEST_WORKERS=0: all in one process, as plain
# `pytest` does). worksteal: an idle worker takes tests queued on the busy one, so a long
# module (the eval run, the tray processes) does not leave the other worker waiting.
TEST_WORKERS ?= 2

test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory typecheck
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# mypy, lenient for now; what it checks and how is in pyproject.toml's [tool.mypy].
typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

test-hours: $(VENV)/.dev-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.moments

bench: $(VENV)/.dev-installed
	$(BIN)/python -m compileall -q app storage prompts ui
	$(BIN)/python -m tests.benchmarks

# The same groups for an earlier commit and for this tree, side by side (README:
# Benchmarks). BASE is any git revision; COMPARE_ARGS adds options, e.g.
# COMPARE_ARGS="--only capture tray --quick idle --base-tree /path/to/checkout".
bench-compare: $(VENV)/.dev-installed
	@test -n "$(BASE)" || { echo "usage: make bench-compare BASE=<rev> [COMPARE_ARGS=...]"; exit 2; }
	$(BIN)/python -m tests.benchmarks.compare $(BASE) $(COMPARE_ARGS)

# The eval suite against a real model (README: "Is it wise? wise eval"). Without
# EVAL_API_BASE it installs and serves a small local model; EVAL_ARGS adds options
# (e.g. EVAL_ARGS="--scenario 'dr_*' --repeat 3").
eval: $(VENV)/.dev-installed
	bash packaging/eval/make_eval.sh

lock:
	uv pip compile pyproject.toml packaging/build-requirements.in --universal --python-version 3.11 --generate-hashes -o requirements.lock -q
	uv pip compile pyproject.toml packaging/build-requirements.in --extra dev --universal --python-version 3.11 --generate-hashes -o requirements-dev.lock -q
	uv pip compile packaging/package-requirements.in -c requirements.lock --universal --python-version 3.11 --generate-hashes -o packaging/package-requirements.lock -q

$(PKG_VENV)/.installed: requirements.lock packaging/package-requirements.lock
	$(PYTHON) -m venv $(PKG_VENV)
	$(PKG_BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(PKG_BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(PKG_BIN)/python -m pip install --quiet --require-hashes -r packaging/package-requirements.lock
	touch $@

# The wheel is built from the sdist, so a file missing from the sdist fails here.
dist: $(PKG_VENV)/.installed
	rm -rf dist/wise_companion-*
	$(PKG_BIN)/python -m build --no-isolation --outdir dist . >/dev/null
	@ls dist/wise_companion-*

dist-test: dist $(VENV)/.dev-installed
	bash packaging/dist-test.sh

bundle: dist/wise/wise

dist/wise/wise: $(PKG_VENV)/.installed $(SOURCES) packaging/pyinstaller/wise.spec packaging/pyinstaller/wise_entry.py
	$(PKG_BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/pyinstaller/wise.spec
	touch $@

package: dist/wise/wise
	$(PKG_BIN)/python packaging/deb/build_deb.py

package-test: package $(VENV)/.dev-installed
	bash packaging/deb/package-test.sh dist/wise_$(VERSION)_$$(dpkg --print-architecture).deb

clean-venv:
	rm -rf $(VENV)
