# mockaudit — every target creates .venv on first use and installs what it needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_FLAGS ?=
# make test spreads the test files over this many pytest workers (pytest-xdist; a file's
# tests stay on one worker, so module fixtures such as a LazyFS mount are built once).
TEST_WORKERS ?= 2
FUZZ_VENV := build/fuzzvenv
FUZZ_FLAGS ?= --runs 1000000 --max-seconds 1800

.PHONY: demo test check lint format bench bench-quick soak fuzz clean venv screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mockaudit needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/mockaudit demo

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_FLAGS)

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick

# The README's pictures of the printed workbook and report (needs soffice, chromium, pdftoppm).
screenshots: $(STAMP)
	BIN=$(BIN) bash docs/screenshots.sh

soak: $(STAMP)
	MOCKAUDIT_SOAK=1 $(BIN)/python -m pytest -m "soak or crash or powerloss" --timeout 0 $(PYTEST_FLAGS)

# Coverage-guided fuzzing of every parser with atheris (its own venv: atheris 3.0.0 has
# wheels for CPython 3.11-3.13 on Linux/macOS). Crashes land in build/fuzz/<target>/.
$(FUZZ_VENV)/.installed: pyproject.toml
	@test -x $(FUZZ_VENV)/bin/python || $(PYTHON) -m venv $(FUZZ_VENV)
	@$(FUZZ_VENV)/bin/python -m pip install --quiet --disable-pip-version-check atheris==3.0.0 -e '.[test]'
	@touch $@

fuzz: $(FUZZ_VENV)/.installed
	$(FUZZ_VENV)/bin/python -m tests.fuzz.run_atheris $(FUZZ_FLAGS)

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
