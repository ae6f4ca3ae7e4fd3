# ClinicPro: `make run` starts the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/clinicpro
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs in this many processes (pytest-xdist), each with its own test database, Redis database
# and RabbitMQ vhost; most tests wait on a browser, a worker or a live server rather than on the CPU.
TEST_PROCESSES ?= 2

.PHONY: run test install lint typecheck bench check-postgres check-redis check-rabbitmq chromium clean

$(STAMP): requirements.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "ClinicPro needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1). Set PYTHON=python3.11 (or newer)."; exit 2; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# Demo on the embedded default: SQLite under var/, tasks in-process, sandbox emulators, console email.
# With REDIS_URL set, a Celery worker and beat start alongside the web server and stop with it;
# bin/supervise starts either again whenever it exits (a crash, a lost broker).
run: export DEBUG := 1
run: export SITE_URL := $(or $(SITE_URL),http://$(HOST):$(PORT))
run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
		bin/supervise worker $(BIN)/celery -A clinicpro worker -l info --concurrency=2 & \
		bin/supervise beat $(BIN)/celery -A clinicpro beat -l info --schedule var/celerybeat-schedule & \
		$(BIN)/python manage.py runserver $(HOST):$(PORT); \
	else \
		exec $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

check-postgres: install
	@DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python -c "import environ, os, psycopg; \
	c = environ.Env.db_url_config(os.environ['DATABASE_URL']); \
	psycopg.connect(host=c['HOST'] or None, port=c['PORT'] or None, user=c['USER'] or None, password=c['PASSWORD'] or None, dbname='postgres', connect_timeout=3).close()" \
	2>/dev/null || { echo; echo "PostgreSQL is not answering at $${DATABASE_URL:-$(TEST_DATABASE_URL)}."; \
	echo "Start it with: pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start"; \
	echo "(or 'docker compose up -d postgres', or set DATABASE_URL to a running server), then run 'make test' again."; exit 2; }

check-redis: install
	@REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(BIN)/python -c "import os, redis; \
	redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=3).ping()" \
	2>/dev/null || { echo; echo "Redis is not answering at $${REDIS_URL:-$(TEST_REDIS_URL)} (the worker tests need it)."; \
	echo "Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"; \
	echo "(or 'docker compose up -d redis', or set REDIS_URL to a running server), then run 'make test' again."; exit 2; }

# Worker and chaos tests run on RabbitMQ as well as Redis (TEST_AMQP_URL, default guest on localhost).
check-rabbitmq: install
	@$(BIN)/python -c "import os, amqp; \
	c = amqp.Connection(os.environ.get('TEST_AMQP_HOST', '127.0.0.1:5672'), connect_timeout=3); c.connect(); c.close()" \
	2>/dev/null || { echo; echo "RabbitMQ is not answering on 127.0.0.1:5672 (the worker tests run on it too)."; \
	echo "Start it with: rabbitmq-server -detached (or 'docker compose up -d rabbitmq'), then run 'make test' again."; exit 2; }

# Browser tests need Debian's chromium; install it when missing and we may.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
	{ echo "Chromium is missing: install it with 'apt-get install chromium'."; exit 2; }

test: export DATABASE_URL := $(or $(DATABASE_URL),$(TEST_DATABASE_URL))
test: export REDIS_URL := $(or $(REDIS_URL),$(TEST_REDIS_URL))
# axe-core (package.json, from the npm registry) runs inside the browser tests.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: install check-postgres check-redis check-rabbitmq chromium node_modules/axe-core/axe.min.js
	@# (the database itself need not exist yet: pytest creates its own test database)
	$(BIN)/python -W ignore::RuntimeWarning manage.py makemigrations --check --dry-run --settings=clinicpro.test_settings
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist loadfile

lint: install typecheck
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs over every app (tests excluded; see [tool.mypy] in pyproject.toml).
typecheck: install
	$(BIN)/mypy

bench: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles
