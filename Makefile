# The targets are the commands the README shows. `make run` and `make test`
# set up everything a fresh machine needs (virtualenv, Python and JS deps, DB).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TUTTI_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/tutti.sqlite3
# Convergence fuzz seeds run by `make test` (and so by CI); raise for a soak run.
export TUTTI_FUZZ_SEEDS ?= 40

.PHONY: run test lint typecheck unit integration browser js-test bench deps clean

$(BIN)/tutti: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/tutti

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.package-lock.json

deps: $(BIN)/tutti node_modules/.package-lock.json

run: deps
	$(BIN)/tutti init-db
	$(BIN)/tutti serve --host 127.0.0.1 --port 5000

lint: deps
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	$(BIN)/mypy

js-test: deps
	node --test --test-reporter=dot tests/js/

test: deps lint js-test
	$(BIN)/pytest -q

unit: deps
	$(BIN)/pytest -q tests/unit

integration: deps
	$(BIN)/pytest -q tests/integration

browser: deps
	$(BIN)/pytest -q tests/browser

bench: deps
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .mypy_cache .ruff_cache
