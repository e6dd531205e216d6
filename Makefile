# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := dev,postgres,aws,agents,bench

.PHONY: setup browser site run run-postgres test lint typecheck imports pytest frontend-test bench clean
DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/tap

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[$(EXTRAS)]"
	touch $(STAMP)

setup: $(STAMP)

## run: install what is missing, build the site, then serve both on http://127.0.0.1:8080
run: setup site
	$(BIN)/tap serve

## run-postgres: the same on PostgreSQL (creates and migrates the database if needed)
run-postgres: setup site
	TAP_DATABASE_URL=$(DATABASE_URL) TAP_MIGRATE_ON_START=true $(BIN)/tap serve --profile postgres

## test: install what is missing, then lint, type-check, check the layers, run every test
test: setup browser site lint typecheck imports frontend-test pytest

FRONTEND_STAMP := frontend/node_modules/.installed

$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(FRONTEND_STAMP)

# The built site (served at / by `tap serve`): rebuilt when a source or build setting changed.
SITE_INDEX   := frontend/dist/index.html
SITE_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/package-lock.json

$(SITE_INDEX): $(FRONTEND_STAMP) $(SITE_SOURCES)
	cd frontend && npm run --silent build
	touch $(SITE_INDEX)

## site: install the site's packages if missing, then build it into frontend/dist
site: $(SITE_INDEX)

# The browser tests drive Debian's Chromium; Playwright never downloads one.
CHROMIUM ?= /usr/bin/chromium
APT_GET  := $(if $(filter 0,$(shell id -u)),,sudo )apt-get

## browser: install Debian's Chromium for the browser tests if it is missing
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
	  $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq chromium; }

## frontend-test: the site's type check and component tests (Vitest)
frontend-test: $(FRONTEND_STAMP)
	cd frontend && npm run --silent typecheck && npm test --silent

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

imports:
	$(BIN)/lint-imports

pytest:
	$(BIN)/pytest

## bench: the speed targets (not part of `make test`); figures go to bench/RESULTS.md
bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .hypothesis frontend/node_modules frontend/dist
