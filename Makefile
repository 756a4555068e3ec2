# triton-dashboards: `make dashboards` builds every dashboard, `make test` runs the suite.
# Both set themselves up on a fresh machine (a .venv with the package and its tools).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: dashboards test check lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Build every dashboards/*.dashboard.py into dashboards/*.json.
dashboards: $(STAMP)
	$(BIN)/triton-dashboards build

## Run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## The CI gate: committed JSON is current, queries are clean, code is linted.
check: $(STAMP) lint
	$(BIN)/triton-dashboards check
	$(BIN)/triton-dashboards lint

## ruff (lint and format check) and mypy.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench dashboards
	$(BIN)/ruff format --check src tests bench dashboards
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests bench dashboards
	$(BIN)/ruff check --fix src tests bench dashboards

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
