# Two commands set everything up: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 found (Django 6 needs it); the machine default may be 3.11.
PYTHON_FOR_VENV := $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do \
	command -v $$p >/dev/null 2>&1 || [ -x "$$p" ] || continue; \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p 2>/dev/null || echo $$p; } && break; done)

.PHONY: run admin-password serve test test-browser browser-deps lighthouse lint bench install install-dev requirements demo clean check-python \
	fault-check scale-check backup restore bench-render mutation bench-scale proxy-deps proxy-check

check-python:
	@if [ -z "$(PYTHON_FOR_VENV)" ]; then \
		echo "Django 6 needs Python 3.12 or newer, and none was found (tried python3.13, python3.12, python3)."; \
		echo "Install one (e.g. 'pyenv install 3.13') and run make again."; exit 1; fi

$(VENV)/bin/python: | check-python
	$(PYTHON_FOR_VENV) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# HOST and PORT reach the dev settings: unless SITE_BASE_URL is set, links, the buy form's
# redirects and the Wagtail Site's address (set by load_demo_content) follow them.
RUN_ENV := HOST=$(HOST) PORT=$(PORT)

demo: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo_content
	$(RUN_ENV) $(PY) manage.py ensure_admin

run: demo
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# A new admin password (generated and printed, or DJANGO_SUPERUSER_PASSWORD), e.g. after
# losing the one `make run` printed when it created the account.
admin-password: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py ensure_admin --new-password

# The production stack on loopback: gunicorn with production settings and the
# task worker, throwaway secrets generated once into .serve.env, real Stripe
# mode only (offline payments are refused by production settings). Plain HTTP
# here, so no HTTPS redirect; behind a real proxy it stays on.
SERVE_ENV := DJANGO_SETTINGS_MODULE=config.settings.production ALLOWED_HOSTS=$(HOST),localhost \
	CSRF_TRUSTED_ORIGINS=http://$(HOST):$(PORT) SITE_BASE_URL=https://$(HOST):$(PORT) SECURE_SSL_REDIRECT=false
