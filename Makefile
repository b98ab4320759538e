# ABC Timesheets — the two commands: `make run` and `make test` (and `make bench`, the benchmark).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PUBLIC_URL ?= http://127.0.0.1:$(PORT)
CHROMIUM := /usr/bin/chromium
WRK := /usr/bin/wrk

.PHONY: run test test-fast bench lint format install install-dev browser js wrk clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt tools/requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# The browser tests drive Debian's Chromium; nothing downloads a browser.
browser:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

# Auth0's SPA SDK for tests/sdk and axe-core for tests/pwa, pinned by package-lock.json; reinstalled only when
# the lock file changes.
# Install scripts stay off: the tests load the package's prebuilt bundle, nothing has to run.
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Installing Debian's npm for the SDK tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

js: node_modules/.package-lock.json

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py demo_tenant
	$(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --access-logfile -

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-dev browser js lint
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

# The inner loop: everything but the browser tests and the tests that start servers or subprocesses
# (markers `browser` and `live`); no lint. `make test` stays the whole suite.
test-fast: install-dev
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m "not browser and not live" $(PYTEST_ARGS)

# The benchmark, never part of `make test`: the product served as `make run` serves it, driven by
# Debian's wrk (installed here the way `browser` installs Chromium). BENCH_ARGS=--quick for a short run.
wrk:
	@test -x $(WRK) || { echo "Installing Debian's wrk for the bench"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

bench: install wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var node_modules
