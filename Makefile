# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-output
# The data directory `make serve` and friends work on: the demo's unless you say otherwise.
DATA_DIR ?= $(DEMO_DIR)/data

.PHONY: demo test lint install install-test clean bench serve snapshots indicators assess run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# GOV.UK Frontend's compiled assets come from the npm registry, copied into the package.
ASSETS = npm install --silent --no-save --no-audit --no-fund --prefix .build/npm govuk-frontend@6.3.0 \
	&& $(BIN)/python -m cscmonitor.web.assets --from .build/npm/node_modules

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(ASSETS)

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(ASSETS)

demo: install
	$(BIN)/cscmonitor demo --out $(DEMO_DIR)

test: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The commands without activating the virtualenv (or: `. .venv/bin/activate`, then
# `cscmonitor --help`). `make serve DATA_DIR=data`, `make run ARGS="compute --help"`.
$(BIN)/cscmonitor:
	$(MAKE) install

serve: $(BIN)/cscmonitor
	$(BIN)/cscmonitor serve --data-dir $(DATA_DIR)

snapshots: $(BIN)/cscmonitor
	$(BIN)/cscmonitor snapshots --data-dir $(DATA_DIR)

indicators: $(BIN)/cscmonitor
	$(BIN)/cscmonitor indicators

assess: $(BIN)/cscmonitor
	$(BIN)/cscmonitor assess --data-dir $(DATA_DIR)

run: $(BIN)/cscmonitor
	$(BIN)/cscmonitor $(ARGS)

# Benchmarks (bench/README.md): writes /tmp/cscmonitor-bench/results.md; first run ~40-60 min.
bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .build .pytest_cache .mypy_cache .ruff_cache src/cscmonitor/web/static/govuk
