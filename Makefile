# The two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest runs on this many processes (pytest-xdist). Its default distribution, --dist load,
# hands each worker the tests in collection order, and pytest-django collects the
# transactional and browser tests last; tests/conftest.py refuses the modes that do not.
PYTEST_WORKERS ?= 2

.PHONY: run test deps lint format check migrations-check pytest pytest-postgres sample superuser backup restore bench bench-sqlite faults fuzz browser lighthouse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.deps: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.deps

## make run: install, migrate, load the sample data if the database is empty, serve on :8000
run: deps
	$(MANAGE) migrate --no-input
	$(MANAGE) load_sample_data --if-empty
	$(MANAGE) runserver $(HOST):$(PORT)

## make test: lint, system checks, the migrations check and pytest (SQLite, then PostgreSQL if TEST_DATABASE_URL)
test: deps lint check migrations-check pytest pytest-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check:
	$(MANAGE) check --fail-level WARNING
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
		DJANGO_ALLOWED_HOSTS=detainers.example.org $(MANAGE) check --deploy --fail-level WARNING

migrations-check:
	$(MANAGE) makemigrations --check --dry-run

pytest:
	env -u DATABASE_URL -u DATABASE_REPLICA_URL $(BIN)/pytest -n $(PYTEST_WORKERS)

pytest-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== pytest on PostgreSQL ($$TEST_DATABASE_URL)"; \
		echo "(tests/browser runs its own production server on SQLite: it ran in the SQLite pass)"; \
		echo "(a read replica on the same database: tests/test_replica.py reads through it)"; \
		DATABASE_URL="$$TEST_DATABASE_URL" DATABASE_REPLICA_URL="$$TEST_DATABASE_URL" $(BIN)/pytest -n $(PYTEST_WORKERS) --ignore=tests/browser; \
	else \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL run is skipped (CI sets it)."; \
	fi

## make browser: only the real-browser tests (Chromium, axe-core, the Nu Html Checker); needs `npm ci`
browser: deps
	env -u DATABASE_URL $(BIN)/pytest -m browser tests/browser tests/test_public_browser.py

## make lighthouse: Lighthouse, mobile and desktop, on the production stack; every score must be at least 95
lighthouse: deps
	@test -x node_modules/.bin/lighthouse || (echo "Lighthouse is missing: npm ci" && exit 2)
	$(BIN)/python -m tests.browser.lighthouse

sample: deps
	$(MANAGE) load_sample_data

superuser: deps
	$(MANAGE) createsuperuser

## make backup [FILE=path]: back up the database named by DATABASE_URL (SQLite or PostgreSQL)
backup: deps
	$(MANAGE) backup $(FILE)

## make restore FILE=path: replace the database with a backup (asks for confirmation)
restore: deps
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/....backup" && exit 2)
	$(MANAGE) restore $(FILE)

$(VENV)-bench/.deps: requirements-bench.txt
	$(PYTHON) -m venv $(VENV)-bench
	$(VENV)-bench/bin/python -m pip install --quiet -r requirements-bench.txt
	touch $@

## make bench: 1,000,000 synthetic cases on PostgreSQL (BENCH_DATABASE_URL), gunicorn, wrk, and Datasette beside it
bench: deps $(VENV)-bench/.deps
	@command -v wrk >/dev/null || (echo "wrk is missing: apt-get install wrk" && exit 2)
	$(BIN)/python bench/bench.py --engine postgres --cases $${BENCH_CASES:-1000000}

## make bench-sqlite: the same with 100,000 cases on SQLite
bench-sqlite: deps $(VENV)-bench/.deps
	$(BIN)/python bench/bench.py --engine sqlite --cases $${BENCH_CASES:-100000}

## make fuzz: 10,000 generated query strings per public list view (CI runs it after make test)
fuzz: deps
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-10000} env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider -n 2 -q tests/test_fuzz.py

## make faults: load, graceful reload, database outage and health drills (stops and restarts PostgreSQL)
faults: deps
	@command -v wrk >/dev/null || (echo "wrk is missing: apt-get install wrk" && exit 2)
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) $(VENV)-bench staticfiles .pytest_cache .ruff_cache bench/data
