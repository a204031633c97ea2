# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test run test lint docs bench mutation translations clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	# The setuptools that `venv` bundles with Python 3.11 has a known advisory (see
	# docs/security-advisories.md): a current one replaces it.
	$(BIN)/pip install -q --upgrade pip setuptools

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Installs, migrates, builds the demo company, creates a demo admin, serves on SQLite.
run: install
	$(BIN)/steward db upgrade
	$(BIN)/steward demo --if-missing
	$(BIN)/steward users demo-admin
	$(BIN)/steward serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest

# The documentation site (MkDocs + Material) into site/: the reference pages are regenerated
# from the policy schema, the command line and the OpenAPI document; any warning fails.
docs: install-test
	$(BIN)/python scripts/docs_reference.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

lint: install-test
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy src
	# The layer contracts in pyproject.toml ([tool.importlinter]).
	$(BIN)/lint-imports
	# Offline: the installed packages against the advisories kept in security/advisories.
	$(BIN)/python tools/audit_dependencies.py check

# The translation catalogs (src/steward/i18n/locale): new texts added to each catalog (empty),
# places refreshed, translations kept; then every text must be translated in every catalog.
translations: install-test
	$(BIN)/python scripts/translations.py update
	$(BIN)/python scripts/translations.py check

bench: install-test
	$(BIN)/pip install -q -e '.[bench]'
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

# Mutation testing, one module at a time (minutes each; not part of `make test`): writes the
# killed share per module to docs/quality.md. `make mutation MODULES="audit/"` for one module.
MODULES ?=
mutation: install-test
	$(BIN)/pip install -q -e '.[test,mutation]'
	$(BIN)/python scripts/mutation.py $(MODULES)

clean:
	rm -rf $(VENV) steward.db* var site mutants