serve: install
	@test -f .serve.env || { echo "writing throwaway local secrets to .serve.env"; \
		echo "SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .serve.env; }
	set -a && . ./.serve.env && set +a && export $(SERVE_ENV) && \
	$(PY) manage.py migrate --noinput && $(PY) manage.py createcachetable && \
	$(PY) manage.py collectstatic --noinput -v0 && $(PY) manage.py load_demo_content && $(PY) manage.py ensure_admin && \
	$(PY) manage.py clear_page_cache && \
	{ $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn config.wsgi -c gunicorn.conf.py --bind $(HOST):$(PORT); }

# With chromium on the machine the browser tests run, and the accessibility scans among
# them need axe-core from npm: installed here when missing. Without chromium (and CI unset)
# the browser tests skip, saying why.
AXE_JS := node_modules/axe-core/axe.min.js
test: install-dev
	@if command -v chromium >/dev/null 2>&1 && [ ! -f $(AXE_JS) ]; then \
		if command -v npm >/dev/null 2>&1; then echo "chromium found, axe-core missing: npm ci"; npm ci --no-audit --no-fund; \
		else echo "chromium found but npm is missing: the accessibility scans will skip (make browser-deps installs npm)"; fi; fi
	$(PY) -m pytest $(PYTEST_ARGS)

# Faults and two app servers on loopback. Both start a PostgreSQL cluster (initdb
# into a temporary directory), a redis-server and gunicorn processes of their own
# on free ports, so they need Debian's postgresql and redis-server packages and
# never touch a running database or cache.
fault-check: install-dev
	$(PY) -m pytest tests/ops/test_ops_faults.py -v $(PYTEST_ARGS)

scale-check: install-dev
	$(PY) -m pytest tests/ops/test_ops_scale.py -v $(PYTEST_ARGS)

# Mutation testing of the money and order rules (scripts/mutation.py): one pytest session per
# module, its tests run against every mutant; prints each module's score and the survivors.
# Not part of CI's time budget (a few minutes each on two cores).
MUTATION_RUNS := \
	"offers.money tests/offers/payments/test_offers_money.py" \
	"offers.catalogue.workdays tests/offers/catalogue/test_offers_workdays.py" \
	"offers.orders.transitions tests/offers/orders/test_transitions.py" \
	"offers.aftercare.refunds tests/offers/aftercare/test_refund_rules.py tests/offers/aftercare/test_guarantee_refunds.py tests/offers/aftercare/test_guarantee.py"
mutation: install-dev
	@status=0; for run in $(MUTATION_RUNS); do set -- $$run; module=$$1; shift; \
		$(PY) -m pytest -p scripts.mutation --mutate $$module "$$@" -q || status=1; done; exit $$status

# deploy/nginx.conf in front of two gunicorn servers (tests/infra/test_proxy*.py):
# TLS with a certificate the test makes, visitors from distinct loopback
# addresses. Needs Debian's nginx (installed here with apt-get when missing).
proxy-deps:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then echo "nginx: $$( /usr/sbin/nginx -v 2>&1 || nginx -v 2>&1)"; else \
		echo "nginx is missing: installing Debian's package (apt-get install -y nginx)"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		{ $$SUDO apt-get install -y nginx || { $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y nginx; }; }; fi

proxy-check: install-dev proxy-deps
	$(PY) -m pytest -m proxy tests/infra -v $(PYTEST_ARGS)

# PostgreSQL backups (DATABASE_URL) into backups/<UTC timestamp>.dump, plus a
# tarball of local media; `make restore BACKUP=backups/<stamp>.dump` puts one back
# into DATABASE_URL (stop the app and worker first). See README, Backups.
backup:
	bash scripts/backup.sh

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<timestamp>.dump"; exit 1; }
	bash scripts/restore.sh "$(BACKUP)"

# Browser tests drive Debian's chromium (Playwright cannot download its own
# browser here) and inject axe-core from npm.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(command -v chromium)"; else \
		echo "chromium is missing: installing Debian's package (apt-get update; apt-get install -y chromium)"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium; fi
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm is missing: installing Debian's package (apt-get install -y npm)"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y npm; fi
	npm ci --no-audit --no-fund

test-browser: install-dev browser-deps
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

# Lighthouse (npm) with Debian's chromium against `make serve` on LIGHTHOUSE_PORT
# (started and stopped here; set LIGHTHOUSE_URL to audit a server already
# running). Prints the four category scores of home, an article and the offer
# page, fails below 95; reports in lighthouse-reports/.
lighthouse: install browser-deps
	CHROME_PATH=$$(command -v chromium) $(PY) scripts/lighthouse.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# The production server under load (benchmarks/serve_bench.py): req/s, p50/p99,
# queries and bytes per page, cached and uncached, then 30 s at 64 connections.
# Uses Debian's wrk (installed with apt-get when missing; if that fails, a
# Python load generator stands in). Not a test: it prints figures.
bench: install-dev
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is missing: installing Debian's package (apt-get install -y wrk)"; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		{ $$SUDO apt-get install -y wrk || { $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y wrk; }; } \
		|| echo "could not install wrk: using the Python load generator"; }
	$(PY) benchmarks/serve_bench.py
	$(PY) benchmarks/import_worst_case.py

# Render time per page through the test client (pytest-benchmark), no server.
bench-render: install-dev
	$(PY) -m pytest benchmarks -p no:cacheprovider --benchmark-only $(PYTEST_ARGS)

# Cost at scale (benchmarks/scale_bench.py): a throwaway PostgreSQL database on
# BENCH_SCALE_DATABASE_URL's server, the demo content measured, then with
# BENCH_SCALE_ARTICLES (5,000) more articles: queries, median ms and bytes per
# request, and the ratio. Not a test: it prints figures.
bench-scale: install-dev
	$(PY) benchmarks/scale_bench.py

# Recompile the pinned requirements after editing requirements*.in.
requirements: install-dev
	$(PIP) install --quiet pip-tools
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) db.sqlite3* media staticfiles .pytest_cache node_modules test-artifacts test-results lighthouse-reports
