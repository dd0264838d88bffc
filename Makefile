# XMKT: `make run` starts the embedded demo, `make test` runs the whole suite. Both build .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check --build-constraint build-constraints.txt

.PHONY: run test install install-dev translations secrets migrate demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade "pip>=25.3"

$(VENV)/.installed: $(BIN)/python requirements.txt build-constraints.txt
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Local secrets for the embedded demo only; production sets SECRET_KEY and IDENTITY_HASH_KEY in the environment.
var/secrets.env: | $(BIN)/python
	mkdir -p var
	$(BIN)/python -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50)); print('IDENTITY_HASH_KEY=' + secrets.token_urlsafe(50))" > $@
	chmod 600 $@

secrets: var/secrets.env

translations: $(VENV)/.installed
	DEBUG=1 $(BIN)/python manage.py compile_translations

run: install secrets translations
	set -a; . ./var/secrets.env; set +a; \
	export SECURE_COOKIES=$${SECURE_COOKIES:-false} SECURE_HSTS_SECONDS=$${SECURE_HSTS_SECONDS:-0}; \
	$(BIN)/python manage.py migrate --no-input -v 0 && \
	$(BIN)/python manage.py collectstatic --no-input -v 0 && \
	if [ -f demo/management/commands/seed_demo.py ]; then \
	  $(BIN)/python manage.py seed_demo --logins-file var/demo-logins.txt && \
	  $(BIN)/python manage.py queue_demo_jobs; \
	else echo "seed_demo is not available in this checkout: starting without demo data"; fi && \
	echo "Cache: $${CACHE_URL:-a file cache in var/cache, shared by the web processes (set CACHE_URL=redis://... for Redis)}" && \
	exec $(BIN)/python manage.py run_embedded --port $(PORT)

# The import contracts (pyproject.toml) run first: an upward import fails the build before the suite starts.
# pytest's exit 5 (no tests collected) is a failure here, not a pass. The suite runs in one pytest-xdist process per
# core (at most 4; PYTEST_WORKERS=0 runs it in this process), each on its own test database.
PYTEST_WORKERS ?= auto
test: install-dev translations
	@mkdir -p var
	$(BIN)/lint-imports --no-cache --no-logo
	@$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

bench: install-dev
	@echo "See bench/README.md: each script prints a table and writes JSON."

clean:
	rm -rf $(VENV) var staticfiles
