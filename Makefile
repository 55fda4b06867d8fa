# Two commands set everything up on a machine with python3 and make: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test test-sqlite test-postgresql bench serve clean

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

test-sqlite: $(VENV)/.installed
	$(BIN)/python -m pytest --db sqlite $(PYTEST_ARGS)

test-postgresql: $(VENV)/.installed
	$(BIN)/python -m pytest --db postgresql $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python -m bench.foundation
	$(BIN)/python -m bench.publishing

clean:
	rm -rf $(VENV) var .pytest_cache
