# triton-dashboards: `make dashboards` builds every dashboard, `make test` runs the suite.
# Both set themselves up on a fresh machine (a .venv with the package and its tools).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: dashboards test test-quick check lint format clean publish prometheus dist docs chromium pictures

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Build every dashboards/*.dashboard.py into dashboards/*.json.
dashboards: $(STAMP)
	$(BIN)/triton-dashboards build

## Run the whole test suite (end-to-end tests run a real Prometheus and Chromium: see below).
test: $(STAMP) prometheus chromium
	$(BIN)/python -m pytest

## The suite without the slow end-to-end tests (a real Prometheus, a wheel installed).
test-quick: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

## Publish dashboards/*.json to Grafana (GRAFANA_URL, GRAFANA_TOKEN; see docs/publish.md).
## make itself exits 2 on any failure; the line below names the tool's own exit status.
## Scripts that read it (1 conflict, 2 nothing done) run `triton-dashboards publish`.
publish: $(STAMP)
	@$(BIN)/triton-dashboards publish || { status=$$?; case $$status in \
	  1) why='a conflict or a failed dashboard, named above';; \
	  *) why='nothing could be done, see the error above';; esac; \
	  echo "triton-dashboards publish exited $$status: $$why" >&2; exit $$status; }

## The documentation: docs/ and an API reference generated from the docstrings, into build/docs/.
## Warnings are errors (a broken docstring, a link to a page that does not exist).
docs: $(STAMP)
	$(BIN)/sphinx-build -c docs -W --keep-going -q -b html . build/docs

## prometheus and promtool from the Debian package, installed when we are root and lack them.
## Elsewhere install them yourself; with CI=true the tests that need them fail, not skip.
prometheus:
	@if command -v prometheus >/dev/null && command -v promtool >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing prometheus (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; \
	else echo "prometheus not found and not root: install the prometheus package to run every test"; fi

## chromium from the Debian package (the preview's browser tests, preview --png), installed
## when we are root and lack it. Elsewhere install it yourself; with CI=true its tests fail.
chromium:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found and not root: install the chromium package to run every test"; fi

## docs/pictures/*.png: the stock dashboards and the NER example drawn from the demo's data.
PICTURES := triton-overview triton-model triton-gpu-host triton-llm ner
pictures: $(STAMP) prometheus chromium
	rm -rf .pictures
	$(BIN)/triton-dashboards preview --demo --png -o .pictures $(PICTURES:%=dashboards/%.json)
	mkdir -p docs/pictures
	cp $(PICTURES:%=.pictures/%.png) docs/pictures/
	rm -rf .pictures

## The CI gate: committed JSON is current, queries are clean, code is linted.
check: $(STAMP) lint
	$(BIN)/triton-dashboards check
	$(BIN)/triton-dashboards lint

## ruff (lint and format check) and mypy.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench dashboards docs
	$(BIN)/ruff format --check src tests bench dashboards docs
	$(BIN)/mypy

## Format code and *.dashboard.py files (lint and check fail on unformatted ones).
format: $(STAMP)
	$(BIN)/ruff format src tests bench dashboards docs
	$(BIN)/ruff check --fix src tests bench dashboards docs

## The sdist and the wheel in dist/, built offline from the .venv's setuptools, checked by twine.
dist: $(STAMP)
	rm -rf dist build
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
