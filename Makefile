# Two commands set everything up on a machine with python3 and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test test-sqlite test-postgresql browser bench serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/crosscanal demo
	$(BIN)/crosscanal publish --all
	@echo "Feeds (pull URLs with their tokens):"
	@$(BIN)/crosscanal feeds
	@echo "Serving on http://$(HOST):$(PORT)/ (API docs at /api/docs). Stop with Ctrl-C."
	$(BIN)/crosscanal serve --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	$(BIN)/crosscanal serve --host $(HOST) --port $(PORT)

# The whole suite, once on SQLite and once on PostgreSQL (started if it is down, or the server
# in CROSSCANAL_TEST_POSTGRES_URL); each run creates and drops its own database.
test: test-sqlite test-postgresql

# The browser tests (tests/ui) drive Debian's Chromium, never a browser Playwright downloads:
# install the package when it is missing (as root, as CI runs, or through password-less sudo).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
	  echo "installing Debian's chromium for the browser tests"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation \
	    </dev/null >/dev/null; }

test-sqlite: $(VENV)/.installed browser
	$(BIN)/python -m pytest --db sqlite $(PYTEST_ARGS)

test-postgresql: $(VENV)/.installed browser
	$(BIN)/python -m pytest --db postgresql $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python -m bench.foundation
	$(BIN)/python -m bench.publishing
	$(BIN)/python -m bench.ui_pages
	$(BIN)/python -m bench.imports

clean:
	rm -rf $(VENV) var .pytest_cache
