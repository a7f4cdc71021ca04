# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app

.PHONY: run test fuzz install install-dev serve demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed node_modules/.package-lock.json

install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo "ClaimDesk is at http://127.0.0.1:5000  (Ctrl-C stops it)"
	$(BIN)/gunicorn -k gevent -w 1 --worker-connections 10000 --bind 127.0.0.1:5000 app:app

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fuzz tests at length: FUZZ_EXAMPLES inputs per route instead of CI's dozen (see DEVELOPERS.md).
FUZZ_EXAMPLES ?= 500
fuzz: install-dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/fuzz $(PYTEST_ARGS)
