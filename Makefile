# Blocktrust: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
SS_VENV := .venv-superset
BT := $(VENV)/bin/blocktrust
PYTEST_ARGS ?=

.PHONY: help env env-superset system-deps db-up demo test lint format bench down clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

system-deps:  ## Debian packages the project needs (PostgreSQL 15, Chromium for browser tests)
	@scripts/install-system-deps.sh

env: system-deps  ## platform virtualenv (.venv) from requirements/platform.lock
	@scripts/install-env.sh $(VENV) requirements/platform.lock editable

env-superset:  ## Superset virtualenv (.venv-superset) from requirements/superset.lock
	@scripts/install-env.sh $(SS_VENV) requirements/superset.lock

db-up: env  ## start the local PostgreSQL cluster
	@$(BT) db up

demo: env env-superset db-up  ## generate a demo chain, run the pipeline, print URLs and the answer
	@$(BT) demo

test: env env-superset  ## the whole test suite (starts what it needs)
	@$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: env  ## ruff, ruff format --check, sqlfluff
	@$(VENV)/bin/ruff check src dags tests bench
	@$(VENV)/bin/ruff format --check src dags tests bench
	@cd dbt_project && ../$(VENV)/bin/sqlfluff lint models

format: env  ## apply ruff format and fixes
	@$(VENV)/bin/ruff check --fix src dags tests bench
	@$(VENV)/bin/ruff format src dags tests bench

bench: env db-up  ## benchmarks at BENCH_TXS transactions (default 100000)
	@$(BT) bench --txs $${BENCH_TXS:-100000}

down:  ## stop every service the CLI started
	@[ -x $(BT) ] && $(BT) down || true

clean: down  ## remove envs and local data
	rm -rf $(VENV) $(SS_VENV) .data
