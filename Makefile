# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Only for local development and tests; production sets its own (see README).
TEST_SECRET_KEY := test-only-secret-key-not-for-production-0123456789

.PHONY: install run test lint format serve migrations-check demo clean messages vnu audit bandit pip-audit backup restore privacy-audit

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) || { echo "Python's venv module is missing: on Debian run 'apt-get install python3-venv'." >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py createinitialrevisions stories.Story programs.Program --comment "演示数据的初始版本"
	DJANGO_DEBUG=1 $(BIN)/python manage.py create_demo_users

run: demo
	@echo "Serving http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	DJANGO_SECRET_KEY=$(TEST_SECRET_KEY) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Security: bandit over the portal's own code (every finding it would raise is
# explained by a `# nosec` comment beside it), then pip-audit over the installed
# dependencies, which needs pypi.org (--strict: a package it could not look up
# fails the audit instead of passing unchecked).
audit: bandit pip-audit

bandit: install
	$(BIN)/bandit -q -c pyproject.toml -r .

pip-audit: install
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

# Read every public output as an anonymous reader would and list each place a
# person is shown more than their consents allow (non-zero exit if any). Run
# it after an import or a batch of edits, with the server's own environment.
privacy-audit: install
	$(BIN)/python manage.py privacy_audit

# Back up the database and both media folders into $(DJANGO_BACKUP_ROOT)
# (var/backups/ by default), or restore one: make restore FROM=var/backups/20261203-101500
# Run with the server's own environment (DATABASE_URL, DJANGO_MEDIA_ROOT, ...).
backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(FROM)" || { echo "Which backup? make restore FROM=var/backups/<folder>" >&2; exit 2; }
	$(BIN)/python manage.py restore "$(FROM)"

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# The Nu HTML checker for tests/test_html_valid.py: vnu-jar from npm, run with
# Java, kept in the git-ignored .ci/node_modules. Without it that test is
# skipped (CI, with REQUIRE_BROWSER=1, fails instead).
VNU_VERSION := 26.9.27
VNU_JAR_FILE := .ci/node_modules/vnu-jar/build/dist/vnu.jar

vnu: $(VNU_JAR_FILE)

$(VNU_JAR_FILE):
	npm install --prefix .ci --no-save --no-audit --no-fund --loglevel=error vnu-jar@$(VNU_VERSION)

# Refresh the English catalogue from the templates and code, then compile it.
# Needs gettext (apt-get install gettext); the compiled .mo is committed, so
# running the site does not. Translate the new empty entries in the .po, then
# run this again.
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=staticfiles --no-obsolete
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

# Production-like serving: DEBUG off, static files collected and served by
# WhiteNoise, two gunicorn workers. Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
serve: install
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn portal.wsgi --workers 2 --bind $(HOST):$(PORT) --access-logfile -

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
