# ClinicPro: `make run` starts the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinicpro
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint bench check-postgres chromium clean

$(STAMP): requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Demo on the embedded default: SQLite under var/, tasks in-process, sandbox emulators, console email.
# With REDIS_URL set, a Celery worker and beat start alongside the web server.
run: install
	mkdir -p var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		DEBUG=1 $(BIN)/celery -A clinicpro worker -l info --concurrency=2 & \
		DEBUG=1 $(BIN)/celery -A clinicpro beat -l info --schedule var/celerybeat-schedule & \
	fi; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

check-postgres: install
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python -c "import environ, psycopg, sys; \
	c = environ.Env.db_url_config(__import__('os').environ['DATABASE_URL']); \
	psycopg.connect(host=c['HOST'] or None, port=c['PORT'] or None, user=c['USER'] or None, password=c['PASSWORD'] or None, dbname='postgres', connect_timeout=3).close()" \
	2>/dev/null || { echo; echo "PostgreSQL is not answering at $${DATABASE_URL:-$(TEST_DATABASE_URL)}."; \
	echo "Start it with: pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start"; \
	echo "(or set DATABASE_URL to a running server), then run 'make test' again."; exit 2; }

# Browser tests need Debian's chromium; install it when missing and we may.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
	{ echo "Chromium is missing: install it with 'apt-get install chromium'."; exit 2; }

test: install check-postgres chromium
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python manage.py makemigrations --check --dry-run --settings=clinicpro.test_settings
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
