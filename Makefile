# Two commands: `make demo` runs the product, `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export KUZA_DATABASE_URL ?= sqlite:///kuza.sqlite3

.PHONY: demo test install dev lint types contracts pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

## Set up, migrate a SQLite file, load the demo programmes and serve http://127.0.0.1:8000
demo: install
	$(BIN)/kuza db upgrade
	$(BIN)/kuza demo
	$(BIN)/kuza serve

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: dev
	$(BIN)/mypy

contracts: dev
	$(BIN)/lint-imports

pytest: dev
	$(BIN)/python tests/setup_services.py
	$(BIN)/pytest -n 2 -q

## Install dev tools and run lint, types, import contracts and the whole suite
test: lint types contracts pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) kuza.sqlite3*
