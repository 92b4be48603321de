# Two commands on a fresh machine with Python 3.11+ and make:
#   make run    install, run the historical baseline, write its run directory and report
#   make test   install, lint, type-check, check the layers, run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
BASE   := $(VENV)/.installed-base
DEV    := $(VENV)/.installed-dev

.PHONY: install install-dev run test lint bench figure clean

# make run installs what a run and its report need (no test tools); make test adds [dev].
# --no-compile: pip leaves the bytecode to the first import (a run imports a small part of what
# it installs), and make's commands write it (PYTHONDONTWRITEBYTECODE emptied: where it is set,
# every process would compile its imports again); the warm step compiles the numba kernels a run
# calls into numba's cache, on every core, so that the first run loads them
# (thermidor/model/fast/warm.py).
export PYTHONDONTWRITEBYTECODE :=
$(BASE): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-compile -e .
	$(BIN)/python -m thermidor.model.fast.warm
	touch $(BASE)

$(DEV): $(BASE) pyproject.toml
	$(BIN)/python -m pip install -q --no-compile -e '.[dev]'
	touch $(DEV)

install: $(BASE)

install-dev: $(DEV)

run: install
	$(BIN)/thermidor run --force
	$(BIN)/thermidor report runs/baseline/seed-0 -o runs/baseline/report.html

lint: install-dev
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	.ci/ensure-chromium
	$(BIN)/pytest -n 2

figure: run
	$(BIN)/python -m thermidor.report.overview runs/baseline/seed-0 docs/img/baseline-overview.png

bench: install-dev
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
